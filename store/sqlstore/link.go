package sqlstore

import (
	"context"
	"strings"
	"time"

	"nexus/conversation"
	"nexus/store"
)

// linkRow is where linking placed a request: its conversation ("" for a stand-alone
// auxiliary request), branch, kind, parent and rule, and the linking hashes it keeps
// (store.LinkColumns).
type linkRow struct {
	conv, branch, kind, parent, rule string
	hashes                           []any
}

// noLink is the value of store.LinkColumns for a request not linked.
var noLink = make([]any, strings.Count(store.LinkColumns, ",")+1)

// link places a finished Messages request into a conversation (conversation.Link decides,
// with this transaction answering its lookups, so a batch sees its own earlier requests),
// stores the Agent calls its answer made and what linking changes in other rows, and returns
// what the request's own row is to hold: the caller writes it.
func (w *writer) link(ctx context.Context, r store.Request) (linkRow, error) {
	k := r.Keys
	scope := conversation.Scope{Client: store.ClientOf(r), Session: r.SessionID, At: r.StartedAt}
	if w.s.d.LockClient != "" {
		// Several processes may share the database: link one client's requests one at a
		// time, so that two forks never take the same branch name, nor two sub-threads the
		// same Agent call.
		if err := w.exec(ctx, w.s.d.LockClient, scope.Client); err != nil {
			return linkRow{}, err
		}
	}
	keys := k.Request
	if k.SealedSummary != nil && w.s.codec != nil {
		if summary, err := w.s.codec.Open(store.SummaryID, k.SealedSummary); err == nil {
			keys.Summary = string(summary)
		}
	}
	d, err := conversation.Link(ctx, lookup{w}, scope, keys)
	if err != nil {
		return linkRow{}, err
	}
	conv := d.Conversation
	if d.NewConversation {
		conv = ConversationID(r.ID)
		err := w.exec(ctx, `INSERT INTO conversations (id, client, session_id, title_sealed, started_at, last_at,
			parent_conversation_id, parent_request_id, agent_ordinal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`,
			conv, scope.Client, r.SessionID, nullBytes(k.SealedTitle), r.StartedAt.UnixMilli(), r.StartedAt.UnixMilli(),
			d.ParentConversation, d.ParentRequest, d.AgentOrdinal)
		if err != nil {
			return linkRow{}, err
		}
		if err := w.attachSideCalls(ctx, r, conv, scope.Client); err != nil {
			return linkRow{}, err
		}
	}
	// An auxiliary request never becomes anyone's parent: it keeps no linking hashes.
	keep := func(h conversation.Hash) any {
		if d.Kind == conversation.KindAuxiliary || h.IsZero() {
			return nil
		}
		return h[:]
	}
	row := linkRow{conv: conv, branch: d.Branch, kind: d.Kind, parent: d.ParentRequestID, rule: d.Rule,
		hashes: []any{keep(k.Request.Current), keep(k.Response.Continuation), keep(k.Request.Prev1),
			keep(k.Request.Prev2), keep(k.Request.FirstUser), keep(k.Request.System)}}
	if d.Kind != conversation.KindAuxiliary {
		for i, prompt := range k.Response.AgentPrompts {
			err := w.exec(ctx, `INSERT INTO agent_calls (request_id, ordinal, client, prompt_hash, conversation_id, at)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (request_id, ordinal) DO NOTHING`,
				r.ID, i+1, scope.Client, prompt[:], conv, r.StartedAt.UnixMilli())
			if err != nil {
				return linkRow{}, err
			}
		}
	}
	if d.Kind != conversation.KindAuxiliary {
		if err := w.adopt(ctx, r, conv, d.Branch, scope.Client); err != nil {
			return linkRow{}, err
		}
	}
	if d.Rule == conversation.RuleSubagent && d.ParentRequest != "" {
		err := w.exec(ctx, `UPDATE agent_calls SET claimed_by = ? WHERE request_id = ? AND ordinal = ?`,
			r.ID, d.ParentRequest, d.AgentOrdinal)
		if err != nil {
			return linkRow{}, err
		}
	}
	return row, nil
}

// adopt takes in requests that continue r but were written before it (a child whose record
// overtook its parent's, say after a spool replay): r becomes their parent, and a
// conversation they started joins r's, on r's branch. Rules "new" and "grandparent" are the
// ones a missing parent leads to (DO NOT change: stored in link_rule).
func (w *writer) adopt(ctx context.Context, r store.Request, conv, branch, client string) error {
	k := r.Keys
	var cont, cur any
	if !k.Response.Continuation.IsZero() {
		cont = k.Response.Continuation[:]
	}
	if !k.Request.Current.IsZero() {
		cur = k.Request.Current[:]
	}
	if cont == nil && cur == nil {
		return nil
	}
	rows, err := w.query(ctx, `SELECT id, conversation_id FROM requests WHERE client = ? AND link_rule IN ('new', 'grandparent')
		AND started_at >= ? AND id <> ? AND (prev1_hash = ? OR prev2_hash = ?)`,
		client, r.StartedAt.UnixMilli(), r.ID, cont, cur)
	if err != nil {
		return err
	}
	type orphan struct{ id, conv string }
	var orphans []orphan
	for rows.Next() {
		var o orphan
		if err := rows.Scan(&o.id, &o.conv); err != nil {
			rows.Close()
			return err
		}
		orphans = append(orphans, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, o := range orphans {
		err := w.exec(ctx, `UPDATE requests SET parent_request_id = ?, link_rule = 'adopted' WHERE id = ?`, r.ID, o.id)
		if err != nil {
			return err
		}
		if o.conv == conv {
			continue
		}
		steps := []struct {
			q    string
			args []any
		}{
			{mergeRequestsQuery, []any{conv, branch, o.conv}},
			{`UPDATE conversations SET
				request_count = request_count + (SELECT request_count FROM conversations WHERE id = ?),
				input_tokens = input_tokens + (SELECT input_tokens FROM conversations WHERE id = ?),
				output_tokens = output_tokens + (SELECT output_tokens FROM conversations WHERE id = ?),
				cache_creation_input_tokens = cache_creation_input_tokens + (SELECT cache_creation_input_tokens FROM conversations WHERE id = ?),
				cache_read_input_tokens = cache_read_input_tokens + (SELECT cache_read_input_tokens FROM conversations WHERE id = ?),
				cost_usd = cost_usd + (SELECT cost_usd FROM conversations WHERE id = ?),
				last_at = (SELECT CASE WHEN c.last_at > o.last_at THEN c.last_at ELSE o.last_at END
					FROM conversations c, conversations o WHERE c.id = ? AND o.id = ?)
				WHERE id = ?`, []any{o.conv, o.conv, o.conv, o.conv, o.conv, o.conv, conv, o.conv, conv}},
			{`UPDATE conversations SET parent_conversation_id = ? WHERE parent_conversation_id = ?`, []any{conv, o.conv}},
			{`UPDATE agent_calls SET conversation_id = ? WHERE conversation_id = ?`, []any{conv, o.conv}},
			{`DELETE FROM conversations WHERE id = ?`, []any{o.conv}},
		}
		for _, st := range steps {
			if err := w.exec(ctx, st.q, st.args...); err != nil {
				return err
			}
		}
	}
	return nil
}

// mergeRequestsQuery moves the requests of one conversation (3) to another (1) on a branch (2).
const mergeRequestsQuery = `UPDATE requests SET conversation_id = ?, branch = ? WHERE conversation_id = ? AND conversation_id <> ''`

// sideCallLead is how long before a session's first turn its side calls may have started:
// Claude Code asks for a title while the first turn is still running.
const sideCallLead = 10 * time.Minute

// sideCallMatch is a client's (1) side calls of a session (2) that are not in a conversation,
// finished (3) since a time (4). PostgreSQL indexes exactly these rows (requests_side_calls).
const sideCallMatch = `client = ? AND session_id = ? AND kind = 'auxiliary' AND conversation_id = '' AND finished = ? AND started_at >= ?`

// sideCallsQuery sums the usage of sideCallMatch's requests.
const sideCallsQuery = `SELECT count(*), CAST(coalesce(sum(input_tokens), 0) AS BIGINT),
	CAST(coalesce(sum(output_tokens), 0) AS BIGINT), CAST(coalesce(sum(cache_creation_input_tokens), 0) AS BIGINT),
	CAST(coalesce(sum(cache_read_input_tokens), 0) AS BIGINT), coalesce(sum(cost_usd), 0)
	FROM requests WHERE ` + sideCallMatch

// attachSideCalls gives a new conversation the side calls of its session that came before it
// and so found no conversation to join, with their usage.
func (w *writer) attachSideCalls(ctx context.Context, r store.Request, conv, client string) error {
	if r.SessionID == "" {
		return nil
	}
	args := []any{client, r.SessionID, true, r.StartedAt.Add(-sideCallLead).UnixMilli()}
	row, err := w.queryRow(ctx, sideCallsQuery, args...)
	if err != nil {
		return err
	}
	var n, in, out, cw, cr int64
	var cost float64
	if err := row.Scan(&n, &in, &out, &cw, &cr, &cost); err != nil || n == 0 {
		return err
	}
	if err := w.exec(ctx, `UPDATE requests SET conversation_id = ?, branch = ? WHERE `+sideCallMatch,
		append([]any{conv, conversation.MainBranch}, args...)...); err != nil {
		return err
	}
	return w.exec(ctx, `UPDATE conversations SET request_count = request_count + ?, input_tokens = input_tokens + ?,
		output_tokens = output_tokens + ?, cache_creation_input_tokens = cache_creation_input_tokens + ?,
		cache_read_input_tokens = cache_read_input_tokens + ?, cost_usd = cost_usd + ? WHERE id = ?`,
		n, in, out, cw, cr, cost, conv)
}

// ConversationID is the id of the conversation a request starts: derived from the request's
// id, so that writing the request again finds the same conversation.
func ConversationID(requestID string) string {
	return "c_" + strings.TrimPrefix(requestID, "r_")
}

// count adds a newly finished request to the hourly usage and its conversation's totals.
func (w *writer) count(ctx context.Context, r store.Request, conv string) error {
	hour := r.StartedAt.UnixMilli() / hourMs * hourMs
	cacheWrite := r.CacheCreationInputTokens
	err := w.exec(ctx, `INSERT INTO usage_hourly (hour, model, account, requests, input_tokens, output_tokens,
		cache_creation_input_tokens, cache_read_input_tokens, cost_usd) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?)
		ON CONFLICT (hour, model, account) DO UPDATE SET requests = usage_hourly.requests + 1,
		input_tokens = usage_hourly.input_tokens + excluded.input_tokens,
		output_tokens = usage_hourly.output_tokens + excluded.output_tokens,
		cache_creation_input_tokens = usage_hourly.cache_creation_input_tokens + excluded.cache_creation_input_tokens,
		cache_read_input_tokens = usage_hourly.cache_read_input_tokens + excluded.cache_read_input_tokens,
		cost_usd = usage_hourly.cost_usd + excluded.cost_usd`,
		hour, r.Model, r.Account, r.InputTokens, r.OutputTokens, cacheWrite, r.CacheReadInputTokens, r.CostUSD)
	if err != nil || conv == "" {
		return err
	}
	at := r.StartedAt.UnixMilli()
	return w.exec(ctx, `UPDATE conversations SET request_count = request_count + 1,
		input_tokens = input_tokens + ?, output_tokens = output_tokens + ?,
		cache_creation_input_tokens = cache_creation_input_tokens + ?,
		cache_read_input_tokens = cache_read_input_tokens + ?, cost_usd = cost_usd + ?,
		last_at = CASE WHEN last_at < ? THEN ? ELSE last_at END WHERE id = ?`,
		r.InputTokens, r.OutputTokens, cacheWrite, r.CacheReadInputTokens, r.CostUSD, at, at, conv)
}

const hourMs = int64(3600 * 1000)
