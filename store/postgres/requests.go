package postgres

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"

	"nexus/store"
)

// requestSQL is the shared requests SQL with this dialect's placeholders.
var requestSQL = store.NewRequestSQL(placeholder)

// StartRequest implements store.Store.
func (s *Store) StartRequest(ctx context.Context, r store.Request) error {
	return s.retry(ctx, "recording request start", func() error {
		_, err := s.pool.Exec(ctx, requestSQL.Start, store.RequestArgs(r)...)
		return err
	})
}

// FinishRequest implements store.Store. Request fields known only at start (model, session)
// are kept when the finishing record leaves them empty.
func (s *Store) FinishRequest(ctx context.Context, r store.Request) error {
	r.Finished = true
	return s.retry(ctx, "recording request end", func() error {
		_, err := s.pool.Exec(ctx, requestSQL.Finish, store.RequestArgs(r)...)
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
	q := `SELECT ` + store.RequestColumns + ` FROM requests WHERE started_at < $1`
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

func scanRequest(row pgx.CollectableRow) (store.Request, error) { return store.RequestScan(row.Scan) }

// WriteRequests implements store.Store: one round trip per batch, in one transaction.
func (s *Store) WriteRequests(ctx context.Context, ops []store.RequestOp) error {
	return s.retry(ctx, "recording requests", func() error {
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			var b pgx.Batch
			for _, op := range ops {
				q, args := requestSQL.Write(op)
				b.Queue(q, args...)
			}
			return tx.SendBatch(ctx, &b).Close()
		})
	})
}
