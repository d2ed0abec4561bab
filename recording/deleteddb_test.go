package recording

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"nexus/proxy"
	"nexus/store/sqlite"
)

// A SQLite file deleted while Nexus runs loses nothing: the records made after it wait in
// the spool (the store says it is gone instead of writing to a file nobody can open), and the
// next run, on a new file, writes them.
func TestDeletedDatabaseLosesNothing(t *testing.T) {
	data := t.TempDir()
	spool := filepath.Join(t.TempDir(), "spool")
	record := func(q *Queue, from, to int) {
		for i := from; i < to; i++ {
			rec := proxy.Record{ID: fmt.Sprintf("r_%02d", i), StartedAt: time.Now(), Method: "POST", Path: "/v1/messages", Status: 200}
			q.Start(rec)
			q.Finish(rec)
		}
	}
	run := func(do func(q *Queue, st *sqlite.Store)) {
		st, err := sqlite.Open(context.Background(), data, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		q, stop := startQueue(t, st, spool, nil)
		defer stop()
		do(q, st)
	}
	waitCount := func(st *sqlite.Store, want int64) int64 {
		var n int64
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if n, _ = st.CountRequests(context.Background()); n == want {
				break
			}
		}
		return n
	}
	run(func(q *Queue, st *sqlite.Store) {
		record(q, 0, 2)
		if n := waitCount(st, 2); n != 2 {
			t.Fatalf("%d of 2 recorded before the file went", n)
		}
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(filepath.Join(data, sqlite.FileName+suffix))
		}
		record(q, 2, 7)
		waitSpooled(t, spool, "r_06")
		if err := st.WriteRequests(context.Background(), nil); err == nil {
			t.Error("writing to the deleted file reported no error")
		}
	})
	run(func(q *Queue, st *sqlite.Store) {
		if n := waitCount(st, 5); n != 5 {
			t.Fatalf("the new file holds %d requests, want the 5 made after the old one went", n)
		}
	})
}
