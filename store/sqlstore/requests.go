package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"nexus/store"
)

var requestSQL = store.NewRequestSQL(func(int) string { return "?" })

// StartRequest implements store.Store.
func (s *Store) StartRequest(ctx context.Context, r store.Request) error {
	return s.WriteRequests(ctx, []store.RequestOp{{Request: r}})
}

// FinishRequest implements store.Store.
func (s *Store) FinishRequest(ctx context.Context, r store.Request) error {
	return s.WriteRequests(ctx, []store.RequestOp{{Finish: true, Request: r}})
}

// WriteRequests implements store.Store: in one transaction, in order, each start inserts its
// row and each finish completes it, stores its content, links it into a conversation and
// adds it to the totals. A finish written twice is stored, linked and counted once.
func (s *Store) WriteRequests(ctx context.Context, ops []store.RequestOp) error {
	if err := s.present(); err != nil {
		return err
	}
	err := s.inTx(ctx, "recording requests", func(tx *sql.Tx) error {
		w := s.writer(tx)
		defer w.close()
		if s.d.HoldContent != "" && slices.ContainsFunc(ops, func(op store.RequestOp) bool { return op.Finish }) {
			if _, err := tx.ExecContext(ctx, s.d.HoldContent); err != nil {
				return err
			}
		}
		for _, op := range ops {
			if err := w.write(ctx, op); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Gone during the transaction: the caller keeps the ops and writes them again (a finish
	// written twice is stored once).
	return s.present()
}

// present is Dialect.Present's verdict, nil without one.
func (s *Store) present() error {
	if s.d.Present == nil {
		return nil
	}
	return s.d.Present()
}

// prior is what a request's row held before a write.
type prior struct {
	exists, finished bool
	conversation     string
}

func (w *writer) prior(ctx context.Context, id string) (prior, error) {
	var p prior
	row, err := w.queryRow(ctx, `SELECT finished, conversation_id FROM requests WHERE id = ?`, id)
	if err != nil {
		return p, err
	}
	err = row.Scan(&p.finished, &p.conversation)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	p.exists = err == nil
	return p, err
}

// write applies one op. A finish first stores the request's content and links it, then
// writes its row once, with the pointers and the link (PostgreSQL keeps a row version, with
// an entry in every index, for each write of a row).
func (w *writer) write(ctx context.Context, op store.RequestOp) error {
	r := op.Request
	if !op.Finish {
		return w.exec(ctx, requestSQL.Start, store.RequestArgs(r)...)
	}
	r.Finished = true
	before, err := w.prior(ctx, r.ID)
	if err != nil {
		return err
	}
	var content *contentRow
	if r.Body != nil && !before.finished {
		if content, err = w.storeBody(ctx, r.Body); err != nil {
			return err
		}
		if content == nil {
			r.Content = ContentGone
			if f := w.s.contentGone.Load(); f != nil {
				(*f)()
			}
		}
	}
	conv := before.conversation
	hashes, linked := noLink, r.Keys != nil && conv == ""
	if linked {
		l, err := w.link(ctx, r)
		if err != nil {
			return err
		}
		conv, hashes = l.conv, l.hashes
		r.Conversation, r.Branch, r.Kind, r.ParentRequestID, r.LinkRule = l.conv, l.branch, l.kind, l.parent, l.rule
	}
	args := append(append(store.RequestArgs(r), content.args()...), hashes...)
	if err := w.exec(ctx, requestSQL.Finish[b2i(content != nil)][b2i(linked)], args...); err != nil {
		return err
	}
	if before.finished {
		return nil
	}
	return w.count(ctx, r, conv)
}

// listLimit is the page size of a request list asked for limit: 50 by default, at most
// 10,000.
func listLimit(limit int) int {
	if limit <= 0 {
		return 50
	}
	return min(limit, 10000)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ListRequests implements store.Store.
func (s *Store) ListRequests(ctx context.Context, f store.RequestFilter) ([]store.Request, error) {
	if f.Text != "" {
		res, err := s.SearchRequests(ctx, f)
		return res.Requests, err
	}
	query, args := listRequestsQuery(f)
	var out []store.Request
	err := s.call(ctx, "listing requests", func() (err error) {
		out, err = queryAll(ctx, s.db.QueryContext, s.q(query), args, store.RequestScan)
		return err
	})
	return out, err
}

// listRequestsQuery is ListRequests' query for f (without Text) and its arguments.
func listRequestsQuery(f store.RequestFilter) (string, []any) {
	where, args := requestWhere(f)
	return `SELECT ` + store.RequestColumns + ` FROM requests` + where +
		` ORDER BY started_at DESC, id DESC LIMIT ?`, append(args, listLimit(f.Limit))
}

func requestWhere(f store.RequestFilter) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, a ...any) { conds = append(conds, cond); args = append(args, a...) }
	if !f.Before.IsZero() {
		if f.BeforeID != "" {
			add(`(started_at < ? OR (started_at = ? AND id < ?))`, f.Before.UnixMilli(), f.Before.UnixMilli(), f.BeforeID)
		} else {
			add(`started_at < ?`, f.Before.UnixMilli())
		}
	}
	if !f.Since.IsZero() {
		add(`started_at >= ?`, f.Since.UnixMilli())
	}
	if f.Model != "" {
		add(`model = ? AND finished`, f.Model) // requests_model holds finished rows only (PostgreSQL)
	}
	if f.Account != "" {
		add(`account = ?`, f.Account)
	}
	switch {
	case f.Status > 0:
		add(`status = ? AND finished`, f.Status) // as requests_status
	case f.Status < 0:
		add(`(status = 0 OR status >= 400) AND finished`) // a request still running has status 0 too
	}
	if f.Kind != "" {
		add(`kind = ?`, f.Kind)
	}
	if f.Conversation != "" {
		add(`conversation_id = ? AND conversation_id <> ''`, f.Conversation) // as requests_conversation
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// CountRequests implements store.Store.
func (s *Store) CountRequests(ctx context.Context) (int64, error) {
	var n int64
	err := s.call(ctx, "counting requests", func() error {
		return s.db.QueryRowContext(ctx, `SELECT count(*) FROM requests`).Scan(&n)
	})
	return n, err
}
