// Package sqlite is the embedded Store: one SQLite file in the data dir (mode 0600), through
// the pure-Go modernc.org/sqlite driver.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"nexus/store"
	"nexus/store/sqlstore"
)

// FileName is the database file's name inside the data dir.
const FileName = "nexus.db"

// Store is a store.Store on one SQLite file.
type Store struct {
	*sqlstore.Store
	checkpoints *checkpointer
	writer      *sql.DB // the handle every write uses
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the database in dataDir and brings its schema up to date.
// The file is created with mode 0600 and an existing one is tightened to it. codec opens
// stored content (nil when bodies are not stored).
func Open(ctx context.Context, dataDir string, codec sqlstore.Opener) (*Store, error) {
	path := filepath.Join(dataDir, FileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening database: %w", err)
	}
	opened, err := f.Stat()
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("opening database: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return nil, fmt.Errorf("securing database file: %w", err)
	}
	// The pool's connections read; writes go through a handle of their own (writeconn.go).
	db, err := sql.Open("sqlite", dsn(path, readerCacheKB))
	if err != nil {
		return nil, fmt.Errorf("opening database: %w", err)
	}
	// A small pool serves concurrent readers (and the checkpointer).
	db.SetMaxOpenConns(4)
	writer, err := openWriter(path)
	if err != nil {
		db.Close()
		return nil, err
	}
	if err := migrate(ctx, writer); err != nil {
		writer.Close()
		db.Close()
		return nil, err
	}
	ckpt := startCheckpointer(ctx, db, slog.Default())
	d := dialect
	d.Committed = ckpt.committed
	d.Writes = writer
	d.Present = func() error { return stillThere(path, opened) }
	return &Store{Store: sqlstore.New(db, d, codec, nil), checkpoints: ckpt, writer: writer}, nil
}

// Close stops the checkpointer and closes the database (SQLite checkpoints the rest of the
// WAL as the last connection closes).
func (s *Store) Close() error {
	s.checkpoints.close()
	err := s.Store.Close()
	if werr := s.writer.Close(); err == nil {
		err = werr
	}
	return err
}

var dialect = sqlstore.Dialect{
	Name:     "sqlite",
	Wrap:     wrap,
	OrIgnore: true,
	Size: func(ctx context.Context, db *sql.DB) (int64, error) {
		var n int64
		err := db.QueryRowContext(ctx, `SELECT (p.page_count - f.freelist_count) * s.page_size
			FROM pragma_page_count() p, pragma_freelist_count() f, pragma_page_size() s`).Scan(&n)
		return n, err
	},
	Reclaim: reclaim,
}

// reclaim gives space back to the file system when at least a quarter of the file is free
// pages (VACUUM rewrites the file; the recorder spools while it runs), and empties the WAL.
func reclaim(ctx context.Context, db *sql.DB) error {
	var pages, free int64
	if err := db.QueryRowContext(ctx, `SELECT p.page_count, f.freelist_count FROM pragma_page_count() p,
		pragma_freelist_count() f`).Scan(&pages, &free); err != nil {
		return err
	}
	if free > 0 && free*4 >= pages {
		if _, err := db.ExecContext(ctx, `VACUUM`); err != nil {
			return err
		}
	}
	_, err := db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// stillThere reports store.ErrUnavailable when the file at path is no longer the database
// file opened (deleted, or replaced by another): writes would go to a file nobody can open
// again, so the recorder keeps its records on disk until a restart opens the new one.
func stillThere(path string, opened os.FileInfo) error {
	now, err := os.Stat(path)
	if err == nil && os.SameFile(now, opened) {
		return nil
	}
	return fmt.Errorf("%w: the database file %s was deleted or replaced while Nexus was running; "+
		"records wait on disk until Nexus is restarted and opens a new one", store.ErrUnavailable, path)
}

// wrap marks errors that mean "try again later" as store.ErrUnavailable.
func wrap(action string, err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if strings.Contains(msg, "SQLITE_FULL") || strings.Contains(msg, "SQLITE_BUSY") ||
		strings.Contains(msg, "database is locked") || strings.Contains(msg, "disk I/O error") ||
		strings.Contains(msg, "database or disk is full") || errors.Is(err, sql.ErrConnDone) {
		return fmt.Errorf("%s: %w: %v", action, store.ErrUnavailable, err)
	}
	return fmt.Errorf("%s: %w", action, err)
}
