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
	// 2: content (blobs, the message-prefix tree), conversations, linking keys, retention.
	`ALTER TABLE requests ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
	ALTER TABLE requests ADD COLUMN parent_request_id TEXT NOT NULL DEFAULT '';
	ALTER TABLE requests ADD COLUMN link_rule TEXT NOT NULL DEFAULT '';
	ALTER TABLE requests ADD COLUMN redactions INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE requests ADD COLUMN content TEXT NOT NULL DEFAULT '';
	ALTER TABLE requests ADD COLUMN client TEXT NOT NULL DEFAULT '';
	ALTER TABLE requests ADD COLUMN template_blob BLOB;
	ALTER TABLE requests ADD COLUMN whole_body INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE requests ADD COLUMN system_blob BLOB;
	ALTER TABLE requests ADD COLUMN tools_blob BLOB;
	ALTER TABLE requests ADD COLUMN last_node BLOB;
	ALTER TABLE requests ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE requests ADD COLUMN response_blob BLOB;
	ALTER TABLE requests ADD COLUMN cur_hash BLOB;
	ALTER TABLE requests ADD COLUMN cont_hash BLOB;
	ALTER TABLE requests ADD COLUMN prev1_hash BLOB;
	ALTER TABLE requests ADD COLUMN prev2_hash BLOB;
	ALTER TABLE requests ADD COLUMN first_user_hash BLOB;
	ALTER TABLE requests ADD COLUMN system_hash BLOB;
	CREATE TABLE blobs (
		hash BLOB PRIMARY KEY,      -- keyed hash of the plain bytes
		size INTEGER NOT NULL,       -- plain size
		data BLOB NOT NULL          -- zstd, then AES-256-GCM
	);
	CREATE TABLE nodes (
		hash BLOB PRIMARY KEY,      -- H(parent || blob): the exact message prefix ending here
		parent BLOB,                -- NULL for the first message
		blob BLOB NOT NULL,
		depth INTEGER NOT NULL
	);
	CREATE INDEX nodes_blob ON nodes (blob);
	CREATE TABLE conversations (
		id TEXT PRIMARY KEY,
		client TEXT NOT NULL DEFAULT '',
		session_id TEXT NOT NULL DEFAULT '',
		title TEXT NOT NULL DEFAULT '',      -- unused: titles are content, kept sealed
		title_sealed BLOB,                    -- the codec's seal of the title (store.TitleID)
		started_at INTEGER NOT NULL,
		last_at INTEGER NOT NULL,
		request_count INTEGER NOT NULL DEFAULT 0,
		input_tokens INTEGER NOT NULL DEFAULT 0,
		output_tokens INTEGER NOT NULL DEFAULT 0,
		cache_creation_input_tokens INTEGER NOT NULL DEFAULT 0,
		cache_read_input_tokens INTEGER NOT NULL DEFAULT 0,
		cost_usd REAL NOT NULL DEFAULT 0,
		parent_conversation_id TEXT NOT NULL DEFAULT '',
		parent_request_id TEXT NOT NULL DEFAULT '',
		agent_ordinal INTEGER NOT NULL DEFAULT 0
	);
	CREATE INDEX conversations_last ON conversations (last_at DESC, id DESC);
	CREATE INDEX conversations_parent ON conversations (parent_conversation_id) WHERE parent_conversation_id <> '';
	CREATE TABLE agent_calls (
		request_id TEXT NOT NULL,
		ordinal INTEGER NOT NULL,
		client TEXT NOT NULL,
		prompt_hash BLOB NOT NULL,
		conversation_id TEXT NOT NULL,
		at INTEGER NOT NULL,
		claimed_by TEXT NOT NULL DEFAULT '',
		PRIMARY KEY (request_id, ordinal)
	);
	CREATE INDEX agent_calls_prompt ON agent_calls (client, prompt_hash, at DESC);
	CREATE TABLE retention_runs (
		at INTEGER NOT NULL,
		reason TEXT NOT NULL,
		requests INTEGER NOT NULL,
		conversations INTEGER NOT NULL,
		blobs INTEGER NOT NULL,
		bytes_before INTEGER NOT NULL,
		bytes_after INTEGER NOT NULL,
		oldest_kept_start INTEGER NOT NULL
	);
	CREATE INDEX requests_cont ON requests (client, cont_hash) WHERE cont_hash IS NOT NULL;
	CREATE INDEX requests_cur ON requests (client, cur_hash) WHERE cur_hash IS NOT NULL;
	CREATE INDEX requests_prev ON requests (client, prev1_hash) WHERE prev1_hash IS NOT NULL;
	CREATE INDEX requests_prev2 ON requests (client, prev2_hash) WHERE prev2_hash IS NOT NULL;
	CREATE INDEX requests_parent ON requests (parent_request_id);
	CREATE INDEX requests_conversation ON requests (conversation_id, started_at DESC);
	CREATE INDEX requests_compaction ON requests (client, kind, started_at DESC);
	CREATE INDEX requests_session_client ON requests (session_id, client, started_at DESC);
	CREATE INDEX requests_orphans ON requests (client, link_rule, started_at);  -- adoption (link.go)
	-- Whole, not partial: with "col = ?" SQLite cannot prove a partial index's "col <> ''" when
	-- planning, and fell back to scans (measured: 75 → 466 requests/s at 1M, bench/storage).
	CREATE INDEX requests_account ON requests (account, started_at DESC);
	CREATE INDEX requests_status ON requests (status, started_at DESC);
	CREATE TABLE usage_hourly (
		hour INTEGER NOT NULL,             -- Unix milliseconds of the UTC hour
		model TEXT NOT NULL,
		account TEXT NOT NULL,
		requests INTEGER NOT NULL DEFAULT 0,
		input_tokens INTEGER NOT NULL DEFAULT 0,
		output_tokens INTEGER NOT NULL DEFAULT 0,
		cache_creation_input_tokens INTEGER NOT NULL DEFAULT 0,
		cache_read_input_tokens INTEGER NOT NULL DEFAULT 0,
		cost_usd REAL NOT NULL DEFAULT 0,
		PRIMARY KEY (hour, model, account)
	);`,
	// 3: fewer index entries per row. Indexes no query uses go: adoption finds its candidates
	// through requests_orphans (the prev hashes are compared in its rows), session lookups go
	// through requests_session_client. The adoption and compaction indexes keep only the rows
	// their query asks for (it names the same literal values, so SQLite can use them). Each
	// entry costs a write per row version and, on PostgreSQL, each index pages of its own.
	`DROP INDEX IF EXISTS requests_prev;
	DROP INDEX IF EXISTS requests_prev2;
	DROP INDEX IF EXISTS requests_session;
	DROP INDEX IF EXISTS requests_orphans;
	CREATE INDEX requests_orphans ON requests (client, started_at) WHERE link_rule IN ('new', 'grandparent');
	DROP INDEX IF EXISTS requests_compaction;
	CREATE INDEX requests_compaction ON requests (client, started_at DESC) WHERE kind = 'compaction';`,
	// 4: nodes_blob serves no query (retention reads all of nodes anyway), and its random
	// keys cost every new node a page written to the WAL and again at the checkpoint.
	`DROP INDEX IF EXISTS nodes_blob;`,
	// 5: the linking-hash indexes end in started_at. A client can send one body thousands of
	// times (Claude Code's quota probe, a script, identical retries); the lookups want the
	// newest few of a hash, and without the column they read and sorted every match (the
	// recorder's catch-up after the proxy bench spent 64 % of its CPU there).
	`DROP INDEX IF EXISTS requests_cont;
	CREATE INDEX requests_cont ON requests (client, cont_hash, started_at) WHERE cont_hash IS NOT NULL;
	DROP INDEX IF EXISTS requests_cur;
	CREATE INDEX requests_cur ON requests (client, cur_hash, started_at) WHERE cur_hash IS NOT NULL;`,
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
