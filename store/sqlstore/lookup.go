package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"nexus/conversation"
)

// lookup answers conversation.Link's questions inside the writing transaction. Each is one
// indexed query.
type lookup struct{ w *writer }

var _ conversation.Lookup = lookup{}

const candidateColumns = `id, conversation_id, branch, session_id, kind, started_at, system_hash`

func (l lookup) candidates(ctx context.Context, query string, args ...any) ([]conversation.Candidate, error) {
	rows, err := l.w.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []conversation.Candidate
	for rows.Next() {
		c, err := scanCandidate(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func scanCandidate(scan func(...any) error, extra ...any) (conversation.Candidate, error) {
	var c conversation.Candidate
	var at int64
	var system []byte
	err := scan(append([]any{&c.RequestID, &c.Conversation, &c.Branch, &c.SessionID, &c.Kind, &at, &system}, extra...)...)
	c.At = time.UnixMilli(at).UTC()
	copy(c.System[:], system)
	return c, err
}

// since is the start of the lookback window w before the scope's request.
func since(s conversation.Scope, w time.Duration) int64 { return s.At.Add(-w).UnixMilli() }

// The newest requests of a client with a linking hash. Many requests can share one (a client
// sending the same body again and again: Claude Code's quota probe, a script, retries), so
// their indexes end in started_at: the lookup reads the newest few, not every match.
const (
	byContinuationQuery = `SELECT ` + candidateColumns + ` FROM requests WHERE client = ? AND cont_hash = ?
		AND started_at >= ? AND conversation_id <> '' ORDER BY started_at DESC, id DESC LIMIT 8`
	byCurrentQuery = `SELECT ` + candidateColumns + ` FROM requests WHERE client = ? AND cur_hash = ?
		AND started_at >= ? AND conversation_id <> '' ORDER BY started_at DESC, id DESC LIMIT 8`
)

func (l lookup) ByContinuation(ctx context.Context, s conversation.Scope, h conversation.Hash) ([]conversation.Candidate, error) {
	return l.candidates(ctx, byContinuationQuery, s.Client, h[:], since(s, conversation.LinkWindow))
}

func (l lookup) ByCurrent(ctx context.Context, s conversation.Scope, h conversation.Hash) ([]conversation.Candidate, error) {
	return l.candidates(ctx, byCurrentQuery, s.Client, h[:], since(s, conversation.LinkWindow))
}

func (l lookup) Children(ctx context.Context, parent string) ([]conversation.Child, error) {
	rows, err := l.w.query(ctx, `SELECT id, branch, cur_hash, kind FROM requests WHERE parent_request_id = ?
		ORDER BY started_at, id LIMIT 256`, parent)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []conversation.Child
	for rows.Next() {
		var c conversation.Child
		var cur []byte
		if err := rows.Scan(&c.RequestID, &c.Branch, &cur, &c.Kind); err != nil {
			return nil, err
		}
		copy(c.Current[:], cur)
		out = append(out, c)
	}
	return out, rows.Err()
}

func (l lookup) Branches(ctx context.Context, conv string) ([]string, error) {
	rows, err := l.w.query(ctx, `SELECT DISTINCT branch FROM requests WHERE conversation_id = ?`, conv)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

func (l lookup) AgentCall(ctx context.Context, s conversation.Scope, prompt conversation.Hash) (conversation.AgentCall, bool, error) {
	row, err := l.w.queryRow(ctx, `SELECT request_id, conversation_id, ordinal FROM agent_calls
		WHERE client = ? AND prompt_hash = ? AND claimed_by = '' AND at >= ? ORDER BY at DESC, ordinal LIMIT 1`,
		s.Client, prompt[:], since(s, conversation.AgentWindow))
	if err != nil {
		return conversation.AgentCall{}, false, err
	}
	var a conversation.AgentCall
	err = row.Scan(&a.RequestID, &a.Conversation, &a.Ordinal)
	if errors.Is(err, sql.ErrNoRows) {
		return a, false, nil
	}
	return a, err == nil, err
}

// compactionCandidates bounds how many earlier summaries a continuation is compared with.
const compactionCandidates = 16

func (l lookup) Compactions(ctx context.Context, s conversation.Scope) ([]conversation.CompactionCandidate, error) {
	if l.w.s.codec == nil {
		return nil, nil // answers are not stored, so there is no summary to find
	}
	rows, err := l.w.query(ctx, `SELECT r.id, r.conversation_id, r.branch, r.session_id, r.kind, r.started_at, r.system_hash, b.hash, b.data
		FROM requests r JOIN blobs b ON b.hash = r.response_blob
		WHERE r.client = ? AND r.kind = 'compaction' AND r.started_at >= ? AND r.conversation_id <> ''
		ORDER BY r.started_at DESC LIMIT ?`,
		s.Client, since(s, conversation.CompactionWindow), compactionCandidates)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []conversation.CompactionCandidate
	for rows.Next() {
		var hash, sealed []byte
		c, err := scanCandidate(rows.Scan, &hash, &sealed)
		if err != nil {
			return nil, err
		}
		plain, err := l.w.s.codec.Open(hash, sealed)
		if err != nil {
			continue // sealed under another key: not ours to read
		}
		out = append(out, conversation.CompactionCandidate{Candidate: c, Text: conversation.ResponseText(plain)})
	}
	return out, rows.Err()
}

func (l lookup) SessionLatest(ctx context.Context, s conversation.Scope) (conversation.Candidate, bool, error) {
	if s.Session == "" {
		return conversation.Candidate{}, false, nil
	}
	row, err := l.w.queryRow(ctx, `SELECT `+candidateColumns+` FROM requests WHERE session_id = ? AND client = ?
		AND kind <> 'auxiliary' AND conversation_id <> '' AND started_at >= ? ORDER BY started_at DESC, id DESC LIMIT 1`,
		s.Session, s.Client, since(s, conversation.LinkWindow))
	if err != nil {
		return conversation.Candidate{}, false, err
	}
	c, err := scanCandidate(row.Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	return c, err == nil, err
}
