package sqlite

import (
	"context"
	"database/sql"

	"nexus/store"
)

// requestSQL is the shared requests SQL with this dialect's placeholders.
var requestSQL = store.NewRequestSQL(func(int) string { return "?" })

// StartRequest implements store.Store.
func (s *Store) StartRequest(ctx context.Context, r store.Request) error {
	_, err := s.db.ExecContext(ctx, requestSQL.Start, store.RequestArgs(r)...)
	return wrap("recording request start", err)
}

// FinishRequest implements store.Store. Request fields known only at start (model, session)
// are kept when the finishing record leaves them empty.
func (s *Store) FinishRequest(ctx context.Context, r store.Request) error {
	r.Finished = true
	_, err := s.db.ExecContext(ctx, requestSQL.Finish, store.RequestArgs(r)...)
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
	q := `SELECT ` + store.RequestColumns + ` FROM requests WHERE started_at < ?`
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

func scanRequest(rows *sql.Rows) (store.Request, error) { return store.RequestScan(rows.Scan) }

// WriteRequests implements store.Store.
func (s *Store) WriteRequests(ctx context.Context, ops []store.RequestOp) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap("recording requests", err)
	}
	defer tx.Rollback()
	for _, op := range ops {
		q, args := requestSQL.Write(op)
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return wrap("recording requests", err)
		}
	}
	return wrap("recording requests", tx.Commit())
}
