package postgres

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"nexus/store"
)

// The SQL mirrors the SQLite store's (store/sqlite/requests.go); keep the two in step.

const requestColumns = `id, started_at, method, path, query, model, stream, status, error, error_type, kind,
	session_id, conversation_id, branch, account, client_key_id, passthrough, rejected, finished, incomplete,
	stop_reason, message_id, input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens,
	cache_creation_5m, cache_creation_1h, cost_usd, ttfb_ms, duration_ms, overhead_ms, attempts, attempt_log, headers`

const requestPlaceholders = `$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
	$20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35`

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
				model = CASE WHEN excluded.model <> '' THEN excluded.model ELSE requests.model END,
				session_id = CASE WHEN excluded.session_id <> '' THEN excluded.session_id ELSE requests.session_id END,
				stream = excluded.stream, status = excluded.status, error = excluded.error,
				error_type = excluded.error_type, account = excluded.account, passthrough = excluded.passthrough,
				rejected = excluded.rejected, finished = TRUE, incomplete = excluded.incomplete,
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
	return s.retry(ctx, "recording request start", func() error {
		_, err := s.pool.Exec(ctx, startSQL, requestArgs(r)...)
		return err
	})
}

// FinishRequest implements store.Store. Request fields known only at start (model, session)
// are kept when the finishing record leaves them empty.
func (s *Store) FinishRequest(ctx context.Context, r store.Request) error {
	r.Finished = true
	return s.retry(ctx, "recording request end", func() error {
		_, err := s.pool.Exec(ctx, finishSQL, requestArgs(r)...)
		return err
	})
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
	q := `SELECT ` + requestColumns + ` FROM requests WHERE started_at < $1`
	args := []any{before}
	if f.Model != "" {
		q += ` AND model = $2`
		args = append(args, f.Model)
	}
	q += ` ORDER BY started_at DESC, id DESC LIMIT ` + placeholder(len(args)+1)
	args = append(args, limit)
	var out []store.Request
	err := s.retry(ctx, "listing requests", func() error {
		rows, err := s.pool.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, scanRequest)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CountRequests implements store.Store.
func (s *Store) CountRequests(ctx context.Context) (int64, error) {
	var n int64
	err := s.retry(ctx, "counting requests", func() error {
		return s.pool.QueryRow(ctx, `SELECT count(*) FROM requests`).Scan(&n)
	})
	return n, err
}

func placeholder(n int) string { return "$" + strconv.Itoa(n) }

func scanRequest(row pgx.CollectableRow) (store.Request, error) {
	var r store.Request
	var started int64
	err := row.Scan(&r.ID, &started, &r.Method, &r.Path, &r.Query, &r.Model, &r.Stream, &r.Status, &r.Error,
		&r.ErrorType, &r.Kind, &r.SessionID, &r.Conversation, &r.Branch, &r.Account, &r.ClientKeyID,
		&r.Passthrough, &r.Rejected, &r.Finished, &r.Incomplete, &r.StopReason, &r.MessageID, &r.InputTokens,
		&r.OutputTokens, &r.CacheCreationInputTokens, &r.CacheReadInputTokens, &r.CacheCreation5m,
		&r.CacheCreation1h, &r.CostUSD, &r.TTFBMs, &r.DurationMs, &r.OverheadMs, &r.Attempts, &r.AttemptsJSON,
		&r.HeadersJSON)
	r.StartedAt = time.UnixMilli(started).UTC()
	return r, err
}

// WriteRequests implements store.Store: one round trip per batch, in one transaction.
func (s *Store) WriteRequests(ctx context.Context, ops []store.RequestOp) error {
	return s.retry(ctx, "recording requests", func() error {
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			var b pgx.Batch
			for _, op := range ops {
				q, args := opSQL(op)
				b.Queue(q, args...)
			}
			return tx.SendBatch(ctx, &b).Close()
		})
	})
}
