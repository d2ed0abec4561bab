package sqlstore

import (
	"context"
	"database/sql"
)

// writer writes one batch of requests in its transaction, preparing each statement once.
type writer struct {
	s     *Store
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func (s *Store) writer(tx *sql.Tx) *writer {
	return &writer{s: s, tx: tx, stmts: map[string]*sql.Stmt{}}
}

func (w *writer) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := w.stmts[query]; ok {
		return st, nil
	}
	st, err := w.tx.PrepareContext(ctx, w.s.q(query))
	if err != nil {
		return nil, err
	}
	w.stmts[query] = st
	return st, nil
}

func (w *writer) exec(ctx context.Context, query string, args ...any) error {
	st, err := w.stmt(ctx, query)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(ctx, args...)
	return err
}

func (w *writer) queryRow(ctx context.Context, query string, args ...any) (*sql.Row, error) {
	st, err := w.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryRowContext(ctx, args...), nil
}

func (w *writer) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := w.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (w *writer) close() {
	for _, st := range w.stmts {
		st.Close()
	}
}
