package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"nexus/store"
)

const conversationColumns = `id, client, session_id, title_sealed, started_at, last_at, request_count, input_tokens,
	output_tokens, cache_creation_input_tokens, cache_read_input_tokens, cost_usd, parent_conversation_id,
	parent_request_id`

// scanConversation reads a row of conversationColumns, opening the sealed title when the
// store has the codec (else the title stays "").
func (s *Store) scanConversation(scan func(...any) error) (store.Conversation, error) {
	var c store.Conversation
	var started, last int64
	var title []byte
	err := scan(&c.ID, &c.Client, &c.SessionID, &title, &started, &last, &c.RequestCount, &c.InputTokens,
		&c.OutputTokens, &c.CacheCreationTokens, &c.CacheReadTokens, &c.CostUSD, &c.ParentConversationID,
		&c.ParentRequestID)
	c.StartedAt, c.LastAt = time.UnixMilli(started).UTC(), time.UnixMilli(last).UTC()
	if title != nil && s.codec != nil {
		if plain, err := s.codec.Open(store.TitleID, title); err == nil {
			c.Title = string(plain)
		}
	}
	return c, err
}

// ListConversations implements store.Store: a page of conversations, the most recently
// active first, each with its branches.
func (s *Store) ListConversations(ctx context.Context, f store.ConversationFilter) ([]store.Conversation, error) {
	query, args := listConversationsQuery(f)
	var out []store.Conversation
	err := s.call(ctx, "listing conversations", func() (err error) {
		if out, err = queryAll(ctx, s.db.QueryContext, s.q(query), args, s.scanConversation); err != nil {
			return err
		}
		return s.addBranches(ctx, out)
	})
	return out, err
}

// listConversationsQuery is ListConversations' query for f and its arguments.
func listConversationsQuery(f store.ConversationFilter) (string, []any) {
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 1000)
	var conds []string
	var args []any
	add := func(cond string, a ...any) { conds = append(conds, cond); args = append(args, a...) }
	if !f.Before.IsZero() {
		add(`(last_at < ? OR (last_at = ? AND id < ?))`, f.Before.UnixMilli(), f.Before.UnixMilli(), f.BeforeID)
	}
	if !f.Since.IsZero() {
		add(`last_at >= ?`, f.Since.UnixMilli())
	}
	if f.Parent != "" {
		add(`parent_conversation_id = ?`, f.Parent)
	}
	// The predicates of requests_model and requests_conversation (PostgreSQL), repeated.
	if f.Model != "" {
		add(`EXISTS (SELECT 1 FROM requests r WHERE r.conversation_id = conversations.id AND r.conversation_id <> '' AND r.model = ? AND r.finished)`, f.Model)
	}
	if f.Account != "" {
		add(`EXISTS (SELECT 1 FROM requests r WHERE r.conversation_id = conversations.id AND r.conversation_id <> '' AND r.account = ?)`, f.Account)
	}
	query := `SELECT ` + conversationColumns + ` FROM conversations`
	if len(conds) > 0 {
		query += ` WHERE ` + strings.Join(conds, ` AND `)
	}
	return query + ` ORDER BY last_at DESC, id DESC LIMIT ?`, append(args, limit)
}

// branchCountsQuery counts the requests of n conversations by branch, the oldest branch first.
func branchCountsQuery(n int) string {
	return `SELECT conversation_id, branch, count(*), min(started_at) FROM requests
		WHERE conversation_id IN (?` + strings.Repeat(", ?", n-1) + `) AND conversation_id <> ''
		GROUP BY conversation_id, branch ORDER BY 4`
}

// addBranches fills in the branches of convs with one query.
func (s *Store) addBranches(ctx context.Context, convs []store.Conversation) error {
	if len(convs) == 0 {
		return nil
	}
	index := make(map[string]int, len(convs))
	args := make([]any, len(convs))
	for i, c := range convs {
		index[c.ID] = i
		args[i] = c.ID
	}
	rows, err := s.db.QueryContext(ctx, s.q(branchCountsQuery(len(convs))), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var conv string
		var b store.Branch
		var first int64
		if err := rows.Scan(&conv, &b.Name, &b.RequestCount, &first); err != nil {
			return err
		}
		c := &convs[index[conv]]
		c.Branches = append(c.Branches, b)
	}
	return rows.Err()
}

// GetConversation implements store.Store.
func (s *Store) GetConversation(ctx context.Context, id string) (store.Conversation, error) {
	var c store.Conversation
	err := s.call(ctx, "reading conversation", func() error {
		var err error
		c, err = s.scanConversation(s.db.QueryRowContext(ctx,
			s.q(`SELECT `+conversationColumns+` FROM conversations WHERE id = ?`), id).Scan)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		convs := []store.Conversation{c}
		err = s.addBranches(ctx, convs)
		c = convs[0]
		return err
	})
	return c, err
}
