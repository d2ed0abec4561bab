package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// migrationLock is the pg_advisory_xact_lock key that serialises migrations, so that two
// processes starting at once take turns. DO NOT change; every Nexus version sharing a
// database must use the same key.
const migrationLock int64 = 0x6e657875735f6d67 // "nexus_mg"

// migrations are applied in order, each in its own transaction together with its row in
// schema_migrations. DO NOT edit a released migration; append a new one. The schema mirrors
// the SQLite store's: same names, times as Unix milliseconds (BIGINT).
var migrations = []string{
	// 1: request records.
	`CREATE TABLE requests (
		id TEXT PRIMARY KEY,
		started_at BIGINT NOT NULL,            -- Unix milliseconds, UTC
		method TEXT NOT NULL DEFAULT '',
		path TEXT NOT NULL DEFAULT '',
		query TEXT NOT NULL DEFAULT '',
		model TEXT NOT NULL DEFAULT '',
		stream BOOLEAN NOT NULL DEFAULT FALSE,
		status INTEGER NOT NULL DEFAULT 0,
		error TEXT NOT NULL DEFAULT '',
		error_type TEXT NOT NULL DEFAULT '',
		kind TEXT NOT NULL DEFAULT 'turn',
		session_id TEXT NOT NULL DEFAULT '',
		conversation_id TEXT NOT NULL DEFAULT '',
		branch TEXT NOT NULL DEFAULT '',
		account TEXT NOT NULL DEFAULT '',
		client_key_id TEXT NOT NULL DEFAULT '',
		passthrough BOOLEAN NOT NULL DEFAULT FALSE,
		rejected TEXT NOT NULL DEFAULT '',
		finished BOOLEAN NOT NULL DEFAULT FALSE,
		incomplete BOOLEAN NOT NULL DEFAULT FALSE,
		stop_reason TEXT NOT NULL DEFAULT '',
		message_id TEXT NOT NULL DEFAULT '',
		input_tokens BIGINT NOT NULL DEFAULT 0,
		output_tokens BIGINT NOT NULL DEFAULT 0,
		cache_creation_input_tokens BIGINT NOT NULL DEFAULT 0,
		cache_read_input_tokens BIGINT NOT NULL DEFAULT 0,
		cache_creation_5m BIGINT NOT NULL DEFAULT 0,
		cache_creation_1h BIGINT NOT NULL DEFAULT 0,
		cost_usd DOUBLE PRECISION NOT NULL DEFAULT 0,
		ttfb_ms DOUBLE PRECISION NOT NULL DEFAULT 0,
		duration_ms DOUBLE PRECISION NOT NULL DEFAULT 0,
		overhead_ms DOUBLE PRECISION NOT NULL DEFAULT 0,
		attempts INTEGER NOT NULL DEFAULT 0,
		attempt_log TEXT NOT NULL DEFAULT '',
		headers TEXT NOT NULL DEFAULT ''
	);
	CREATE INDEX requests_started ON requests (started_at DESC, id DESC);
	CREATE INDEX requests_session ON requests (session_id, started_at) WHERE session_id <> '';
	CREATE INDEX requests_model ON requests (model, started_at DESC);`,
}

// migrate brings the schema up to date.
func (s *Store) migrate(ctx context.Context) error {
	for i := range migrations {
		if err := s.apply(ctx, i+1); err != nil {
			return err
		}
	}
	return nil
}

// apply runs migration version unless it has been applied, holding the migration lock for
// the transaction so that a concurrent Open waits and then finds it done.
func (s *Store) apply(ctx context.Context, version int) error {
	action := fmt.Sprintf("migrating PostgreSQL store to version %d", version)
	return s.wrap(action, pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY,
			applied_at BIGINT NOT NULL -- Unix milliseconds, UTC
		)`); err != nil {
			return err
		}
		var current int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return err
		}
		if current > len(migrations) && version == 1 {
			s.log.Warn("the PostgreSQL schema is newer than this version of Nexus", "schema", current,
				"known", len(migrations))
		}
		if current >= version {
			return nil
		}
		if _, err := tx.Exec(ctx, migrations[version-1]); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`,
			version, time.Now().UnixMilli())
		return err
	}))
}
