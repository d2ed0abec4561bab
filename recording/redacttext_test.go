package recording

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"nexus/proxy"
	"nexus/store/storetest"
)

// The texts of a record that are not bodies — a query string a client put a key in, an
// upstream error quoting what it was sent, an attempt's error — are redacted before the record
// reaches the spool or the store, and counted.
func TestRecordTextsAreRedacted(t *testing.T) {
	const key = "sk-ant-api03-QUERYSECRETQUERYSECRETQUERY0000"
	bodies, _ := storetest.NewBodies(t)
	dir := filepath.Join(t.TempDir(), "spool")
	st := newMemStore()
	st.setDown(true) // first to the spool
	q, stop := startQueue(t, st, dir, nil)
	q.SetBodies(bodies)
	rec := proxy.Record{ID: "r_q", StartedAt: time.Now(), Method: "POST", Path: "/v1/messages", Query: "beta=true&key=" + key,
		Status: 400, ErrorType: "invalid_request_error", ErrorMessage: "bad value " + key,
		Attempts: []proxy.Attempt{{Status: 529, Error: "overloaded: " + key}}}
	q.Start(rec)
	q.Finish(rec)
	waitSpooled(t, dir, "r_q")
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(path); bytes.Contains(b, []byte("QUERYSECRET")) {
				t.Errorf("%s holds the key", path)
			}
		}
		return nil
	})
	st.setDown(false)
	got := st.waitRows(t, 1)["r_q"]
	stop()
	for name, text := range map[string]string{"query": got.Query, "error": got.Error, "attempts": got.AttemptsJSON} {
		if strings.Contains(text, "QUERYSECRET") || !strings.Contains(text, "[REDACTED:anthropic-key]") {
			t.Errorf("%s stored as %q", name, text)
		}
	}
	if got.Redactions != 3 || !strings.HasPrefix(got.Query, "beta=true&key=") {
		t.Errorf("%d redactions, query %q", got.Redactions, got.Query)
	}
}
