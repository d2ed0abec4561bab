package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"nexus/content"
	"nexus/store"
	"nexus/store/sqlstore"
)

func runContent(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, tr *traffic)
	}{
		{"RoundTrip", testRoundTrip},
		{"WholeBody", testWholeBody},
		{"Redaction", testRedaction},
		{"Linking", testLinking},
		{"ClientsKeptApart", testClientsKeptApart},
		{"ChildBeforeParent", testChildBeforeParent},
		{"SideCallsJoinTheirSession", testSideCalls},
		{"FinishTwiceCountsOnce", testFinishTwiceCountsOnce},
		{"Usage", testUsage},
		{"AuthFailures", testAuthFailures},
		{"Retention", testRetention},
		{"ContentGone", testContentGone},
		{"IncompleteBodyRefused", testIncompleteBodyRefused},
		{"NewestMessages", testNewestMessages},
		{"TextSearchReadsText", testTextSearchReadsText},
		{"TextSearchResumes", testTextSearchResumes},
		{"RepeatedMessage", testRepeatedMessage},
		{"TextSearch", testTextSearch},
		{"Filters", testFilters},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newTraffic(t, open)) })
	}
}

// conversation is a Claude Code-like session: each turn resends the history.
func conversationTurns(n int) [][]msg {
	var turns [][]msg
	var history []msg
	for i := 1; i <= n; i++ {
		history = append(history, user(strings.Repeat("question ", 20)+itoa(i)))
		turns = append(turns, append([]msg(nil), history...))
		history = append(history, assistant(answerText(i)))
	}
	return turns
}

func answerText(i int) string { return "answer number " + itoa(i) + strings.Repeat(" with detail", 30) }

// itoa gives three digits, so that "question 002" matches only the second turn.
func itoa(i int) string { return fmt.Sprintf("%03d", i) }

func (tr *traffic) assertRebuilds(id string, wantReq, wantResp []byte) {
	tr.t.Helper()
	req, resp, err := content.OpenBodies(tr.codec, tr.get(id))
	if err != nil {
		tr.t.Fatalf("OpenBodies %s: %v", id, err)
	}
	if !bytes.Equal(req, wantReq) {
		tr.t.Errorf("%s: request rebuilt to %d bytes, differs from the %d sent", id, len(req), len(wantReq))
	}
	if !bytes.Equal(resp, wantResp) {
		tr.t.Errorf("%s: response rebuilt differs from the one received", id)
	}
}

func testRoundTrip(t *testing.T, tr *traffic) {
	for i, h := range conversationTurns(12) {
		r := tr.send("k1", h, answerText(i+1))
		if r.Content != "stored" {
			t.Fatalf("content = %q, want stored", r.Content)
		}
		tr.assertRebuilds(r.ID, requestBody(h), sse(answerText(i+1), 100, 10))
	}
}

func testWholeBody(t *testing.T, tr *traffic) {
	body := []byte(`{"model":"claude-sonnet-4-5","messages":"not an array"}`)
	r := store.Request{ID: "r_whole", StartedAt: base, Method: "POST", Path: "/v1/messages/count_tokens", Status: 200}
	tr.bodies.Prepare(&r, body, []byte(`{"input_tokens":12}`))
	if err := tr.s.FinishRequest(ctx(t), r); err != nil {
		t.Fatal(err)
	}
	tr.assertRebuilds("r_whole", body, []byte(`{"input_tokens":12}`))
}

func testRedaction(t *testing.T, tr *traffic) {
	secret := "sk-ant-api03-" + strings.Repeat("Xy9", 30) + "AA"
	h := []msg{user("my key is " + secret + " please keep it")}
	r := tr.send("k1", h, "ok")
	if r.Redactions < 1 {
		t.Errorf("redactions = %d, want at least 1", r.Redactions)
	}
	req, _, err := content.OpenBodies(tr.codec, tr.get(r.ID))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(req, []byte(secret)) || !bytes.Contains(req, []byte("[REDACTED")) {
		t.Errorf("stored request not redacted: %s", req[len(req)-200:])
	}
}

func testLinking(t *testing.T, tr *traffic) {
	turns := conversationTurns(3)
	r1 := tr.send("k1", turns[0], answerText(1))
	r2 := tr.send("k1", turns[1], answerText(2))
	r3 := tr.send("k1", turns[2], answerText(3))
	if r1.Conversation == "" || r2.Conversation != r1.Conversation || r3.Conversation != r1.Conversation {
		t.Fatalf("conversations %q %q %q, want one", r1.Conversation, r2.Conversation, r3.Conversation)
	}
	if r1.Branch != "main" || r2.Branch != "main" || r3.Branch != "main" {
		t.Errorf("branches %q %q %q, want main", r1.Branch, r2.Branch, r3.Branch)
	}
	if r2.ParentRequestID != r1.ID || r3.ParentRequestID != r2.ID {
		t.Errorf("parents %q %q, want %s %s", r2.ParentRequestID, r3.ParentRequestID, r1.ID, r2.ID)
	}
	// A rewind: the second turn again with a different question.
	edited := append(append([]msg(nil), turns[1][:2]...), user("a different second question"))
	r4 := tr.send("k1", edited, "another answer")
	if r4.Conversation != r1.Conversation || r4.Branch == "main" || r4.ParentRequestID != r1.ID {
		t.Errorf("edit: conversation %q branch %q parent %q; want %s, a new branch, parent %s",
			r4.Conversation, r4.Branch, r4.ParentRequestID, r1.Conversation, r1.ID)
	}
	convs, err := tr.s.ListConversations(ctx(t), store.ConversationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(convs) != 1 {
		t.Fatalf("%d conversations, want 1", len(convs))
	}
	c := convs[0]
	if c.RequestCount != 4 || len(c.Branches) != 2 || c.Branches[0].Name != "main" || c.Branches[0].RequestCount != 3 {
		t.Errorf("conversation %+v, want 4 requests on main(3) and one more branch", c)
	}
	if c.InputTokens != 400 || c.OutputTokens != 40 || c.CostUSD < 0.0399 || c.CostUSD > 0.0401 {
		t.Errorf("totals %d in, %d out, $%f; want 400, 40, $0.04", c.InputTokens, c.OutputTokens, c.CostUSD)
	}
	if !strings.HasPrefix(c.Title, "question") || !c.StartedAt.Equal(r1.StartedAt) || !c.LastAt.Equal(r4.StartedAt) {
		t.Errorf("title %q started %v last %v", c.Title, c.StartedAt, c.LastAt)
	}
	got, err := tr.s.GetConversation(ctx(t), c.ID)
	if err != nil || got.RequestCount != 4 {
		t.Errorf("GetConversation = %+v, %v", got, err)
	}
	if _, err := tr.s.GetConversation(ctx(t), "c_missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetConversation(missing) = %v, want ErrNotFound", err)
	}
	list, err := tr.s.ListRequests(ctx(t), store.RequestFilter{Conversation: c.ID})
	if err != nil || len(list) != 4 {
		t.Errorf("requests of the conversation: %d, %v; want 4", len(list), err)
	}
}

func testClientsKeptApart(t *testing.T, tr *traffic) {
	turns := conversationTurns(2)
	a1 := tr.send("alice", turns[0], answerText(1))
	b1 := tr.send("bob", turns[0], answerText(1))
	a2 := tr.send("alice", turns[1], answerText(2))
	b2 := tr.send("bob", turns[1], answerText(2))
	if a1.Conversation == b1.Conversation || a2.Conversation != a1.Conversation || b2.Conversation != b1.Conversation {
		t.Errorf("alice %q %q, bob %q %q: want two conversations, one each", a1.Conversation, a2.Conversation,
			b1.Conversation, b2.Conversation)
	}
}

func testFinishTwiceCountsOnce(t *testing.T, tr *traffic) {
	h := conversationTurns(1)[0]
	r := store.Request{ID: "r_twice", StartedAt: base, Method: "POST", Path: "/v1/messages", Status: 200,
		ClientKeyID: "k1", Model: "claude-sonnet-4-5", InputTokens: 100, OutputTokens: 10, CostUSD: 0.5}
	tr.bodies.Prepare(&r, requestBody(h), sse("hi", 100, 10))
	for range 2 {
		if err := tr.s.WriteRequests(ctx(t), []store.RequestOp{{Request: r}, {Finish: true, Request: r}}); err != nil {
			t.Fatal(err)
		}
	}
	convs, err := tr.s.ListConversations(ctx(t), store.ConversationFilter{})
	if err != nil || len(convs) != 1 || convs[0].RequestCount != 1 || convs[0].InputTokens != 100 {
		t.Fatalf("conversations %+v, %v; want one with one request", convs, err)
	}
	u, err := tr.s.Usage(ctx(t), store.UsageQuery{From: base.Add(-time.Hour), To: base.Add(time.Hour), Bucket: "hour"})
	if err != nil || len(u) != 1 || u[0].Requests != 1 || u[0].CostUSD != 0.5 {
		t.Errorf("usage %+v, %v; want one request", u, err)
	}
}

func testUsage(t *testing.T, tr *traffic) {
	day := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	var ops []store.RequestOp
	for i := range 48 { // two days, one request an hour, two models
		model := "claude-sonnet-4-5"
		if i%2 == 1 {
			model = "claude-opus-4-1"
		}
		ops = append(ops, store.RequestOp{Finish: true, Request: store.Request{ID: "u" + itoa(i), Status: 200,
			StartedAt: day.Add(time.Duration(i)*time.Hour + 5*time.Minute), Model: model, Account: "team",
			InputTokens: 10, OutputTokens: 2, CacheReadInputTokens: 3, CacheCreationInputTokens: 4, CostUSD: 0.25}})
	}
	if err := tr.s.WriteRequests(ctx(t), ops); err != nil {
		t.Fatal(err)
	}
	rows, err := tr.s.Usage(ctx(t), store.UsageQuery{From: day, To: day.Add(48 * time.Hour), Bucket: "day"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 {
		t.Fatalf("%d rows, want 4 (2 days × 2 models): %+v", len(rows), rows)
	}
	for _, r := range rows {
		if r.Requests != 12 || r.InputTokens != 120 || r.OutputTokens != 24 || r.CacheReadInputTokens != 36 ||
			r.CacheCreationInputTokens != 48 || r.CostUSD != 3 || r.Account != "team" {
			t.Errorf("row %+v, want 12 requests of 10/2/3/4 tokens and $3", r)
		}
		if r.Start != day && r.Start != day.Add(24*time.Hour) {
			t.Errorf("bucket start %v, want a UTC midnight", r.Start)
		}
	}
	hours, err := tr.s.Usage(ctx(t), store.UsageQuery{From: day, To: day.Add(3 * time.Hour), Bucket: "hour"})
	if err != nil || len(hours) != 3 {
		t.Errorf("hourly rows %d, %v; want 3", len(hours), err)
	}
	if _, err := tr.s.Usage(ctx(t), store.UsageQuery{Bucket: "week"}); err == nil {
		t.Error("a week bucket was accepted")
	}
}

func testAuthFailures(t *testing.T, tr *traffic) {
	var ops []store.RequestOp
	for i := range 12 {
		ops = append(ops, store.RequestOp{Finish: true, Request: store.Request{ID: "f" + itoa(i), Status: 401,
			StartedAt: base.Add(time.Duration(i) * time.Minute), UserAgent: "curl/8.5", Rejected: "auth"}})
	}
	ops = append(ops, store.RequestOp{Finish: true, Request: store.Request{ID: "f_old", Status: 401,
		StartedAt: base.Add(-2 * time.Hour), UserAgent: "old-client"}})
	ops = append(ops, store.RequestOp{Finish: true, Request: store.Request{ID: "f_ok", Status: 200,
		StartedAt: base, UserAgent: "curl/8.5"}})
	if err := tr.s.WriteRequests(ctx(t), ops); err != nil {
		t.Fatal(err)
	}
	got, err := tr.s.AuthFailures(ctx(t), base.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Client != "curl/8.5" || got[0].Count != 12 || !got[0].Last.Equal(base.Add(11*time.Minute)) {
		t.Errorf("AuthFailures = %+v, want curl/8.5 with 12", got)
	}
}

func testRetention(t *testing.T, tr *traffic) {
	turns := conversationTurns(6)
	var ids []string
	for i, h := range turns {
		ids = append(ids, tr.send("k1", h, answerText(i+1)).ID)
	}
	before, _ := tr.s.CountRequests(ctx(t))
	// Keep the last three: they started within 2.5 s of the newest.
	run, err := tr.s.Retain(ctx(t), store.RetentionPolicy{MaxAge: 2500 * time.Millisecond, Now: tr.at})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := tr.s.CountRequests(ctx(t))
	if before != 6 || after != 3 || run.Requests != 3 || run.Reason != "age" {
		t.Errorf("retention removed %d (%q): %d → %d; want 3 by age", run.Requests, run.Reason, before, after)
	}
	for i, id := range ids[3:] {
		tr.assertRebuilds(id, requestBody(turns[i+3]), sse(answerText(i+4), 100, 10))
	}
	if _, err := tr.s.GetRequest(ctx(t), ids[0]); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("removed request: %v, want ErrNotFound", err)
	}
	// The conversation's totals are those of the requests it still holds.
	convs, err := tr.s.ListConversations(ctx(t), store.ConversationFilter{})
	if err != nil || len(convs) != 1 {
		t.Fatalf("conversations %+v, %v", convs, err)
	}
	kept := tr.get(ids[3]).Request
	if c := convs[0]; c.RequestCount != 3 || c.InputTokens != 300 || c.OutputTokens != 30 || !c.StartedAt.Equal(kept.StartedAt) ||
		c.CostUSD < 0.0299 || c.CostUSD > 0.0301 {
		t.Errorf("conversation after retention: %d requests, %d in / %d out, $%.4f, started %v; want 3, 300 / 30, $0.03, %v",
			c.RequestCount, c.InputTokens, c.OutputTokens, c.CostUSD, c.StartedAt, kept.StartedAt)
	}
	runs, err := tr.s.RetentionRuns(ctx(t), 10)
	if err != nil || len(runs) != 1 || runs[0].Requests != 3 {
		t.Errorf("RetentionRuns = %+v, %v; want the one run", runs, err)
	}
	// Everything goes by size: nothing is left, not even content.
	run, err = tr.s.Retain(ctx(t), store.RetentionPolicy{MaxBytes: 1, Now: tr.at})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := tr.s.CountRequests(ctx(t)); n != 0 || run.Reason != "size" || run.Blobs == 0 || run.Conversations != 1 {
		t.Errorf("after size retention: %d requests; run %+v", n, run)
	}
}

// testRepeatedMessage sends a request holding one message twice: one blob, written once.
func testRepeatedMessage(t *testing.T, tr *traffic) {
	h := []msg{user("again"), assistant("what?"), user("again"), assistant("what?"), user("now")}
	r := tr.send("k1", h, answerText(1))
	if r.Content != "stored" {
		t.Fatalf("content = %q, want stored", r.Content)
	}
	tr.assertRebuilds(r.ID, requestBody(h), sse(answerText(1), 100, 10))
}

// testContentGone sends a turn whose earlier pieces the recorder takes for stored after
// retention removed them: the request keeps its metadata and its link, not its bodies.
func testContentGone(t *testing.T, tr *traffic) {
	turns := conversationTurns(3)
	tr.send("k1", turns[0], answerText(1))
	if _, err := tr.s.Retain(ctx(t), store.RetentionPolicy{MaxBytes: 1, Now: tr.at}); err != nil {
		t.Fatal(err)
	}
	r := tr.send("k1", turns[1], answerText(2)) // tr.bodies was not told to Forget
	if r.Content != sqlstore.ContentGone || !r.Finished || r.Conversation == "" {
		t.Errorf("content %q, finished %v, conversation %q; want %q, finished, linked",
			r.Content, r.Finished, r.Conversation, sqlstore.ContentGone)
	}
	if _, _, err := content.OpenBodies(tr.codec, tr.get(r.ID)); !errors.Is(err, content.ErrNoContent) {
		t.Errorf("OpenBodies: %v, want ErrNoContent", err)
	}
}

// testIncompleteBodyRefused writes finishes whose body names a piece without its data or a
// message without its hash: each write fails and stores nothing (SQLite's INSERT OR IGNORE
// would otherwise skip the row and leave the request pointing at nothing).
func testIncompleteBodyRefused(t *testing.T, tr *traffic) {
	breaks := map[string]func(b *store.Body){
		"blob without data":    func(b *store.Body) { b.Blobs[0].Data = nil },
		"blob without hash":    func(b *store.Body) { b.Blobs[0].Hash = nil },
		"message without hash": func(b *store.Body) { b.Messages[0] = nil },
	}
	for name, spoil := range breaks {
		h := conversationTurns(2)[1]
		r := store.Request{ID: "r_bad_" + strings.ReplaceAll(name, " ", "_"), StartedAt: tr.at, Method: "POST",
			Path: "/v1/messages", Model: "claude-sonnet-4-5", Kind: "turn", Status: 200, ClientKeyID: "k9"}
		tr.bodies.Prepare(&r, requestBody(h), sse(answerText(9), 100, 10))
		if r.Body == nil || len(r.Body.Blobs) == 0 || len(r.Body.Messages) == 0 {
			t.Fatalf("%s: prepared body has no blobs or messages", name)
		}
		spoil(r.Body)
		if err := tr.s.FinishRequest(ctx(t), r); err == nil {
			t.Errorf("%s: FinishRequest succeeded, want an error", name)
		}
		if _, err := tr.s.GetRequest(ctx(t), r.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: GetRequest after the failed write: %v, want ErrNotFound", name, err)
		}
	}
}

// testNewestMessages reads the newest message of each request, as a conversation's
// timeline previews it: one per request with a stored body, none for the rest, in batches
// past the size of one query.
func testNewestMessages(t *testing.T, tr *traffic) {
	var ids []string
	for i, h := range conversationTurns(3) {
		ids = append(ids, tr.send("k1", h, answerText(i+1)).ID)
	}
	bare := store.Request{ID: "r_no_body", StartedAt: tr.at, Method: "POST", Path: "/v1/messages", Status: 200,
		ClientKeyID: "k1"}
	if err := tr.s.FinishRequest(ctx(t), bare); err != nil {
		t.Fatal(err)
	}
	ask := append([]string{bare.ID}, ids...)
	for i := range 600 {
		ask = append(ask, fmt.Sprintf("r_missing_%d", i))
	}
	got, err := tr.s.NewestMessages(ctx(t), ask)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ids) {
		t.Fatalf("%d messages for %d requests with bodies", len(got), len(ids))
	}
	for i, id := range ids {
		plain, err := tr.codec.Open(got[id].Hash, got[id].Data)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if want := "question " + itoa(i+1); !strings.Contains(string(plain), want) || strings.Contains(string(plain), "answer number") {
			t.Errorf("%s: newest message %.80s…, want the user message with %q", id, plain, want)
		}
	}
}

func testTextSearch(t *testing.T, tr *traffic) {
	turns := conversationTurns(3)
	var ids []string
	for i, h := range turns {
		ids = append(ids, tr.send("k1", h, answerText(i+1)).ID)
	}
	got, err := tr.s.ListRequests(ctx(t), store.RequestFilter{Text: "QUESTION question 002"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != ids[1] {
		t.Errorf("search found %d requests, want %s", len(got), ids[1])
	}
	got, _ = tr.s.ListRequests(ctx(t), store.RequestFilter{Text: "answer number 003"})
	if len(got) != 1 || got[0].ID != ids[2] {
		t.Errorf("search in answers found %d, want %s", len(got), ids[2])
	}
	if got, _ := tr.s.ListRequests(ctx(t), store.RequestFilter{Text: "nowhere to be found"}); len(got) != 0 {
		t.Errorf("search for missing text found %d", len(got))
	}
}

// testTextSearchReadsText: a search looks in the text of messages and answers as the user
// wrote and read it (quotes, ampersands, angle brackets and all), not in the JSON around it.
func testTextSearchReadsText(t *testing.T, tr *traffic) {
	plain := tr.send("k1", []msg{user("hello there")}, "hi")
	special := tr.send("k1", []msg{user(`please run "make test" && echo <done>`)}, "Done: the 'tests' pass & build.")
	for _, tc := range []struct {
		text string
		want []string
	}{
		{`"make test" && echo <done>`, []string{special.ID}},
		{`the 'tests' pass & build`, []string{special.ID}},
		{"HELLO", []string{plain.ID}},
		{"role", nil},
		{"ephemeral", nil},
		{`"type"`, nil},
		{"{", nil},
	} {
		got, err := tr.s.ListRequests(ctx(t), store.RequestFilter{Text: tc.text})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range got {
			ids = append(ids, r.ID)
		}
		if strings.Join(ids, " ") != strings.Join(tc.want, " ") {
			t.Errorf("search %q found %v, want %v", tc.text, ids, tc.want)
		}
	}
}

// testTextSearchResumes: a search that stops at its scan limit before filling the page says
// where it stopped, and goes on from there to the match further back.
func testTextSearchResumes(t *testing.T, tr *traffic) {
	target := tr.send("k1", []msg{user("the needle is here")}, "ok")
	for i := range 4 {
		tr.send("k1", []msg{user(fmt.Sprintf("hay %d", i))}, "ok")
	}
	f := store.RequestFilter{Text: "needle", ScanLimit: 2, Limit: 10}
	var rounds int
	for {
		rounds++
		res, err := tr.s.SearchRequests(ctx(t), f)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Requests) > 0 {
			if res.Requests[0].ID != target.ID || rounds != 3 {
				t.Errorf("round %d found %s, want %s in round 3", rounds, res.Requests[0].ID, target.ID)
			}
			return
		}
		if res.ResumeID == "" || rounds > 3 {
			t.Fatalf("round %d: no match and no place to resume (%+v)", rounds, res)
		}
		f.Before, f.BeforeID = res.ResumeAt, res.ResumeID
	}
}

func testFilters(t *testing.T, tr *traffic) {
	ops := []store.RequestOp{
		{Finish: true, Request: store.Request{ID: "a", StartedAt: base, Status: 200, Model: "m1", Account: "x", Kind: "turn"}},
		{Finish: true, Request: store.Request{ID: "b", StartedAt: base.Add(time.Second), Status: 529, Model: "m2", Account: "y", Kind: "auxiliary"}},
		{Finish: true, Request: store.Request{ID: "c", StartedAt: base.Add(2 * time.Second), Status: 200, Model: "m1", Account: "y", Kind: "turn"}},
		// Still running (status 0, not finished), and finished with no answer at all (status 0).
		{Request: store.Request{ID: "d", StartedAt: base.Add(3 * time.Second), Model: "m3"}},
		{Finish: true, Request: store.Request{ID: "e", StartedAt: base.Add(4 * time.Second), Model: "m3"}},
	}
	if err := tr.s.WriteRequests(ctx(t), ops); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		f    store.RequestFilter
		want string
	}{
		{store.RequestFilter{Account: "y"}, "c b"},
		{store.RequestFilter{Status: -1}, "e b"},
		{store.RequestFilter{Status: 200}, "c a"},
		{store.RequestFilter{Kind: "auxiliary"}, "b"},
		{store.RequestFilter{Since: base.Add(time.Second)}, "e d c b"},
		{store.RequestFilter{Before: base.Add(2 * time.Second), BeforeID: "c"}, "b a"},
		{store.RequestFilter{Model: "m1", Account: "x"}, "a"},
	} {
		got, err := tr.s.ListRequests(ctx(t), tc.f)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range got {
			ids = append(ids, r.ID)
		}
		if strings.Join(ids, " ") != tc.want {
			t.Errorf("%+v: got %v, want %s", tc.f, ids, tc.want)
		}
	}
}

// A child whose record is written before its parent's (a spool replay, a slow parent) is
// adopted into the parent's conversation when the parent arrives.
func testChildBeforeParent(t *testing.T, tr *traffic) {
	turns := conversationTurns(3)
	r1 := tr.send("k1", turns[0], answerText(1))
	parent := tr.prepareTurn("r_parent", tr.at.Add(time.Second), "", turns[1], answerText(2))
	child := tr.prepareTurn("r_child", tr.at.Add(2*time.Second), "", turns[2], answerText(3))
	if err := tr.s.WriteRequests(ctx(t), []store.RequestOp{{Finish: true, Request: child}, {Finish: true, Request: parent}}); err != nil {
		t.Fatal(err)
	}
	p, c := tr.get("r_parent"), tr.get("r_child")
	if p.Conversation != r1.Conversation || c.Conversation != r1.Conversation || c.ParentRequestID != "r_parent" ||
		c.Branch != "main" || p.Branch != "main" {
		t.Errorf("parent in %q on %q, child in %q (parent %q, branch %q); want both in %s on main, the child under r_parent",
			p.Conversation, p.Branch, c.Conversation, c.ParentRequestID, c.Branch, r1.Conversation)
	}
	convs, err := tr.s.ListConversations(ctx(t), store.ConversationFilter{})
	if err != nil || len(convs) != 1 || convs[0].RequestCount != 3 || convs[0].InputTokens != 114 {
		t.Errorf("conversations %+v, %v; want one of 3 requests and 114 input tokens", convs, err)
	}
}

// A session's side call (a title request) that finishes before the session's first turn
// joins the conversation that turn starts; one after it joins at once.
func testSideCalls(t *testing.T, tr *traffic) {
	title := func(id string, at time.Time) store.Request {
		body := []byte(`{"model":"claude-haiku-4-5","max_tokens":512,"system":[{"type":"text","text":"You are naming a coding session. Reply with a title."}],"messages":[{"role":"user","content":"fix the flaky test"}]}`)
		r := store.Request{ID: id, StartedAt: at, Method: "POST", Path: "/v1/messages", Status: 200,
			ClientKeyID: "k1", SessionID: "s-k1", Model: "claude-haiku-4-5", InputTokens: 5, CostUSD: 0.001}
		tr.bodies.Prepare(&r, body, []byte(`{"type":"message","role":"assistant","content":[{"type":"text","text":"Fix flaky test"}],"usage":{"input_tokens":5,"output_tokens":3}}`))
		if err := tr.s.FinishRequest(ctx(t), r); err != nil {
			t.Fatal(err)
		}
		return tr.get(id).Request
	}
	before := title("r_title1", tr.at)
	if before.Kind != "auxiliary" || before.Conversation != "" {
		t.Fatalf("title before any turn: kind %q conversation %q; want a stand-alone side call", before.Kind, before.Conversation)
	}
	turn := tr.send("k1", conversationTurns(1)[0], answerText(1))
	after := title("r_title2", tr.at.Add(time.Second))
	if got := tr.get("r_title1"); got.Conversation != turn.Conversation || after.Conversation != turn.Conversation {
		t.Errorf("side calls in %q and %q, want both in %s", got.Conversation, after.Conversation, turn.Conversation)
	}
	c, err := tr.s.GetConversation(ctx(t), turn.Conversation)
	if err != nil || c.RequestCount != 3 || c.InputTokens != 110 {
		t.Errorf("conversation %+v, %v; want 3 requests and 110 input tokens", c, err)
	}
}
