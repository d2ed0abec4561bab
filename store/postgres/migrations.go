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
	// 2: content (blobs, the message-prefix tree), conversations, linking keys, retention.
	`ALTER TABLE requests ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
	ALTER TABLE requests ADD COLUMN parent_request_id TEXT NOT NULL DEFAULT '';
	ALTER TABLE requests ADD COLUMN link_rule TEXT NOT NULL DEFAULT '';
	ALTER TABLE requests ADD COLUMN redactions INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE requests ADD COLUMN content TEXT NOT NULL DEFAULT '';
	ALTER TABLE requests ADD COLUMN client TEXT NOT NULL DEFAULT '';
	ALTER TABLE requests ADD COLUMN template_blob BYTEA;
	ALTER TABLE requests ADD COLUMN whole_body BOOLEAN NOT NULL DEFAULT FALSE;
	ALTER TABLE requests ADD COLUMN system_blob BYTEA;
	ALTER TABLE requests ADD COLUMN tools_blob BYTEA;
	ALTER TABLE requests ADD COLUMN last_node BYTEA;
	ALTER TABLE requests ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE requests ADD COLUMN response_blob BYTEA;
	ALTER TABLE requests ADD COLUMN cur_hash BYTEA;
	ALTER TABLE requests ADD COLUMN cont_hash BYTEA;
	ALTER TABLE requests ADD COLUMN prev1_hash BYTEA;
	ALTER TABLE requests ADD COLUMN prev2_hash BYTEA;
	ALTER TABLE requests ADD COLUMN first_user_hash BYTEA;
	ALTER TABLE requests ADD COLUMN system_hash BYTEA;
	CREATE TABLE blobs (
		hash BYTEA PRIMARY KEY,      -- keyed hash of the plain bytes
		size INTEGER NOT NULL,       -- plain size
		data BYTEA NOT NULL          -- zstd, then AES-256-GCM
	);
	CREATE TABLE nodes (
		hash BYTEA PRIMARY KEY,      -- H(parent || blob): the exact message prefix ending here
		parent BYTEA,                -- NULL for the first message
		blob BYTEA NOT NULL,
		depth INTEGER NOT NULL
	);
	CREATE INDEX nodes_blob ON nodes (blob);
	CREATE TABLE conversations (
		id TEXT PRIMARY KEY,
		client TEXT NOT NULL DEFAULT '',
		session_id TEXT NOT NULL DEFAULT '',
		title TEXT NOT NULL DEFAULT '',      -- unused: titles are content, kept sealed
		title_sealed BYTEA,                    -- the codec's seal of the title (store.TitleID)
		started_at BIGINT NOT NULL,
		last_at BIGINT NOT NULL,
		request_count BIGINT NOT NULL DEFAULT 0,
		input_tokens BIGINT NOT NULL DEFAULT 0,
		output_tokens BIGINT NOT NULL DEFAULT 0,
		cache_creation_input_tokens BIGINT NOT NULL DEFAULT 0,
		cache_read_input_tokens BIGINT NOT NULL DEFAULT 0,
		cost_usd DOUBLE PRECISION NOT NULL DEFAULT 0,
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
		prompt_hash BYTEA NOT NULL,
		conversation_id TEXT NOT NULL,
		at BIGINT NOT NULL,
		claimed_by TEXT NOT NULL DEFAULT '',
		PRIMARY KEY (request_id, ordinal)
	);
	CREATE INDEX agent_calls_prompt ON agent_calls (client, prompt_hash, at DESC);
	CREATE TABLE retention_runs (
		at BIGINT NOT NULL,
		reason TEXT NOT NULL,
		requests BIGINT NOT NULL,
		conversations BIGINT NOT NULL,
		blobs BIGINT NOT NULL,
		bytes_before BIGINT NOT NULL,
		bytes_after BIGINT NOT NULL,
		oldest_kept_start BIGINT NOT NULL
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
		hour BIGINT NOT NULL,             -- Unix milliseconds of the UTC hour
		model TEXT NOT NULL,
		account TEXT NOT NULL,
		requests BIGINT NOT NULL DEFAULT 0,
		input_tokens BIGINT NOT NULL DEFAULT 0,
		output_tokens BIGINT NOT NULL DEFAULT 0,
		cache_creation_input_tokens BIGINT NOT NULL DEFAULT 0,
		cache_read_input_tokens BIGINT NOT NULL DEFAULT 0,
		cost_usd DOUBLE PRECISION NOT NULL DEFAULT 0,
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
	// 4: smaller indexes (PostgreSQL only; bench/storage amplification). A B-tree page split
	// that is not at the right edge leaves both halves half full, so an index whose key
	// descends with time (started_at DESC, last_at DESC), where every new entry lands at the
	// left edge, stays half empty; ascending, new entries land at the right edge, where a
	// split leaves the old page full. ORDER BY … DESC reads the ascending index backwards,
	// with the same plans. nodes_blob serves no query (retention reads all of nodes anyway).
	// The session lookup always asks conversation_id <> '', so its index leaves out the rows
	// not yet linked (every request's start row version).
	`DROP INDEX IF EXISTS nodes_blob;
	DROP INDEX IF EXISTS requests_started;
	CREATE INDEX requests_started ON requests (started_at, id);
	DROP INDEX IF EXISTS requests_model;
	CREATE INDEX requests_model ON requests (model, started_at);
	DROP INDEX IF EXISTS requests_account;
	CREATE INDEX requests_account ON requests (account, started_at);
	DROP INDEX IF EXISTS requests_status;
	CREATE INDEX requests_status ON requests (status, started_at);
	DROP INDEX IF EXISTS requests_conversation;
	CREATE INDEX requests_conversation ON requests (conversation_id, started_at);
	DROP INDEX IF EXISTS requests_session_client;
	CREATE INDEX requests_session_client ON requests (session_id, client, started_at) WHERE conversation_id <> '';
	DROP INDEX IF EXISTS requests_compaction;
	CREATE INDEX requests_compaction ON requests (client, started_at) WHERE kind = 'compaction';
	DROP INDEX IF EXISTS conversations_last;
	CREATE INDEX conversations_last ON conversations (last_at, id);
	ALTER TABLE blobs SET (toast_tuple_target = 8160);
	ALTER TABLE blobs ALTER COLUMN data SET STORAGE EXTERNAL;`,
	// 5: the linking-hash indexes end in started_at. A client can send one body thousands of
	// times (Claude Code's quota probe, a script, identical retries); the lookups want the
	// newest few of a hash, and without the column they read and sorted every match (the
	// recorder's catch-up after the proxy bench spent 64 % of its CPU there).
	`DROP INDEX IF EXISTS requests_cont;
	CREATE INDEX requests_cont ON requests (client, cont_hash, started_at) WHERE cont_hash IS NOT NULL;
	DROP INDEX IF EXISTS requests_cur;
	CREATE INDEX requests_cur ON requests (client, cur_hash, started_at) WHERE cur_hash IS NOT NULL;`,
	// 6: a request's start row is not in the indexes that only finished or linked rows match
	// (bench/storage amplification; PostgreSQL only). Every request is written twice, at start
	// and at finish, and the finish changes indexed columns, so PostgreSQL keeps both versions
	// in every index that holds the start row until vacuum. No query of these indexes can
	// match a start row: it has no model, status or parent and no conversation yet. Every query
	// that these indexes serve repeats their predicate, so that the planner can use them with
	// a parameter in place of the value (sqlstore.PartialIndexQueries, store/postgres's
	// plan test). The side calls waiting for their session's first turn found their rows
	// through requests_conversation's '' entries; they have an index of their own.
	`DROP INDEX IF EXISTS requests_model;
	CREATE INDEX requests_model ON requests (model, started_at) WHERE finished;
	DROP INDEX IF EXISTS requests_status;
	CREATE INDEX requests_status ON requests (status, started_at) WHERE finished;
	DROP INDEX IF EXISTS requests_conversation;
	CREATE INDEX requests_conversation ON requests (conversation_id, started_at) WHERE conversation_id <> '';
	DROP INDEX IF EXISTS requests_parent;
	CREATE INDEX requests_parent ON requests (parent_request_id) WHERE parent_request_id <> '';
	CREATE INDEX requests_side_calls ON requests (client, session_id, started_at)
		WHERE kind = 'auxiliary' AND conversation_id = '';`,
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
