package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"nexus/conversation"
)

// lookup answers conversation.Link's questions inside the writing transaction. Each is one
// indexed query.
type lookup struct{ w *writer }

var _ conversation.Lookup = lookup{}

// candidateColumns are the columns scanCandidate reads, in order; prefixedCandidateColumns
// the same of requests named r.
const (
	candidateColumns         = `id, conversation_id, branch, session_id, kind, started_at, system_hash, cur_hash`
	prefixedCandidateColumns = `r.id, r.conversation_id, r.branch, r.session_id, r.kind, r.started_at, r.system_hash, r.cur_hash`
)

func (l lookup) candidates(ctx context.Context, query string, args ...any) ([]conversation.Candidate, error) {
	return queryAll(ctx, l.w.query, query, args, func(scan func(...any) error) (conversation.Candidate, error) {
		return scanCandidate(scan)
	})
}

func scanCandidate(scan func(...any) error, extra ...any) (conversation.Candidate, error) {
	var c conversation.Candidate
	var at int64
	var system, current []byte
	err := scan(append([]any{&c.RequestID, &c.Conversation, &c.Branch, &c.SessionID, &c.Kind, &at, &system, &current}, extra...)...)
	c.At = time.UnixMilli(at).UTC()
	copy(c.System[:], system)
	copy(c.Current[:], current)
	return c, err
}

// since is the start of the lookback window w before the scope's request.
func since(s conversation.Scope, w time.Duration) int64 { return s.At.Add(-w).UnixMilli() }

// The newest requests of a client with a linking hash. Many requests can share one (a client
// sending the same body again and again: Claude Code's quota probe, a script, retries), so
// their indexes (requests_cont, requests_cur) end in started_at: a lookup reads the newest
// few, not every match. When those are all of other sessions (sessions opening with the same
// exchange), the lookup reads the newest sessionScan to find the request's session's: still
// a bounded read of the same index.
const (
	candidateLimit = 8
	sessionScan    = 256
)

var (
	byContinuationQuery        = newestWithHash("cont_hash", candidateLimit)
	byCurrentQuery             = newestWithHash("cur_hash", candidateLimit)
	sessionByContinuationQuery = sessionWithHash("cont_hash")
	sessionByCurrentQuery      = sessionWithHash("cur_hash")
)

// newestWithHash selects the newest limit requests of a client (argument 1) whose column is
// a hash (2), started since (3).
func newestWithHash(column string, limit int) string {
	return `SELECT ` + candidateColumns + ` FROM requests WHERE client = ? AND ` + column + ` = ?
		AND started_at >= ? AND conversation_id <> '' ORDER BY started_at DESC, id DESC LIMIT ` + strconv.Itoa(limit)
}

// sessionWithHash selects, among the newest sessionScan of newestWithHash, the newest
// candidateLimit of a session (argument 4).
func sessionWithHash(column string) string {
	return `SELECT ` + candidateColumns + ` FROM (` + newestWithHash(column, sessionScan) + `) AS newest
		WHERE session_id = ? ORDER BY started_at DESC, id DESC LIMIT ` + strconv.Itoa(candidateLimit)
}

func (l lookup) ByContinuation(ctx context.Context, s conversation.Scope, h conversation.Hash) ([]conversation.Candidate, error) {
	return l.withHash(ctx, s, h, byContinuationQuery, sessionByContinuationQuery)
}

func (l lookup) ByCurrent(ctx context.Context, s conversation.Scope, h conversation.Hash) ([]conversation.Candidate, error) {
	return l.withHash(ctx, s, h, byCurrentQuery, sessionByCurrentQuery)
}

// withHash runs the newestWithHash query newest; when its list is full and holds no request
// of s.Session, it adds the session's that the sessionWithHash query session finds. Those are
// older than the whole list, so the result stays newest first.
func (l lookup) withHash(ctx context.Context, s conversation.Scope, h conversation.Hash, newest, session string) ([]conversation.Candidate, error) {
	from := since(s, conversation.LinkWindow)
	cands, err := l.candidates(ctx, newest, s.Client, h[:], from)
	if err != nil || s.Session == "" || len(cands) < candidateLimit {
		return cands, err
	}
	for _, c := range cands {
		if c.SessionID == s.Session {
			return cands, nil
		}
	}
	more, err := l.candidates(ctx, session, s.Client, h[:], from, s.Session)
	return append(cands, more...), err
}

// LinkQueries are the linking lookups that can read many rows when the wrong index serves
// them, by the index that must, with the arguments of a sample call's placeholders: for the
// backends' query-plan tests (PostgreSQL indexes some of them partially).
var LinkQueries = []IndexedQuery{
	{"requests_session_client", sessionConversationQuery, []any{"s1", "k1", int64(0)}},
	{"requests_session_client", sessionLatestQuery, []any{"s1", "k1", int64(0)}},
	{"requests_session_client", sessionFirstUserQuery, []any{"s1", "k1", int64(0), []byte("hash")}},
	{"requests_parent", childrenQuery, []any{"r1", "k1", []byte("hash"), int64(0), "c1"}},
	{"requests_cur", childrenQuery, []any{"r1", "k1", []byte("hash"), int64(0), "c1"}},
}

// childrenQuery reads the children of a request (argument 1) and of its twins: the requests
// in its conversation (5) among the newest sessionScan of a client (2) with its current hash
// (3, NULL for none), started since (4). One query: requests_parent, with requests_cur for the
// twins. A client can send one body in many conversations (the same `claude -p` prompt run
// again and again): the twins are looked for among the newest, not among all of them. The
// few children are sorted, not read in time order: "+started_at" keeps SQLite from walking
// requests_started through every request to skip that sort. The non-empty parent_request_id
// term is requests_parent's predicate on PostgreSQL.
var childrenQuery = `SELECT id, branch, cur_hash, prev2_hash, kind FROM requests WHERE parent_request_id <> '' AND parent_request_id IN (
	SELECT ? UNION ALL SELECT id FROM (` + newestWithHash("cur_hash", sessionScan) + `) AS newest WHERE conversation_id = ?)
	ORDER BY +started_at, id LIMIT 256`

func (l lookup) Children(ctx context.Context, s conversation.Scope, parent conversation.Candidate) ([]conversation.Child, error) {
	var current any // NULL: no twins
	if !parent.Current.IsZero() {
		current = parent.Current[:]
	}
	rows, err := l.w.query(ctx, childrenQuery, parent.RequestID, s.Client, current,
		since(s, conversation.LinkWindow), parent.Conversation)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []conversation.Child
	for rows.Next() {
		var c conversation.Child
		var cur, prev2 []byte
		if err := rows.Scan(&c.RequestID, &c.Branch, &cur, &prev2, &c.Kind); err != nil {
			return nil, err
		}
		copy(c.Current[:], cur)
		copy(c.Prev2[:], prev2)
		out = append(out, c)
	}
	return out, rows.Err()
}

const branchesQuery = `SELECT DISTINCT branch FROM requests WHERE conversation_id = ? AND conversation_id <> ''`

func (l lookup) Branches(ctx context.Context, conv string) ([]string, error) {
	rows, err := l.w.query(ctx, branchesQuery, conv)
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
	rows, err := l.w.query(ctx, `SELECT `+prefixedCandidateColumns+`, b.hash, b.data
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
	return l.sessionNewest(ctx, s, sessionLatestQuery)
}

// SessionConversation reads the session's requests newest first (requests_session_client)
// until one is in a conversation without a parent conversation: past the sub-agents' requests
// since the session's last turn.
func (l lookup) SessionConversation(ctx context.Context, s conversation.Scope) (conversation.Candidate, bool, error) {
	return l.sessionNewest(ctx, s, sessionConversationQuery)
}

// sessionNewest runs query, which selects one candidate of a session (argument 1) and client
// (2) started since (3); ok is false without one or without a session.
func (l lookup) sessionNewest(ctx context.Context, s conversation.Scope, query string) (conversation.Candidate, bool, error) {
	if s.Session == "" {
		return conversation.Candidate{}, false, nil
	}
	row, err := l.w.queryRow(ctx, query, s.Session, s.Client, since(s, conversation.LinkWindow))
	if err != nil {
		return conversation.Candidate{}, false, err
	}
	c, err := scanCandidate(row.Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	return c, err == nil, err
}

func (l lookup) SessionFirstUser(ctx context.Context, s conversation.Scope, firstUser conversation.Hash) (bool, error) {
	if s.Session == "" {
		return false, nil
	}
	rows, err := l.w.query(ctx, sessionFirstUserQuery, s.Session, s.Client, since(s, conversation.LinkWindow), firstUser[:])
	if err != nil {
		return false, err
	}
	defer rows.Close()
	return rows.Next(), rows.Err()
}

// sessionFirstUserQuery reads a session's requests (requests_session_client) for one whose
// first user message is a hash (argument 4). Only a restart after compaction no hash links
// asks it.
const sessionFirstUserQuery = `SELECT 1 FROM requests WHERE session_id = ? AND client = ? AND started_at >= ?
	AND conversation_id <> '' AND first_user_hash = ? LIMIT 1`

const sessionLatestQuery = `SELECT ` + candidateColumns + ` FROM requests WHERE session_id = ? AND client = ?
	AND kind <> 'auxiliary' AND conversation_id <> '' AND started_at >= ? ORDER BY started_at DESC, id DESC LIMIT 1`

const sessionConversationQuery = `SELECT ` + prefixedCandidateColumns + `
	FROM requests r JOIN conversations c ON c.id = r.conversation_id
	WHERE r.session_id = ? AND r.client = ? AND r.kind <> 'auxiliary' AND r.started_at >= ?
	AND r.conversation_id <> '' AND c.parent_conversation_id = '' ORDER BY r.started_at DESC, r.id DESC LIMIT 1`
