// Package sqlite is the embedded Store: one SQLite file in the data dir (mode 0600), through
// the pure-Go modernc.org/sqlite driver.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"nexus/store"
)

// FileName is the database file's name inside the data dir.
const FileName = "nexus.db"

// Store is a store.Store on one SQLite file.
type Store struct {
	db *sql.DB
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the database in dataDir and brings its schema up to date.
// The file is created with mode 0600 and an existing one is tightened to it.
func Open(ctx context.Context, dataDir string) (*Store, error) {
	path := filepath.Join(dataDir, FileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening database: %w", err)
	}
	f.Close()
	if err := os.Chmod(path, 0o600); err != nil {
		return nil, fmt.Errorf("securing database file: %w", err)
	}
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("opening database: %w", err)
	}
	// One writer at a time is SQLite's model; a small pool serves concurrent readers.
	db.SetMaxOpenConns(4)
	s := &Store{db: db}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

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
