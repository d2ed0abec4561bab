// Not under the race detector: encoding 86 MB there takes longer than the test waits, and
// 2 GB. The plain run (go test ./...) runs it.

//go:build !race

package recording

import (
	"crypto/rand"
	"testing"
	"time"

	"nexus/proxy"
	"nexus/store"
)

// The largest record the recorder spools — a 32 MB request and a 32 MB answer that do not
// compress, sealed and written as base64 — is one line of about 86 MB, and replay reads it
// (a line over its limit stopped the replay of that file, and every record after it, for good).
func TestSpoolReplaysTheLargestRecord(t *testing.T) {
	dir := t.TempDir()
	st := newMemStore()
	st.setDown(true)
	q, stop := startQueue(t, st, dir, nil)
	sealed := func() []byte {
		b := make([]byte, proxy.MaxRequestBytes+64)
		rand.Read(b)
		return b
	}
	req := toStoreRequest(proxy.Record{ID: "r_big", StartedAt: time.Now(), Method: "POST", Path: "/v1/files", Status: 200}, true, q.prices)
	req.Body = &store.Body{KeyID: "k", Blobs: []store.Blob{{Hash: []byte("a"), Size: proxy.MaxRequestBytes, Data: sealed()},
		{Hash: []byte("b"), Size: proxy.MaxRequestBytes, Data: sealed()}}, Template: []byte("a"), Whole: true, Response: []byte("b")}
	q.submit(op{finish: true, req: req})
	q.submit(op{finish: true, req: toStoreRequest(proxy.Record{ID: "r_after", StartedAt: time.Now(), Status: 200}, true, q.prices)})
	waitSpooled(t, dir, "r_after")
	st.setDown(false)
	rows := st.waitRows(t, 2)
	stop()
	if got := rows["r_big"]; got.Body == nil || len(got.Body.Blobs) != 2 || len(got.Body.Blobs[1].Data) != proxy.MaxRequestBytes+64 {
		t.Fatalf("the large record came back as %+v", got.Body)
	}
}
