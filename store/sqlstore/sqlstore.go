// Package sqlstore is the store.Store both SQL backends share: every query is written once,
// over database/sql, with "?" placeholders that the dialect rewrites. The sqlite and postgres
// packages open the database, migrate it and supply their Dialect.
package sqlstore

import (
	"context"
	"database/sql"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"nexus/store"
)

// Dialect is what differs between the backends.
type Dialect struct {
	Name string // "sqlite" or "postgres"
	// Numbered says placeholders are $1, $2… instead of ?.
	Numbered bool
	// Wrap names the failed action and marks errors meaning "try later" as
	// store.ErrUnavailable (and keeps secrets out of messages).
	Wrap func(action string, err error) error
	// Lost reports an error from a pooled connection that had died: the call is retried once
	// on a fresh connection.
	Lost func(err error) bool
	// Conflict reports a transaction the server rolled back because of another writer's (a
	// deadlock, a serialization failure): it is run again, up to maxConflictTries times.
	Conflict func(err error) bool
	// Size is the bytes the data takes (used, not merely allocated).
	Size func(ctx context.Context, db *sql.DB) (int64, error)
	// LockClient, when set, is a statement taking a transaction-scoped lock on one client
	// (its only argument), held while a request is linked. SQLite needs none: it has one
	// writer at a time.
	LockClient string
	// HoldContent and CollectContent, when set, are statements taking transaction-scoped locks
	// that keep retention's collection of unused content from running beside a write that
	// links a request or points it at blobs and nodes already stored: every write transaction
	// with a finish takes HoldContent (shared) first, the collection takes CollectContent
	// (exclusive). Without them, PostgreSQL's collection sees only committed rows and deletes
	// a blob that a finish about to commit points at. SQLite needs none: one writer at a time.
	HoldContent, CollectContent string
	// Reclaim gives freed space back to the system after a retention pass.
	Reclaim func(ctx context.Context, db *sql.DB) error
	// Committed, when set, is told after each write transaction commits. It must not block.
	Committed func()
	// Writes, when set, is the handle every write uses instead of the pool (SQLite: one
	// connection with a writer's page cache).
	Writes *sql.DB
	// Present, when set, reports an error (store.ErrUnavailable) when the database is no
	// longer where it was opened — a SQLite file deleted or replaced while open takes writes
	// that nobody can read again. Record writes check it before and after their transaction.
	Present func() error
	// OrIgnore says rows whose key is taken are skipped with INSERT OR IGNORE (SQLite) instead
	// of ON CONFLICT … DO NOTHING. On SQLite the two differ in cost: with ON CONFLICT the
	// columns' NOT NULL checks keep their ABORT, so a multi-row insert inside a transaction
	// first copies every page it changes to a statement journal (a temporary file past 64 KB);
	// OR IGNORE cannot abort and needs none. It also skips rows that break NOT NULL, so
	// callers check those values first (storeBody).
	OrIgnore bool
}

// Opener opens sealed blobs; the store needs it to read answers for compaction linking and
// for text search. A nil Opener means bodies cannot be read (they are not stored either).
type Opener interface {
	// Open returns the plain bytes of the blob named id.
	Open(id, sealed []byte) ([]byte, error)
}

// Store is a store.Store on a database/sql handle.
type Store struct {
	db    *sql.DB
	w     *sql.DB // writes: d.Writes, or db
	d     Dialect
	log   *slog.Logger
	codec Opener

	mu    sync.Mutex // guards bound
	bound map[string]string

	contentGone atomic.Pointer[func()] // OnContentGone's f
}

var _ store.Store = (*Store)(nil)

// New returns the store on db, whose schema is already current. codec may be nil.
func New(db *sql.DB, d Dialect, codec Opener, log *slog.Logger) *Store {
	if log == nil {
		log = slog.Default()
	}
	if d.Lost == nil {
		d.Lost = func(error) bool { return false }
	}
	if d.Conflict == nil {
		d.Conflict = func(error) bool { return false }
	}
	w := d.Writes
	if w == nil {
		w = db
	}
	return &Store{db: db, w: w, d: d, log: log, codec: codec, bound: map[string]string{}}
}

// OnContentGone has f called whenever a finish is written without its content because pieces
// its recorder took for stored are gone (ContentGone: retention removed them, perhaps another
// process's). The recorder then forgets what it remembers as stored. f must not block.
func (s *Store) OnContentGone(f func()) { s.contentGone.Store(&f) }

// DB is the underlying handle, for the backend's own queries.
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// q rewrites a query's "?" placeholders for the dialect. Queries are constants, so the result
// is cached.
func (s *Store) q(query string) string {
	if !s.d.Numbered {
		return query
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.bound[query]; ok {
		return b
	}
	s.bound[query] = Numbered(query)
	return s.bound[query]
}

// Numbered is query with its "?" placeholders written $1, $2… (PostgreSQL's).
func Numbered(query string) string {
	var sb strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			sb.WriteString("$" + strconv.Itoa(n))
			continue
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// maxConflictTries bounds the runs of a call that conflicts with other writers.
const maxConflictTries = 5

// call runs an idempotent database call: once more when a pooled connection had been lost,
// and again after a short random pause while it conflicts with another writer.
func (s *Store) call(ctx context.Context, action string, fn func() error) error {
	err := fn()
	if err != nil && ctx.Err() == nil && s.d.Lost(err) {
		err = fn()
	}
	for try := 1; try < maxConflictTries && err != nil && ctx.Err() == nil && s.d.Conflict(err); try++ {
		// Apart in time, the two writers take their locks one after the other.
		pause := time.Duration(rand.Int64N(int64(10*time.Millisecond) << try))
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return s.d.Wrap(action, err)
		}
		err = fn()
	}
	return s.d.Wrap(action, err)
}

// inTx runs fn in one transaction (retried whole on a lost connection).
func (s *Store) inTx(ctx context.Context, action string, fn func(tx *sql.Tx) error) error {
	return s.call(ctx, action, func() error {
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if err := fn(tx); err != nil {
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		if s.d.Committed != nil {
			s.d.Committed()
		}
		return nil
	})
}

// nullBytes is b, or NULL when b is empty.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// queryAll runs query through run (a pool's QueryContext, or the writer's cached statements)
// and reads every row with scan.
func queryAll[T any](ctx context.Context, run func(context.Context, string, ...any) (*sql.Rows, error), query string,
	args []any, scan func(func(...any) error) (T, error)) ([]T, error) {
	rows, err := run(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
