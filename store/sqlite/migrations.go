package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are applied in order, each in its own transaction with the version bump
// (PRAGMA user_version). DO NOT edit a released migration; append a new one.
var migrations = []string{
	// 1: request records.
	`CREATE TABLE requests (
		id TEXT PRIMARY KEY,
		started_at INTEGER NOT NULL,           -- Unix milliseconds, UTC
		method TEXT NOT NULL DEFAULT '',
		path TEXT NOT NULL DEFAULT '',
		query TEXT NOT NULL DEFAULT '',
		model TEXT NOT NULL DEFAULT '',
		stream INTEGER NOT NULL DEFAULT 0,
		status INTEGER NOT NULL DEFAULT 0,
		error TEXT NOT NULL DEFAULT '',
		error_type TEXT NOT NULL DEFAULT '',
		kind TEXT NOT NULL DEFAULT 'turn',
		session_id TEXT NOT NULL DEFAULT '',
		conversation_id TEXT NOT NULL DEFAULT '',
		branch TEXT NOT NULL DEFAULT '',
		account TEXT NOT NULL DEFAULT '',
		client_key_id TEXT NOT NULL DEFAULT '',
		passthrough INTEGER NOT NULL DEFAULT 0,
		rejected TEXT NOT NULL DEFAULT '',
		finished INTEGER NOT NULL DEFAULT 0,
		incomplete INTEGER NOT NULL DEFAULT 0,
		stop_reason TEXT NOT NULL DEFAULT '',
		message_id TEXT NOT NULL DEFAULT '',
		input_tokens INTEGER NOT NULL DEFAULT 0,
		output_tokens INTEGER NOT NULL DEFAULT 0,
		cache_creation_input_tokens INTEGER NOT NULL DEFAULT 0,
		cache_read_input_tokens INTEGER NOT NULL DEFAULT 0,
		cache_creation_5m INTEGER NOT NULL DEFAULT 0,
		cache_creation_1h INTEGER NOT NULL DEFAULT 0,
		cost_usd REAL NOT NULL DEFAULT 0,
		ttfb_ms REAL NOT NULL DEFAULT 0,
		duration_ms REAL NOT NULL DEFAULT 0,
		overhead_ms REAL NOT NULL DEFAULT 0,
		attempts INTEGER NOT NULL DEFAULT 0,
		attempt_log TEXT NOT NULL DEFAULT '',
		headers TEXT NOT NULL DEFAULT ''
	);
	CREATE INDEX requests_started ON requests (started_at DESC, id DESC);
	CREATE INDEX requests_session ON requests (session_id, started_at) WHERE session_id <> '';
	CREATE INDEX requests_model ON requests (model, started_at DESC);`,
}

func migrate(ctx context.Context, db *sql.DB) error {
	var version int
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return fmt.Errorf("reading schema version: %w", err)
	}
	for i := version; i < len(migrations); i++ {
		if err := apply(ctx, db, i+1, migrations[i]); err != nil {
			return err
		}
	}
	return nil
}

func apply(ctx context.Context, db *sql.DB, version int, ddl string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrating to %d: %w", version, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, ddl); err != nil {
		return fmt.Errorf("migrating to %d: %w", version, err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, version)); err != nil {
		return fmt.Errorf("migrating to %d: %w", version, err)
	}
	return tx.Commit()
}
