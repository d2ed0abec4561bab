package storetest

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"nexus/store"
)

func runRequests(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"StartThenFinish", testStartThenFinish},
		{"FinishWithoutStart", testFinishWithoutStart},
		{"StartIsIdempotent", testStartIsIdempotent},
		{"StartAfterFinishDoesNotClobber", testStartAfterFinish},
		{"FinishTwice", testFinishTwice},
		{"FinishKeepsModelAndSession", testFinishKeepsModelAndSession},
		{"ListNewestFirst", testListNewestFirst},
		{"ListDefaultLimit", testListDefaultLimit},
		{"ListBefore", testListBefore},
		{"ListModel", testListModel},
		{"ListEmpty", testListEmpty},
		{"Count", testCount},
		{"TimesUTCMilliseconds", testTimes},
		{"ZeroValues", testZeroValues},
		{"ConcurrentWriters", testConcurrentWriters},
		{"LargeText", testLargeText},
		{"WriteRequestsBatch", testWriteRequestsBatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t, nil)) })
	}
}

// base is a round time with no sub-millisecond part, so records compare exactly.
var base = time.Date(2025, 3, 14, 9, 26, 53, 589_000_000, time.UTC)

// started returns a request as the recorder records its start.
func started(id string, at time.Time) store.Request {
	return store.Request{
		ID: id, StartedAt: at, Method: "POST", Path: "/v1/messages", Query: "beta=true",
		Model: "claude-sonnet-4-5", Stream: true, Kind: "turn", SessionID: "session-" + id,
		Conversation: "conv-1", Branch: "main", Account: "team", ClientKeyID: "key-1",
	}
}

// finished returns the finishing record of started(id, at), every field set.
func finished(id string, at time.Time) store.Request {
	r := started(id, at)
	r.Status = 200
	r.Error = ""
	r.Finished = true
	r.Passthrough = true
	r.StopReason = "end_turn"
	r.MessageID = "msg_" + id
	r.InputTokens = 1200
	r.OutputTokens = 345
	r.CacheCreationInputTokens = 6000
	r.CacheReadInputTokens = 70000
	r.CacheCreation5m = 5000
	r.CacheCreation1h = 1000
	r.CostUSD = 0.123456789
	r.TTFBMs = 812.5
	r.DurationMs = 4321.25
	r.OverheadMs = 1.75
	r.Attempts = 2
	r.AttemptsJSON = `[{"status":529},{"status":200}]`
	r.HeadersJSON = `{"request-id":"req_1"}`
	return r
}

func mustStart(t *testing.T, s store.Store, r store.Request) {
	t.Helper()
	if err := s.StartRequest(ctx(t), r); err != nil {
		t.Fatalf("StartRequest(%s): %v", r.ID, err)
	}
}

func mustFinish(t *testing.T, s store.Store, r store.Request) {
	t.Helper()
	if err := s.FinishRequest(ctx(t), r); err != nil {
		t.Fatalf("FinishRequest(%s): %v", r.ID, err)
	}
}

func list(t *testing.T, s store.Store, f store.RequestFilter) []store.Request {
	t.Helper()
	got, err := s.ListRequests(ctx(t), f)
	if err != nil {
		t.Fatalf("ListRequests(%+v): %v", f, err)
	}
	return got
}

func count(t *testing.T, s store.Store) int64 {
	t.Helper()
	n, err := s.CountRequests(ctx(t))
	if err != nil {
		t.Fatalf("CountRequests: %v", err)
	}
	return n
}

// only returns the store's single request, failing unless there is exactly one.
func only(t *testing.T, s store.Store) store.Request {
	t.Helper()
	got := list(t, s, store.RequestFilter{})
	if len(got) != 1 {
		t.Fatalf("ListRequests returned %d requests, want 1: %+v", len(got), got)
	}
	if n := count(t, s); n != 1 {
		t.Fatalf("CountRequests = %d, want 1", n)
	}
	return got[0]
}

func assertEqual(t *testing.T, got, want store.Request) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("request differs:\n got %+v\nwant %+v", got, want)
	}
}

func ids(rs []store.Request) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func assertIDs(t *testing.T, got []store.Request, want ...string) {
	t.Helper()
	if g := ids(got); !reflect.DeepEqual(g, want) && !(len(g) == 0 && len(want) == 0) {
		t.Errorf("ids = %v, want %v", g, want)
	}
}

func testStartThenFinish(t *testing.T, s store.Store) {
	mustStart(t, s, started("a", base))
	assertEqual(t, only(t, s), started("a", base))
	mustFinish(t, s, finished("a", base))
	assertEqual(t, only(t, s), finished("a", base))
}

func testFinishWithoutStart(t *testing.T, s store.Store) {
	r := finished("a", base)
	r.Finished = false // FinishRequest marks it finished whatever the record says
	mustFinish(t, s, r)
	assertEqual(t, only(t, s), finished("a", base))
}

func testStartIsIdempotent(t *testing.T, s store.Store) {
	mustStart(t, s, started("a", base))
	again := started("a", base.Add(time.Second))
	again.Model = "other"
	mustStart(t, s, again)
	assertEqual(t, only(t, s), started("a", base))
}

func testStartAfterFinish(t *testing.T, s store.Store) {
	mustStart(t, s, started("a", base))
	mustFinish(t, s, finished("a", base))
	late := started("a", base.Add(time.Minute)) // a replayed spool line, say
	late.Model = "other"
	late.SessionID = "other"
	mustStart(t, s, late)
	assertEqual(t, only(t, s), finished("a", base))
}

func testFinishTwice(t *testing.T, s store.Store) {
	mustStart(t, s, started("a", base))
	first := finished("a", base)
	first.Status = 529
	first.Error = "overloaded"
	first.ErrorType = "overloaded_error"
	first.Incomplete = true
	mustFinish(t, s, first)
	second := finished("a", base)
	second.Model = "claude-opus-4-1"
	second.SessionID = "session-2"
	second.OutputTokens = 999
	second.Account = "other-account"
	mustFinish(t, s, second)
	assertEqual(t, only(t, s), second)
}

func testFinishKeepsModelAndSession(t *testing.T, s store.Store) {
	mustStart(t, s, started("a", base))
	end := finished("a", base)
	end.Model = ""
	end.SessionID = ""
	mustFinish(t, s, end)
	assertEqual(t, only(t, s), finished("a", base))

	// A non-empty value in the finishing record wins.
	end.Model = "claude-haiku-4-5"
	end.SessionID = "session-later"
	mustFinish(t, s, end)
	assertEqual(t, only(t, s), end)
}

// seed records n finished requests r00, r01, … one second apart, r00 oldest, alternating
// between two models.
func seed(t *testing.T, s store.Store, n int) {
	t.Helper()
	for i := range n {
		r := finished(fmt.Sprintf("r%02d", i), base.Add(time.Duration(i)*time.Second))
		r.Model = []string{"model-even", "model-odd"}[i%2]
		mustFinish(t, s, r)
	}
}

func testListNewestFirst(t *testing.T, s store.Store) {
	seed(t, s, 5)
	// Two requests in the same millisecond come in descending id order.
	tie := finished("r04b", base.Add(4*time.Second))
	tie.Model = "model-even"
	mustFinish(t, s, tie)
	assertIDs(t, list(t, s, store.RequestFilter{}), "r04b", "r04", "r03", "r02", "r01", "r00")
	assertIDs(t, list(t, s, store.RequestFilter{Limit: 3}), "r04b", "r04", "r03")
	assertIDs(t, list(t, s, store.RequestFilter{Limit: 1}), "r04b")
}

func testListDefaultLimit(t *testing.T, s store.Store) {
	seed(t, s, 60)
	got := list(t, s, store.RequestFilter{})
	if len(got) != 50 {
		t.Fatalf("ListRequests with no limit returned %d, want the default 50", len(got))
	}
	if got[0].ID != "r59" || got[49].ID != "r10" {
		t.Errorf("default page runs %s…%s, want r59…r10", got[0].ID, got[49].ID)
	}
	if n := len(list(t, s, store.RequestFilter{Limit: 100})); n != 60 {
		t.Errorf("Limit 100 returned %d, want 60", n)
	}
}

func testListBefore(t *testing.T, s store.Store) {
	seed(t, s, 5)
	// Before is exclusive: r02 started exactly at the bound.
	assertIDs(t, list(t, s, store.RequestFilter{Before: base.Add(2 * time.Second)}), "r01", "r00")
	assertIDs(t, list(t, s, store.RequestFilter{Before: base.Add(2*time.Second + time.Millisecond)}),
		"r02", "r01", "r00")
	assertIDs(t, list(t, s, store.RequestFilter{Before: base.Add(4 * time.Second), Limit: 2}), "r03", "r02")
	assertIDs(t, list(t, s, store.RequestFilter{Before: base}))
	// Paging: each page's last time is the next page's bound.
	var all []string
	f := store.RequestFilter{Limit: 2}
	for {
		page := list(t, s, f)
		if len(page) == 0 {
			break
		}
		all = append(all, ids(page)...)
		f.Before = page[len(page)-1].StartedAt
	}
	if want := []string{"r04", "r03", "r02", "r01", "r00"}; !reflect.DeepEqual(all, want) {
		t.Errorf("paging returned %v, want %v", all, want)
	}
}

func testListModel(t *testing.T, s store.Store) {
	seed(t, s, 6)
	assertIDs(t, list(t, s, store.RequestFilter{Model: "model-odd"}), "r05", "r03", "r01")
	assertIDs(t, list(t, s, store.RequestFilter{Model: "model-even", Limit: 2}), "r04", "r02")
	assertIDs(t, list(t, s, store.RequestFilter{Model: "model-even", Before: base.Add(4 * time.Second)}),
		"r02", "r00")
	assertIDs(t, list(t, s, store.RequestFilter{Model: "no-such-model"}))
}

func testListEmpty(t *testing.T, s store.Store) {
	if got := list(t, s, store.RequestFilter{}); len(got) != 0 {
		t.Errorf("empty store listed %d requests", len(got))
	}
	if n := count(t, s); n != 0 {
		t.Errorf("empty store counts %d requests", n)
	}
}

func testCount(t *testing.T, s store.Store) {
	seed(t, s, 7)
	mustStart(t, s, started("in-flight", base.Add(time.Hour)))
	mustFinish(t, s, finished("r03", base.Add(3*time.Second))) // again: still one row
	if n := count(t, s); n != 8 {
		t.Errorf("CountRequests = %d, want 8", n)
	}
}

func testTimes(t *testing.T, s store.Store) {
	zone := time.FixedZone("UTC+05:30", 5*3600+1800)
	cases := []time.Time{
		time.Date(2025, 6, 1, 14, 0, 0, 123_456_789, zone), // sub-millisecond part dropped
		time.Date(1999, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
		time.Date(2038, 1, 19, 3, 14, 8, 1_000_000, time.Local), // past 32-bit seconds
		time.UnixMilli(0),
	}
	for i, at := range cases {
		id := fmt.Sprintf("t%d", i)
		mustStart(t, s, started(id, at))
		got, err := s.ListRequests(ctx(t), store.RequestFilter{Before: at.Add(time.Millisecond), Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		want := time.UnixMilli(at.UnixMilli()).UTC()
		if len(got) != 1 || got[0].ID != id {
			t.Fatalf("listing %s: got %v", id, ids(got))
		}
		if !got[0].StartedAt.Equal(want) || got[0].StartedAt.Location() != time.UTC {
			t.Errorf("%v came back as %v (%v), want %v in UTC", at, got[0].StartedAt,
				got[0].StartedAt.Location(), want)
		}
	}
}

func testZeroValues(t *testing.T, s store.Store) {
	r := store.Request{ID: "z", StartedAt: time.UnixMilli(0).UTC()}
	mustStart(t, s, r)
	assertEqual(t, only(t, s), r)
}

func testConcurrentWriters(t *testing.T, s store.Store) {
	const writers, each = 8, 200
	c := ctx(t)
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				id := fmt.Sprintf("w%d-%03d", w, i)
				at := base.Add(time.Duration(w*each+i) * time.Millisecond)
				if err := s.StartRequest(c, started(id, at)); err != nil {
					errs <- fmt.Errorf("start %s: %w", id, err)
					return
				}
				if err := s.FinishRequest(c, finished(id, at)); err != nil {
					errs <- fmt.Errorf("finish %s: %w", id, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	if n := count(t, s); n != writers*each {
		t.Errorf("CountRequests = %d, want %d", n, writers*each)
	}
	got := list(t, s, store.RequestFilter{Limit: 10000})
	seen := map[string]bool{}
	for _, r := range got {
		if seen[r.ID] {
			t.Errorf("request %s listed twice", r.ID)
		}
		seen[r.ID] = true
		if !r.Finished || r.OutputTokens != 345 {
			t.Errorf("request %s was not finished: %+v", r.ID, r)
		}
	}
	if len(seen) != writers*each {
		t.Errorf("listed %d distinct requests, want %d", len(seen), writers*each)
	}
}

func testLargeText(t *testing.T, s store.Store) {
	r := finished("big", base)
	r.Error = strings.Repeat("é🙂 error text ", 100_000)                       // ~1.7 MB of multi-byte UTF-8
	r.AttemptsJSON = `[` + strings.Repeat(`{"status":529},`, 200_000) + `{}]` // ~3 MB
	r.HeadersJSON = `{"x":"` + strings.Repeat("h", 1<<20) + `"}`
	r.Query = strings.Repeat("q=1&", 10_000)
	mustFinish(t, s, r)
	got := only(t, s)
	if got.Error != r.Error || got.AttemptsJSON != r.AttemptsJSON || got.HeadersJSON != r.HeadersJSON ||
		got.Query != r.Query {
		t.Errorf("large text fields did not round-trip (lengths %d %d %d %d, want %d %d %d %d)",
			len(got.Error), len(got.AttemptsJSON), len(got.HeadersJSON), len(got.Query),
			len(r.Error), len(r.AttemptsJSON), len(r.HeadersJSON), len(r.Query))
	}
}

// testWriteRequestsBatch: a batch mixes starts and finishes of many requests, in order, the
// same as the single calls would leave them; replaying the batch changes nothing.
func testWriteRequestsBatch(t *testing.T, s store.Store) {
	var ops []store.RequestOp
	for i := 0; i < 300; i++ {
		id := fmt.Sprintf("b%03d", i)
		at := base.Add(time.Duration(i) * time.Millisecond)
		ops = append(ops, store.RequestOp{Request: started(id, at)})
		if i%3 != 0 { // a third stay in flight
			ops = append(ops, store.RequestOp{Finish: true, Request: finished(id, at)})
		}
	}
	for range 2 {
		if err := s.WriteRequests(ctx(t), ops); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, s); n != 300 {
		t.Fatalf("%d rows, want 300", n)
	}
	for _, r := range list(t, s, store.RequestFilter{Limit: 1000}) {
		var i int
		fmt.Sscanf(r.ID, "b%03d", &i)
		want := started(r.ID, base.Add(time.Duration(i)*time.Millisecond))
		if i%3 != 0 {
			want = finished(r.ID, want.StartedAt)
		}
		assertEqual(t, r, want)
	}
}
