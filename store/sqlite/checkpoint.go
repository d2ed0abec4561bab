package sqlite

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"time"
)

// SQLite in WAL mode with synchronous=NORMAL writes a commit to the WAL without waiting for
// the disk; only a checkpoint — copying the WAL's pages into the database file — syncs, twice.
// Left to itself SQLite checkpoints inside the commit that takes the WAL past 1,000 pages,
// so the recorder's writer waits for both syncs (bench/storage: 20 of 50 s of store time at
// 100k requests on this VM). Instead the checkpointer does it on its own connection, shortly
// after commits: a PASSIVE checkpoint never blocks the writer. The writer still checkpoints
// by itself past walBackstopPages, should the checkpointer fall behind.
const (
	// checkpointEvery is the least time between two checkpoints.
	checkpointEvery = time.Second
	// walBackstopPages is wal_autocheckpoint: the WAL size (4 KB pages) at which a commit
	// checkpoints inline after all. 128 MB: a second of the fastest ingest dirties up to
	// 11,000 pages (random keys of blobs, nodes and linking hashes), and at 32 MB the writer
	// still checkpointed inline (store time 35 s at 100k requests, 31 s at 128 MB).
	walBackstopPages = 32768
	// walKeepBytes is journal_size_limit: a WAL that grew past it is cut back to it when
	// it starts over, so that a burst does not leave a 128 MB file behind.
	walKeepBytes = 16 << 20
)

// checkpointer runs PASSIVE checkpoints after commits, at most one per checkpointEvery, on a
// connection of its own, taken from the readers' pool and kept, with almost no page cache.
type checkpointer struct {
	conn *sql.Conn // nil if none could be had: the writer's own checkpoints take over
	log  *slog.Logger
	wake chan struct{}
	stop chan struct{}
	once sync.Once // closes stop
	done sync.WaitGroup
}

func startCheckpointer(ctx context.Context, db *sql.DB, log *slog.Logger) *checkpointer {
	c := &checkpointer{log: log, wake: make(chan struct{}, 1), stop: make(chan struct{})}
	conn, err := db.Conn(ctx)
	if err == nil {
		// A checkpoint copies pages from the WAL to the file without the page cache.
		_, err = conn.ExecContext(ctx, `PRAGMA cache_size = -64`)
	}
	if err != nil {
		log.Warn("no checkpointer: the writer checkpoints by itself", "err", err)
		if conn != nil {
			conn.Close()
		}
		return c
	}
	c.conn = conn
	c.done.Add(1)
	go c.run()
	return c
}

// committed tells the checkpointer a transaction wrote to the WAL. It never blocks.
func (c *checkpointer) committed() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	defer c.done.Done()
	for {
		select {
		case <-c.wake:
		case <-c.stop:
			return
		}
		// Let a burst of commits gather first: one checkpoint per second syncs for all.
		select {
		case <-time.After(checkpointEvery):
		case <-c.stop:
			return
		}
		c.checkpoint()
	}
}

// checkpoint copies what it can of the WAL into the database. Frames a reader still needs, or
// that the writer appends meanwhile, wait for the next one.
func (c *checkpointer) checkpoint() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.conn.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
		// A full disk or a closing store: the writer's own checkpoints take over.
		c.log.Debug("checkpoint failed", "err", err)
	}
}

// close stops the checkpointer and waits for a checkpoint under way. It may be called again.
func (c *checkpointer) close() {
	c.once.Do(func() {
		close(c.stop)
		c.done.Wait()
		if c.conn != nil {
			c.conn.Close()
		}
	})
	c.done.Wait()
}
