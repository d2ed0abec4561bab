package sqlite

import (
	"context"
	"database/sql"
	"time"

	"nexus/store"
)

const requestColumns = `id, started_at, method, path, query, model, stream, status, error, error_type, kind,
	session_id, conversation_id, branch, account, client_key_id, passthrough, rejected, finished, incomplete,
	stop_reason, message_id, input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens,
	cache_creation_5m, cache_creation_1h, cost_usd, ttfb_ms, duration_ms, overhead_ms, attempts, attempt_log, headers`

const requestPlaceholders = `?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?`

func requestArgs(r store.Request) []any {
	return []any{r.ID, r.StartedAt.UnixMilli(), r.Method, r.Path, r.Query, r.Model, r.Stream, r.Status, r.Error,
		r.ErrorType, r.Kind, r.SessionID, r.Conversation, r.Branch, r.Account, r.ClientKeyID, r.Passthrough,
		r.Rejected, r.Finished, r.Incomplete, r.StopReason, r.MessageID, r.InputTokens, r.OutputTokens,
		r.CacheCreationInputTokens, r.CacheReadInputTokens, r.CacheCreation5m, r.CacheCreation1h, r.CostUSD,
		r.TTFBMs, r.DurationMs, r.OverheadMs, r.Attempts, r.AttemptsJSON, r.HeadersJSON}
}

// startSQL inserts a request unless it exists; finishSQL inserts or completes it, keeping
// the model and session known at start when the finishing record leaves them empty.
var (
	startSQL = `INSERT INTO requests (` + requestColumns + `) VALUES (` + requestPlaceholders + `)
		ON CONFLICT (id) DO NOTHING`
	finishSQL = `INSERT INTO requests (` + requestColumns + `) VALUES (` + requestPlaceholders + `)
		ON CONFLICT (id) DO UPDATE SET
			model = CASE WHEN excluded.model <> '' THEN excluded.model ELSE model END,
			session_id = CASE WHEN excluded.session_id <> '' THEN excluded.session_id ELSE session_id END,
			stream = excluded.stream, status = excluded.status, error = excluded.error,
			error_type = excluded.error_type, account = excluded.account, passthrough = excluded.passthrough,
			rejected = excluded.rejected, finished = 1, incomplete = excluded.incomplete,
			stop_reason = excluded.stop_reason, message_id = excluded.message_id,
			input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
			cache_creation_input_tokens = excluded.cache_creation_input_tokens,
			cache_read_input_tokens = excluded.cache_read_input_tokens,
			cache_creation_5m = excluded.cache_creation_5m, cache_creation_1h = excluded.cache_creation_1h,
			cost_usd = excluded.cost_usd, ttfb_ms = excluded.ttfb_ms, duration_ms = excluded.duration_ms,
			overhead_ms = excluded.overhead_ms, attempts = excluded.attempts,
			attempt_log = excluded.attempt_log, headers = excluded.headers`
)

// opSQL returns the statement and arguments of one write.
func opSQL(op store.RequestOp) (string, []any) {
	if op.Finish {
		op.Request.Finished = true
		return finishSQL, requestArgs(op.Request)
	}
	return startSQL, requestArgs(op.Request)
}

// StartRequest implements store.Store.
func (s *Store) StartRequest(ctx context.Context, r store.Request) error {
	_, err := s.db.ExecContext(ctx, startSQL, requestArgs(r)...)
	return wrap("recording request start", err)
}

// FinishRequest implements store.Store. Request fields known only at start (model, session)
// are kept when the finishing record leaves them empty.
func (s *Store) FinishRequest(ctx context.Context, r store.Request) error {
	r.Finished = true
	_, err := s.db.ExecContext(ctx, finishSQL, requestArgs(r)...)
	return wrap("recording request end", err)
}

// ListRequests implements store.Store.
func (s *Store) ListRequests(ctx context.Context, f store.RequestFilter) ([]store.Request, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 10000)
	before := int64(1<<62 - 1)
	if !f.Before.IsZero() {
		before = f.Before.UnixMilli()
	}
	q := `SELECT ` + requestColumns + ` FROM requests WHERE started_at < ?`
	args := []any{before}
	if f.Model != "" {
		q += ` AND model = ?`
		args = append(args, f.Model)
	}
	q += ` ORDER BY started_at DESC, id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, wrap("listing requests", err)
	}
	defer rows.Close()
	var out []store.Request
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, wrap("listing requests", err)
		}
		out = append(out, r)
	}
	return out, wrap("listing requests", rows.Err())
}

// CountRequests implements store.Store.
func (s *Store) CountRequests(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM requests`).Scan(&n)
	return n, wrap("counting requests", err)
}

func scanRequest(rows *sql.Rows) (store.Request, error) {
	var r store.Request
	var started int64
	err := rows.Scan(&r.ID, &started, &r.Method, &r.Path, &r.Query, &r.Model, &r.Stream, &r.Status, &r.Error,
		&r.ErrorType, &r.Kind, &r.SessionID, &r.Conversation, &r.Branch, &r.Account, &r.ClientKeyID,
		&r.Passthrough, &r.Rejected, &r.Finished, &r.Incomplete, &r.StopReason, &r.MessageID, &r.InputTokens,
		&r.OutputTokens, &r.CacheCreationInputTokens, &r.CacheReadInputTokens, &r.CacheCreation5m,
		&r.CacheCreation1h, &r.CostUSD, &r.TTFBMs, &r.DurationMs, &r.OverheadMs, &r.Attempts, &r.AttemptsJSON,
		&r.HeadersJSON)
	r.StartedAt = time.UnixMilli(started).UTC()
	return r, err
}

// WriteRequests implements store.Store.
func (s *Store) WriteRequests(ctx context.Context, ops []store.RequestOp) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap("recording requests", err)
	}
	defer tx.Rollback()
	for _, op := range ops {
		q, args := opSQL(op)
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return wrap("recording requests", err)
		}
	}
	return wrap("recording requests", tx.Commit())
}
