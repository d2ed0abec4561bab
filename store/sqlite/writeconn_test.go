package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"nexus/store"
)

func openStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), t.TempDir(), nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func cacheSize(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`PRAGMA cache_size`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Writes run on one connection with the writer's page cache; the pool that reads keeps the
// readers' smaller one.
func TestWritesHaveTheirOwnConnectionAndCache(t *testing.T) {
	s := openStore(t)
	if got := cacheSize(t, s.writer); got != -writerCacheKB {
		t.Errorf("writer's cache_size %d, want %d", got, -writerCacheKB)
	}
	if got := cacheSize(t, s.DB()); got != -readerCacheKB {
		t.Errorf("readers' cache_size %d, want %d", got, -readerCacheKB)
	}
	if n := s.writer.Stats().MaxOpenConnections; n != 1 {
		t.Errorf("writer handle may open %d connections, want 1", n)
	}
}

// A write waiting for the connection gives up when its context ends, and the connection
// serves the next write once it is free.
func TestWriteWaitingForTheConnectionHonoursItsContext(t *testing.T) {
	s := openStore(t)
	held, err := s.writer.BeginTx(context.Background(), nil) // holds the only connection
	if err != nil {
		t.Fatal(err)
	}
	r := store.Request{ID: "r_wait", StartedAt: time.Now().UTC(), Model: "m", Path: "/v1/messages"}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = s.StartRequest(ctx, r)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("write while the connection is held: %v, want the context's deadline", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("the waiting write gave up after %v", d)
	}
	if n := s.writer.Stats().WaitCount; n != 1 {
		t.Fatalf("the write waited %d times for the writer's connection, want once", n)
	}
	held.Rollback()
	if err := s.StartRequest(context.Background(), r); err != nil {
		t.Fatalf("write once the connection is free: %v", err)
	}
}
