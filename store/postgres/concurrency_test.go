package postgres

import (
	"testing"
	"time"

	"nexus/content"
	"nexus/store"
	"nexus/store/storetest"
)

const concurrencyAnswer = `{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5",` +
	`"content":[{"type":"text","text":"ok"}],"usage":{"input_tokens":5,"output_tokens":1}}`

// finishedRequest is a finished request of client with its bodies prepared by b.
func finishedRequest(b *content.Bodies, id, client, model string, at time.Time, body string) store.Request {
	r := store.Request{ID: id, StartedAt: at, Method: "POST", Path: "/v1/messages", Status: 200,
		ClientKeyID: client, Account: "team", Model: model}
	b.Prepare(&r, []byte(body), []byte(concurrencyAnswer))
	return r
}

// Two proxies' batches that lock the same rows in opposite orders deadlock in PostgreSQL,
// which rolls one back; that one is run again and both batches land.
func TestDeadlockedBatchesAreRetried(t *testing.T) {
	u, _ := freshSchema(t)
	b, codec := storetest.NewBodies(t)
	storeA, storeB := openURLWith(t, u, codec), openURLWith(t, u, codec)
	ctx := testCtx(t)
	now := time.Now().UTC()
	req := func(id, client, model string) store.Request {
		return finishedRequest(b, id, client, model, now,
			`{"model":"`+model+`","max_tokens":64,"messages":[{"role":"user","content":"hi `+id+`"}]}`)
	}
	// Held locks on clients b and d line both batches up: A has written opus's usage row and
	// waits for b, B has written haiku's and waits for d. Once both go on, each needs the
	// usage row the other holds.
	conn := admin(t)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(28280, hashtext('key:b')), pg_advisory_xact_lock(28280, hashtext('key:d'))`); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	go func() {
		errs <- storeA.WriteRequests(ctx, []store.RequestOp{{Finish: true, Request: req("r_a1", "a", "opus")}, {Finish: true, Request: req("r_a2", "b", "haiku")}})
	}()
	go func() {
		errs <- storeB.WriteRequests(ctx, []store.RequestOp{{Finish: true, Request: req("r_b1", "c", "haiku")}, {Finish: true, Request: req("r_b2", "d", "opus")}})
	}()
	time.Sleep(500 * time.Millisecond)
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("a batch failed: %v", err)
		}
	}
	for _, id := range []string{"r_a1", "r_a2", "r_b1", "r_b2"} {
		if d, err := storeA.GetRequest(ctx, id); err != nil || d.Content != "stored" {
			t.Errorf("%s: content %q, %v", id, d.Content, err)
		}
	}
}

// Retention's collection does not delete a blob that a finish in progress points at: the
// finish (it shares the system prompt of an expired request, so it leaves that blob out) waits
// on its client's lock while retention runs, and still rebuilds once it commits.
func TestRetentionSparesContentOfWritesInProgress(t *testing.T) {
	u, _ := freshSchema(t)
	b, codec := storetest.NewBodies(t)
	s := openURLWith(t, u, codec)
	ctx := testCtx(t)
	now := time.Now().UTC()
	const system = `"system":"You are a very particular assistant with a long system prompt",`
	old := finishedRequest(b, "r_old", "main", "claude-sonnet-4-5", now.Add(-48*time.Hour),
		`{"model":"claude-sonnet-4-5","max_tokens":64,`+system+`"messages":[{"role":"user","content":"first session"}]}`)
	if err := s.FinishRequest(ctx, old); err != nil {
		t.Fatal(err)
	}
	b.Stored(old.Body) // as the recorder does after a write
	next := finishedRequest(b, "r_new", "main", "claude-sonnet-4-5", now,
		`{"model":"claude-sonnet-4-5","max_tokens":64,`+system+`"messages":[{"role":"user","content":"second session"}]}`)
	for _, blob := range next.Body.Blobs {
		if string(blob.Hash) == string(next.Body.System) {
			t.Fatal("the new request carries the system prompt it shares; the race needs it left out")
		}
	}

	conn := admin(t)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(28280, hashtext('key:main'))`); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.FinishRequest(ctx, next) }()
	time.Sleep(300 * time.Millisecond) // the finish has checked its blobs and waits to link
	retained := make(chan error, 1)
	go func() {
		_, err := s.Retain(ctx, store.RetentionPolicy{MaxAge: 24 * time.Hour})
		retained <- err
	}()
	time.Sleep(300 * time.Millisecond)
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := <-retained; err != nil {
		t.Fatal(err)
	}
	d, err := s.GetRequest(ctx, "r_new")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := content.OpenBodies(codec, d); err != nil || d.Content != "stored" {
		t.Errorf("r_new: content %q, rebuilding: %v", d.Content, err)
	}
	if _, err := s.GetRequest(ctx, "r_old"); err == nil {
		t.Error("retention kept the expired request")
	}
}
