package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"nexus/store"
	"nexus/store/sqlite"
	"nexus/store/sqlstore"
	"nexus/store/storetest"
)

func open(t *testing.T, dir string) *sqlite.Store { return openWith(t, dir, nil) }

func openWith(t *testing.T, dir string, codec sqlstore.Opener) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), dir, codec)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, codec sqlstore.Opener) store.Store { return openWith(t, t.TempDir(), codec) })
}

func TestFileMode(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	if err := s.StartRequest(context.Background(), store.Request{ID: "a", StartedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	assertMode(t, filepath.Join(dir, sqlite.FileName))
	// SQLite gives its journal files the database file's mode.
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(filepath.Join(dir, sqlite.FileName+suffix)); err == nil {
			assertMode(t, filepath.Join(dir, sqlite.FileName+suffix))
		}
	}
}

func TestExistingFileIsTightened(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, sqlite.FileName)
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil { // past the umask
		t.Fatal(err)
	}
	open(t, dir)
	assertMode(t, path)
}

func assertMode(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("%s has mode %#o, want 0600", path, mode)
	}
}

func TestReopenKeepsRecords(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := store.Request{ID: "a", StartedAt: time.UnixMilli(1_700_000_000_000).UTC(), Model: "m"}
	if err := s.FinishRequest(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := open(t, dir) // migrations already applied: nothing to do
	if n, err := s2.CountRequests(ctx); err != nil || n != 1 {
		t.Errorf("after reopening: CountRequests = %d, %v; want 1", n, err)
	}
}
