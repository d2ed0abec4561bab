package sqlite_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"
	"time"

	"nexus/store"
	"nexus/store/sqlite"
)

// A commit leaves its pages in the WAL (the writer does not wait for a checkpoint's syncs),
// and the checkpointer moves them into the database file shortly after.
func TestCheckpointAfterCommitOffTheWritersPath(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	ctx := context.Background()
	dbFile := filepath.Join(dir, sqlite.FileName)
	before := fileSize(t, dbFile)

	data := make([]byte, 4<<20) // 1,024 pages: past SQLite's default checkpoint point, short of ours
	rand.Read(data)
	hash := sha256.Sum256(data)
	r := store.Request{ID: "r_big", StartedAt: time.Now().UTC(), Model: "m", Path: "/v1/messages", Content: "stored",
		Body: &store.Body{KeyID: "k", Template: hash[:], Whole: true,
			Blobs: []store.Blob{{Hash: hash[:], Size: len(data), Data: data}}}}
	if err := s.WriteRequests(ctx, []store.RequestOp{{Finish: true, Request: r}}); err != nil {
		t.Fatal(err)
	}
	if got := fileSize(t, dbFile); got-before >= int64(len(data)) {
		t.Fatalf("the commit checkpointed inline: database file grew by %d bytes at once", got-before)
	}
	deadline := time.Now().Add(10 * time.Second)
	for fileSize(t, dbFile)-before < int64(len(data)) {
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint 10 s after the commit: database file %d bytes, was %d", fileSize(t, dbFile), before)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if d, err := s.GetRequest(ctx, "r_big"); err != nil || !bytes.Equal(d.Template.Data, data) {
		t.Fatalf("after the checkpoint: GetRequest gives %d bytes of template, %v; want the %d written",
			len(d.Template.Data), err, len(data))
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
