package store

import (
	"strings"
	"time"
)

// The SQL of the requests table, shared by the SQLite and PostgreSQL stores. It is written in
// the dialect both accept; each store supplies only its placeholders ("?" or "$n").

// RequestColumns lists the requests table's columns in the order of RequestArgs and
// RequestScan.
const RequestColumns = `id, started_at, method, path, query, model, stream, status, error, error_type, kind,
	session_id, conversation_id, branch, account, client_key_id, passthrough, rejected, finished, incomplete,
	stop_reason, message_id, input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens,
	cache_creation_5m, cache_creation_1h, cost_usd, ttfb_ms, duration_ms, overhead_ms, attempts, attempt_log, headers,
	user_agent, client, redactions, content, parent_request_id, link_rule`

// requestColumnCount is the number of RequestColumns.
var requestColumnCount = strings.Count(RequestColumns, ",") + 1

// RequestArgs returns r's values in the order of RequestColumns; times are Unix milliseconds.
func RequestArgs(r Request) []any {
	return []any{r.ID, r.StartedAt.UnixMilli(), r.Method, r.Path, r.Query, r.Model, r.Stream, r.Status, r.Error,
		r.ErrorType, r.Kind, r.SessionID, r.Conversation, r.Branch, r.Account, r.ClientKeyID, r.Passthrough,
		r.Rejected, r.Finished, r.Incomplete, r.StopReason, r.MessageID, r.InputTokens, r.OutputTokens,
		r.CacheCreationInputTokens, r.CacheReadInputTokens, r.CacheCreation5m, r.CacheCreation1h, r.CostUSD,
		r.TTFBMs, r.DurationMs, r.OverheadMs, r.Attempts, r.AttemptsJSON, r.HeadersJSON,
		r.UserAgent, ClientOf(r), r.Redactions, r.Content, r.ParentRequestID, r.LinkRule}
}

// RequestScan reads one row of RequestColumns with scan (a Rows.Scan or Row.Scan).
func RequestScan(scan func(dest ...any) error) (Request, error) {
	var r Request
	var started int64
	var client string
	err := scan(&r.ID, &started, &r.Method, &r.Path, &r.Query, &r.Model, &r.Stream, &r.Status, &r.Error,
		&r.ErrorType, &r.Kind, &r.SessionID, &r.Conversation, &r.Branch, &r.Account, &r.ClientKeyID,
		&r.Passthrough, &r.Rejected, &r.Finished, &r.Incomplete, &r.StopReason, &r.MessageID, &r.InputTokens,
		&r.OutputTokens, &r.CacheCreationInputTokens, &r.CacheReadInputTokens, &r.CacheCreation5m,
		&r.CacheCreation1h, &r.CostUSD, &r.TTFBMs, &r.DurationMs, &r.OverheadMs, &r.Attempts, &r.AttemptsJSON,
		&r.HeadersJSON, &r.UserAgent, &client, &r.Redactions, &r.Content, &r.ParentRequestID, &r.LinkRule)
	r.StartedAt = time.UnixMilli(started).UTC()
	return r, err
}

// ClientOf is the client identity linking is scoped to: the client key that authenticated
// the request, else the account its credential came from, else "passthrough".
func ClientOf(r Request) string {
	switch {
	case r.ClientKeyID != "":
		return "key:" + r.ClientKeyID
	case r.Account != "":
		return "account:" + r.Account
	default:
		return "passthrough"
	}
}

// ContentColumns are a finished request's pointers to its stored content; LinkColumns, the
// linking hashes it keeps for the requests after it. Their values are the store's own.
const (
	ContentColumns = `template_blob, whole_body, system_blob, tools_blob, last_node, message_count, response_blob`
	LinkColumns    = `cur_hash, cont_hash, prev1_hash, prev2_hash, first_user_hash, system_hash`
)

// RequestSQL holds the write statements for one placeholder style.
type RequestSQL struct {
	// Start inserts a request (RequestColumns) unless it exists.
	Start string
	// Finish[withContent][linked] inserts or completes a request, in one statement whose
	// values are RequestColumns, ContentColumns and LinkColumns. It keeps the model and
	// session known at start when the finishing record leaves them empty. On an existing row
	// it sets the content pointers only withContent, and the conversation, branch, kind,
	// parent, rule and linking hashes only when linked; otherwise the row keeps its own.
	Finish [2][2]string
}

// NewRequestSQL builds the statements; placeholder(i) is the dialect's i-th (1-based)
// parameter.
func NewRequestSQL(placeholder func(i int) string) RequestSQL {
	values := func(from, n int) string {
		ps := make([]string, n)
		for i := range ps {
			ps[i] = placeholder(from + i)
		}
		return strings.Join(ps, ", ")
	}
	var q RequestSQL
	q.Start = `INSERT INTO requests (` + RequestColumns + `) VALUES (` + values(1, requestColumnCount) + `)
		ON CONFLICT (id) DO NOTHING`
	all := RequestColumns + `, ` + ContentColumns + `, ` + LinkColumns
	insert := `INSERT INTO requests (` + all + `) VALUES (` + values(1, strings.Count(all, ",")+1) + `)
		ON CONFLICT (id) DO UPDATE SET ` + finishSet
	for content := range 2 {
		for linked := range 2 {
			q.Finish[content][linked] = insert + setAll(content == 1, ContentColumns) +
				setAll(linked == 1, `conversation_id, branch, kind, parent_request_id, link_rule, `+LinkColumns)
		}
	}
	return q
}

// finishSet is what a finish sets on an existing row, besides content and link columns.
const finishSet = `model = CASE WHEN excluded.model <> '' THEN excluded.model ELSE requests.model END,
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
	attempt_log = excluded.attempt_log, headers = excluded.headers,
	user_agent = CASE WHEN excluded.user_agent <> '' THEN excluded.user_agent ELSE requests.user_agent END,
	redactions = excluded.redactions, content = excluded.content`

// setAll is ", col = excluded.col" for each of columns, when set.
func setAll(set bool, columns string) string {
	if !set {
		return ""
	}
	var b strings.Builder
	for _, c := range strings.Split(columns, ",") {
		c = strings.TrimSpace(c)
		b.WriteString(", " + c + " = excluded." + c)
	}
	return b.String()
}
