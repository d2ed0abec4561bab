package recording

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"nexus/conversation"
	"nexus/proxy"
	"nexus/store/storetest"
)

// bigRequest is a Messages request of about size bytes.
func bigRequest(i, size int) []byte {
	text := strings.Repeat(fmt.Sprintf("turn %d of a long session. ", i), size/28)
	return []byte(`{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"` + text + `"}]}`)
}

// TestBusyMachineRecordsWithoutBodies: while the bodies waiting to be read exceed the
// backlog's bound, further requests are recorded at once without their bodies (metadata
// kept, the reason in Content); every request is written once, and every body buffer is given
// back to the proxy exactly once.
func TestBusyMachineRecordsWithoutBodies(t *testing.T) {
	st := newMemStore()
	var logged bytes.Buffer
	q, err := NewQueue(st, filepath.Join(t.TempDir(), "spool"), conversation.DefaultPrices(),
		slog.New(slog.NewTextHandler(&logged, nil)))
	if err != nil {
		t.Fatal(err)
	}
	bodies, _ := storetest.NewBodies(t)
	q.SetBodies(bodies)

	// Run has not started, so nothing is read: the backlog fills as on a saturated machine.
	const size = 1 << 20
	n := maxHeldBytes/size + 8
	releases := make([]atomic.Int32, n)
	at := time.Now().Add(-time.Minute)
	for i := range n {
		rec := proxy.Record{ID: fmt.Sprintf("r_%03d", i), StartedAt: at.Add(time.Duration(i) * time.Millisecond),
			Method: "POST", Path: "/v1/messages", Status: 200, Model: "claude-sonnet-4-5",
			RequestBody: bigRequest(i, size), ResponseBody: []byte(`{"type":"message","content":[]}`),
			Release: func() { releases[i].Add(1) }}
		q.Start(rec)
		q.Finish(rec)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go q.Run(ctx)
	defer func() { cancel(); q.Wait() }()

	rows := st.waitRows(t, n)
	stored, shed := 0, 0
	for i := range n {
		r := rows[fmt.Sprintf("r_%03d", i)]
		switch r.Content {
		case "stored":
			stored++
			if r.Body == nil {
				t.Errorf("%s: stored without a body", r.ID)
			}
		case contentShed:
			shed++
			if r.Body != nil || r.Model != "claude-sonnet-4-5" {
				t.Errorf("%s: shed with body %v, model %q", r.ID, r.Body != nil, r.Model)
			}
		default:
			t.Errorf("%s: content %q", r.ID, r.Content)
		}
		if got := releases[i].Load(); got != 1 {
			t.Errorf("%s: body released %d times, want 1", r.ID, got)
		}
	}
	if stored == 0 || shed == 0 || stored+shed != n {
		t.Errorf("%d stored, %d shed of %d: want both", stored, shed, n)
	}
	cancel()
	q.Wait()
	if want := fmt.Sprintf("%d requests recorded without them", shed); !strings.Contains(logged.String(), want) {
		t.Errorf("log %q does not say %q", logged.String(), want)
	}
}

// TestFinishAfterRunReadsBodies: a request that outlives Run still has its bodies read (and
// sealed) before it goes to the spool, and its buffer is given back.
func TestFinishAfterRunReadsBodies(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	st := newMemStore()
	q, stop := startQueue(t, st, dir, nil)
	bodies, _ := storetest.NewBodies(t)
	q.SetBodies(bodies)
	stop()
	var released atomic.Int32
	rec := proxy.Record{ID: "r_late", StartedAt: time.Now(), Method: "POST", Path: "/v1/messages", Status: 200,
		RequestBody: bigRequest(1, 4096), ResponseBody: []byte(`{"type":"message","content":[]}`),
		Release: func() { released.Add(1) }}
	q.Finish(rec)
	if released.Load() != 1 {
		t.Fatalf("released %d times", released.Load())
	}
	q2, _ := startQueue(t, st, dir, nil)
	waitIdle(t, q2)
	if r := st.snapshot()["r_late"]; r.Content != "stored" || r.Body == nil {
		t.Errorf("late request written with content %q, body %v", r.Content, r.Body != nil)
	}
}

// TestSlowStoreBoundsHeldBodies: while the store does not write, sealed bodies pile up in the
// writer's queue only up to the bound; the requests after that are recorded without bodies,
// and all of them are written once the store moves again.
func TestSlowStoreBoundsHeldBodies(t *testing.T) {
	st := newMemStore()
	release := st.block()
	q, _ := startQueue(t, st, filepath.Join(t.TempDir(), "spool"), nil)
	bodies, _ := storetest.NewBodies(t)
	q.SetBodies(bodies)

	const size = 1 << 20
	n := maxHeldBytes/size + 8
	at := time.Now().Add(-time.Minute)
	for i := range n {
		noise := make([]byte, size*3/4) // random text: sealed, it stays as large
		rand.Read(noise)
		body := []byte(`{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"` +
			base64.StdEncoding.EncodeToString(noise) + `"}]}`)
		rec := proxy.Record{ID: fmt.Sprintf("r_%03d", i), StartedAt: at.Add(time.Duration(i) * time.Millisecond),
			Method: "POST", Path: "/v1/messages", Status: 200, RequestBody: body}
		q.Finish(rec)
		// Let the preparer keep up, so that what piles up is in the writer's queue.
		for deadline := time.Now().Add(5 * time.Second); q.prep.waiting() && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
	}
	if held := q.queuedBytes.Load(); held > maxHeldBytes {
		t.Errorf("%d bytes of sealed bodies queued, want ≤ %d", held, maxHeldBytes)
	}
	release()
	rows := st.waitRows(t, n)
	shed := 0
	for _, r := range rows {
		if r.Content == contentShed {
			shed++
		}
	}
	if shed == 0 || shed == n {
		t.Errorf("%d of %d recorded without bodies: want some, not all", shed, n)
	}
}
