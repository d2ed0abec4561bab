package recording

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"nexus/conversation"
	"nexus/internal/fakeapi"
	"nexus/proxy"
	"nexus/store"
)

// startQueue runs a queue on st with its spool in dir until the test ends (or stop is
// called).
func startQueue(t *testing.T, st store.Store, dir string, log *slog.Logger) (q *Queue, stop func()) {
	t.Helper()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	q, err := NewQueue(st, dir, conversation.DefaultPrices(), log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go q.Run(ctx)
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); q.Wait() }) }
	t.Cleanup(stop)
	return q, stop
}

// proxyWith serves a proxy recording into rec, in front of a fake API.
func proxyWith(t *testing.T, rec proxy.Recorder) string {
	t.Helper()
	fake := httptest.NewServer(fakeapi.New().Handler())
	t.Cleanup(fake.Close)
	u, _ := url.Parse(fake.URL)
	p := httptest.NewServer(proxy.NewHandler(proxy.Config{
		Upstream: u, Recorder: rec, Logger: slog.New(slog.DiscardHandler),
	}))
	t.Cleanup(p.Close)
	return p.URL
}

// send makes n requests through the proxy, 8 at a time, each with its own session id, and
// fails the test if any of them does not complete.
func send(t *testing.T, base string, n int) {
	t.Helper()
	client := &http.Client{Timeout: 20 * time.Second}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			body := fmt.Sprintf(`{"model":"claude-sonnet-4-5","max_tokens":64,"stream":%v,"messages":[{"role":"user","content":"hi %d"}]}`, i%2 == 0, i)
			req, _ := http.NewRequest("POST", base+"/v1/messages", strings.NewReader(body))
			req.Header.Set("x-api-key", "sk-ant-own")
			req.Header.Set("X-Claude-Code-Session-Id", fmt.Sprintf("session-%d", i))
			resp, err := client.Do(req)
			if err != nil {
				errs <- err
				return
			}
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err == nil && resp.StatusCode != http.StatusOK {
				err = fmt.Errorf("status %d", resp.StatusCode)
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// checkRows checks that every proxied request is stored once, finished, with its usage.
func checkRows(t *testing.T, st *memStore, n int) {
	t.Helper()
	rows := st.waitRows(t, n)
	sessions := make(map[string]bool)
	for _, r := range rows {
		if r.Status != http.StatusOK || r.Model != "claude-sonnet-4-5" || r.InputTokens == 0 || r.OutputTokens == 0 ||
			r.CostUSD <= 0 || r.Kind != "turn" || !r.Passthrough {
			t.Errorf("row %+v", r)
			break
		}
		sessions[r.SessionID] = true
	}
	if len(sessions) != n {
		t.Errorf("%d distinct sessions in %d rows", len(sessions), n)
	}
}

func TestQueueWritesEveryRecord(t *testing.T) {
	st := newMemStore()
	q, _ := startQueue(t, st, t.TempDir(), nil)
	send(t, proxyWith(t, q), 100)
	checkRows(t, st, 100)
}

// TestStoreBlockedDoesNotBlockProxy: with a store that never answers, requests still
// complete and Start/Finish return at once, past the in-memory queue too; once the store
// answers, every record is written.
func TestStoreBlockedDoesNotBlockProxy(t *testing.T) {
	st := newMemStore()
	release := st.block()
	defer release()
	q, _ := startQueue(t, st, t.TempDir(), nil)
	send(t, proxyWith(t, q), 200)

	// More operations than the in-memory queue holds: the rest must go to the spool, and
	// neither Start nor Finish may wait for the store.
	direct := QueueSize/2 + 200
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range direct {
			rec := proxy.Record{ID: fmt.Sprintf("direct-%06d", i), StartedAt: time.Now(), Method: "GET", Path: "/v1/models"}
			q.Start(rec)
			rec.Status = 200
			q.Finish(rec)
		}
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Start/Finish blocked on a stuck store")
	}
	if n, _ := st.CountRequests(context.Background()); n != 0 {
		t.Fatalf("%d rows while the store is stuck", n)
	}
	release()
	rows := st.waitRows(t, 200+direct)
	for id, r := range rows {
		if strings.HasPrefix(id, "direct-") && r.Status != 200 {
			t.Fatalf("row %s status %d", id, r.Status)
		}
	}
	waitIdle(t, q)
}

// waitIdle waits until nothing is left in memory or in the spool.
func waitIdle(t *testing.T, q *Queue) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for q.Pending() {
		if time.Now().After(deadline) {
			t.Fatal("records still pending")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestStoreDownThenBack(t *testing.T) {
	st := newMemStore()
	st.setDown(true)
	q, _ := startQueue(t, st, t.TempDir(), nil)
	send(t, proxyWith(t, q), 100)
	if n, _ := st.CountRequests(context.Background()); n != 0 {
		t.Fatalf("%d rows while the store is down", n)
	}
	st.setDown(false)
	checkRows(t, st, 100)
	waitIdle(t, q)
}

// TestSpoolSurvivesRestart: records spooled while the store is down, including ones that
// arrive after the queue stopped, are written by the next queue on the same directory.
func TestSpoolSurvivesRestart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	down := newMemStore()
	down.setDown(true)
	q1, stop := startQueue(t, down, dir, nil)
	for i := range 50 {
		rec := proxy.Record{ID: fmt.Sprintf("r-%03d", i), StartedAt: time.Now(), Method: "POST", Path: "/v1/messages",
			Model: "claude-haiku-4-5", SessionID: "s1"}
		q1.Start(rec)
		rec.Status, rec.Usage = 200, conversation.Usage{InputTokens: 10, OutputTokens: 5}
		q1.Finish(rec)
	}
	stop()
	// A request still in flight when the app stops finishes after the queue.
	late := proxy.Record{ID: "late", StartedAt: time.Now(), Method: "POST", Path: "/v1/messages", Status: 200}
	q1.Start(late)
	q1.Finish(late)
	checkModes(t, dir)

	up := newMemStore()
	startQueue(t, up, dir, nil)
	rows := up.waitRows(t, 51)
	if r := rows["r-007"]; r.Model != "claude-haiku-4-5" || r.SessionID != "s1" || r.CostUSD <= 0 {
		t.Errorf("replayed row %+v", r)
	}
}

// checkModes checks that the spool directory is 0700 and its files 0600.
func checkModes(t *testing.T, dir string) {
	t.Helper()
	st, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o700 {
		t.Errorf("spool dir mode %v", st.Mode().Perm())
	}
	files := 0
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		if info, _ := d.Info(); info.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v", d.Name(), info.Mode().Perm())
		}
		return nil
	})
	if files == 0 {
		t.Error("nothing spooled")
	}
}

func TestSpoolDirTightened(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := NewQueue(newMemStore(), dir, conversation.DefaultPrices(), slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o700 {
		t.Errorf("spool dir mode %v", st.Mode().Perm())
	}
}

// TestPermanentErrorDoesNotBlock: a record the store refuses for good (not
// ErrUnavailable) is logged and dropped; it must not hold back every record after it.
func TestPermanentErrorDoesNotBlock(t *testing.T) {
	st := newMemStore()
	st.poison = "r-poison"
	var logs strings.Builder
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(p)
	}), nil))
	q, _ := startQueue(t, st, t.TempDir(), log)
	ids := []string{"r-000", "r-poison", "r-001", "r-002"}
	for _, id := range ids {
		rec := proxy.Record{ID: id, StartedAt: time.Now(), Method: "GET", Path: "/v1/models"}
		q.Start(rec)
		q.Finish(rec)
	}
	st.waitRows(t, 3)
	waitIdle(t, q)
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), "r-poison") {
		t.Errorf("the dropped record is not logged: %s", logs.String())
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestBatchWritesOnlyTheFinish: a request that starts and finishes within one batch is written
// once, by its finish, which leaves the same row as both writes would.
func TestBatchWritesOnlyTheFinish(t *testing.T) {
	st := newMemStore()
	q, _ := startQueue(t, st, t.TempDir(), nil)
	for i := range 50 {
		rec := proxy.Record{ID: fmt.Sprintf("r-%02d", i), StartedAt: time.Now(), Method: "POST", Path: "/v1/messages",
			SessionID: "s"}
		q.Start(rec)
		rec.Status, rec.Model = 200, "claude-haiku-4-5"
		q.Finish(rec)
	}
	st.waitRows(t, 50)
	var rows map[string]store.Request
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		rows = st.snapshot()
		done := 0
		for _, r := range rows {
			if r.Finished {
				done++
			}
		}
		if done == 50 {
			break
		}
	}
	for id, r := range rows {
		if !r.Finished || r.Status != 200 || r.Model != "claude-haiku-4-5" || r.SessionID != "s" {
			t.Errorf("%s: %+v", id, r)
		}
	}
	st.mu.Lock()
	writes := st.writes
	st.mu.Unlock()
	if writes >= 100 {
		t.Errorf("%d store writes for 50 requests: starts were not folded into their finishes", writes)
	}
}
