package recording

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"nexus/content"
	"nexus/conversation"
	"nexus/proxy"
	"nexus/store"
	"nexus/store/sqlite"
	"nexus/store/sqlstore"
	"nexus/store/storetest"
)

// TestSpooledBodiesKeepContent: requests recorded while the store is down wait in the spool
// sealed (their text is nowhere in it), and once written they rebuild exactly and are linked.
func TestSpooledBodiesKeepContent(t *testing.T) {
	bodies, codec := storetest.NewBodies(t)
	dir := filepath.Join(t.TempDir(), "spool")
	down := newMemStore()
	down.setDown(true)
	q1, stop := startQueue(t, down, dir, nil)
	q1.SetBodies(bodies)

	const secretText = "the launch codes are in the blue folder"
	turn1 := []byte(`{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"` + secretText + `"}]}`)
	answer1 := []byte(`{"id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"noted"}],"model":"claude-sonnet-4-5","usage":{"input_tokens":5,"output_tokens":1}}`)
	turn2 := []byte(`{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"` + secretText + `"},{"role":"assistant","content":[{"type":"text","text":"noted"}]},{"role":"user","content":"and?"}]}`)
	at := time.Now().Add(-time.Minute)
	for i, b := range [][2][]byte{{turn1, answer1}, {turn2, answer1}} {
		rec := proxy.Record{ID: "r_" + string(rune('a'+i)), StartedAt: at.Add(time.Duration(i) * time.Second), Method: "POST",
			Path: "/v1/messages", Status: 200, ClientKeyID: "main", RequestBody: b[0], ResponseBody: b[1]}
		q1.Start(rec)
		q1.Finish(rec)
	}
	stop()
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(path); bytes.Contains(b, []byte("launch codes")) {
				t.Errorf("%s holds a body in the clear", path)
			}
		}
		return nil
	})

	st, err := sqlite.Open(context.Background(), t.TempDir(), codec)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	q2, stop2 := startQueue(t, st, dir, nil)
	defer stop2()
	deadline := time.Now().Add(10 * time.Second)
	for q2.Pending() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	for i, want := range [][]byte{turn1, turn2} {
		d, err := st.GetRequest(context.Background(), "r_"+string(rune('a'+i)))
		if err != nil {
			t.Fatal(err)
		}
		req, resp, err := content.OpenBodies(codec, d)
		if err != nil || !bytes.Equal(req, want) || !bytes.Equal(resp, answer1) {
			t.Errorf("request %d rebuilt to %q / %q (%v)", i, req, resp, err)
		}
		if d.Conversation == "" {
			t.Errorf("request %d not linked", i)
		}
	}
	a, _ := st.GetRequest(context.Background(), "r_a")
	b, _ := st.GetRequest(context.Background(), "r_b")
	if a.Conversation != b.Conversation || b.ParentRequestID != "r_a" {
		t.Errorf("turns in %q and %q (parent %q), want one conversation", a.Conversation, b.Conversation, b.ParentRequestID)
	}
}

// TestReplayKeepsMetadataOfRefusedContent: a spooled request whose content the store refuses
// for good is written without it when the spool is replayed, as it would be when written live;
// the record is not lost.
func TestReplayKeepsMetadataOfRefusedContent(t *testing.T) {
	bodies, _ := storetest.NewBodies(t)
	st := newMemStore()
	st.setDown(true)
	dir := t.TempDir()
	q, _ := startQueue(t, st, dir, nil)
	q.SetBodies(bodies)
	rec := proxy.Record{ID: "r_refused", StartedAt: time.Now(), Method: "POST", Path: "/v1/messages", Status: 200,
		ClientKeyID: "main", Model: "claude-sonnet-4-5",
		RequestBody:  []byte(`{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}`),
		ResponseBody: []byte(`{"id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"ok"}],"model":"claude-sonnet-4-5","usage":{"input_tokens":5,"output_tokens":1}}`)}
	q.Start(rec)
	q.Finish(rec)
	waitSpooled(t, dir, `"op":"finish"`)
	st.mu.Lock()
	st.refuseContent = true
	st.mu.Unlock()
	st.setDown(false)
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, ok := st.snapshot()["r_refused"]
		if ok && r.Finished {
			if r.Status != 200 || r.Content != "metadata only: the store refused the content" || r.Body != nil {
				t.Errorf("written as %+v", r)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the finish never reached the store (row: %+v)", r)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitSpooled waits until a file in the spool directory dir holds want.
func waitSpooled(t *testing.T, dir, want string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		found := false
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				b, _ := os.ReadFile(path)
				found = found || bytes.Contains(b, []byte(want))
			}
			return nil
		})
		if found {
			return
		}
	}
	t.Fatalf("the spool never held %s", want)
}

// TestContentGoneMakesBodiesForget: retention this recorder did not run (another process's,
// sharing the database) removes pieces its bodies remember as stored. The next request that
// leaves them out cannot be stored with its content; the recorder then forgets, so the
// requests after it carry their pieces again and are stored whole.
func TestContentGoneMakesBodiesForget(t *testing.T) {
	bodies, codec := storetest.NewBodies(t)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir(), codec)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	q, err := NewQueue(st, t.TempDir(), conversation.DefaultPrices(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	q.SetBodies(bodies)
	runCtx, cancel := context.WithCancel(ctx)
	go q.Run(runCtx)
	defer func() { cancel(); q.Wait() }()

	const system = `"system":"You are a careful assistant; this prompt is shared by every session.",`
	answer := []byte(`{"id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"ok"}],"model":"claude-sonnet-4-5","usage":{"input_tokens":5,"output_tokens":1}}`)
	record := func(id string, at time.Time, text string) []byte {
		body := []byte(`{"model":"claude-sonnet-4-5","max_tokens":64,` + system + `"messages":[{"role":"user","content":"` + text + `"}]}`)
		rec := proxy.Record{ID: id, StartedAt: at, Method: "POST", Path: "/v1/messages", Status: 200,
			ClientKeyID: "main", RequestBody: body, ResponseBody: answer}
		q.Start(rec)
		q.Finish(rec)
		waitFinished(t, st, id)
		return body
	}
	record("r_old", time.Now().Add(-48*time.Hour), "an old session")
	if _, err := st.Retain(ctx, store.RetentionPolicy{MaxAge: 24 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	for i, id := range []string{"r_0", "r_1", "r_2"} {
		body := record(id, time.Now(), fmt.Sprintf("session %d", i))
		d, err := st.GetRequest(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if d.Content != sqlstore.ContentGone {
				t.Errorf("%s: content %q; the test no longer makes a piece go missing", id, d.Content)
			}
			continue
		}
		if req, _, err := content.OpenBodies(codec, d); err != nil || !bytes.Equal(req, body) {
			t.Errorf("%s: content %q, rebuilt %q (%v)", id, d.Content, req, err)
		}
	}
}

// waitFinished waits until the store holds request id finished.
func waitFinished(t *testing.T, st store.Store, id string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if d, err := st.GetRequest(context.Background(), id); err == nil && d.Finished {
			return
		}
	}
	t.Fatalf("%s was never written finished", id)
}
