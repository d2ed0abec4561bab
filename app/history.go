package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"nexus/content"
	"nexus/store"
)

// Page sizes and bounds of the history views.
const (
	defaultPage = 100
	maxPage     = 500
	// maxConversationRequests is how many requests of one conversation are sent (the newest).
	maxConversationRequests = 2000
	// maxPreviews is how many of those (the newest) get a preview, which opens a body each.
	maxPreviews  = 200
	maxUsageDays = 366
)

// RequestQuery narrows ListRequests. Zero fields do not filter.
type RequestQuery struct {
	Limit int `json:"limit"` // default 100, at most 500
	// Cursor is a page's Next, for the page after it; "" for the newest.
	Cursor string `json:"cursor"`
	Model  string `json:"model"`
	Kind   string `json:"kind"`
	// Errors keeps only failed requests (status 0 or at least 400).
	Errors       bool   `json:"errors"`
	Conversation string `json:"conversation"`
	// Text finds requests whose newest message or answer contains it (needs stored bodies).
	Text string `json:"text"`
}

// RequestPage is one page of requests, newest first.
type RequestPage struct {
	Requests []RequestRow `json:"requests"`
	// Next is the cursor of the following page; "" when this is the last.
	Next string `json:"next"`
	// SearchStopped is true when a text search read its limit of requests (store.TextScanLimit)
	// before it filled the page: Next goes on searching older requests.
	SearchStopped bool `json:"search_stopped"`
}

// RequestRow is a request as a list shows it. Times are RFC 3339 (UTC, milliseconds).
type RequestRow struct {
	ID             string `json:"id"`
	StartedAt      string `json:"started_at"`
	Method         string `json:"method"`
	Path           string `json:"path"`
	Model          string `json:"model"`
	Stream         bool   `json:"stream"`
	Status         int    `json:"status"` // 0 when no answer came
	Error          string `json:"error"`
	Kind           string `json:"kind"`
	ConversationID string `json:"conversation_id"`
	Branch         string `json:"branch"`
	Account        string `json:"account"`
	// Finished is false while the request is in flight (or was when the app stopped).
	Finished                 bool    `json:"finished"`
	Incomplete               bool    `json:"incomplete"`
	StopReason               string  `json:"stop_reason"`
	InputTokens              int64   `json:"input_tokens"`
	OutputTokens             int64   `json:"output_tokens"`
	CacheCreationInputTokens int64   `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int64   `json:"cache_read_input_tokens"`
	CostUSD                  float64 `json:"cost_usd"`
	TTFBMs                   float64 `json:"ttfb_ms"`
	DurationMs               float64 `json:"duration_ms"`
	Attempts                 int     `json:"attempts"`
}

// RequestDetail is one request with its messages rendered for reading.
type RequestDetail struct {
	Request         RequestRow `json:"request"`
	Query           string     `json:"query"`
	ErrorType       string     `json:"error_type"`
	SessionID       string     `json:"session_id"`
	ParentRequestID string     `json:"parent_request_id"`
	LinkRule        string     `json:"link_rule"`
	MessageID       string     `json:"message_id"`
	UserAgent       string     `json:"user_agent"`
	Passthrough     bool       `json:"passthrough"`
	// Rejected says why the proxy refused the request itself; "" when it forwarded it.
	Rejected        string  `json:"rejected"`
	OverheadMs      float64 `json:"overhead_ms"`
	CacheCreation5m int64   `json:"cache_creation_5m_input_tokens"`
	CacheCreation1h int64   `json:"cache_creation_1h_input_tokens"`
	// Redactions is how many secrets were replaced before the bodies were stored.
	Redactions int `json:"redactions"`
	// AttemptLog is each attempt upstream, in order (retries after 429/5xx); empty when the
	// log was not kept.
	AttemptLog []AttemptRow `json:"attempt_log"`
	// Headers are the kept upstream headers (request-id, rate limits: no credentials).
	Headers []Header `json:"headers"`

	// Bodies says whether the rendered content below is there; Unavailable says why not
	// ("metadata only: …", or why the stored bodies could not be read).
	Bodies      bool   `json:"bodies"`
	Unavailable string `json:"unavailable"`
	System      string `json:"system"`
	SystemCut   bool   `json:"system_cut"`
	// Tools names the tools offered to the model, the first maxTools of them; ToolsOmitted
	// counts the rest.
	Tools        []string  `json:"tools"`
	ToolsOmitted int       `json:"tools_omitted"`
	Messages     []Message `json:"messages"`
	// OmittedMessages is how many of the oldest messages were left out to keep the detail
	// small enough to show.
	OmittedMessages int `json:"omitted_messages"`
	// Raw is the request body as text when it is not a Messages request ("" otherwise).
	Raw    string `json:"raw"`
	RawCut bool   `json:"raw_cut"`
	// Answer is the assistant's answer (from the JSON body or the stream); nil when none.
	Answer *Message `json:"answer"`
	// AnswerError is an error the response carried; "" when none.
	AnswerError string `json:"answer_error"`
}

// AttemptRow is one attempt of a request upstream.
type AttemptRow struct {
	Status     int     `json:"status"`
	Error      string  `json:"error"`
	DurationMs float64 `json:"duration_ms"`
}

// Header is one kept response header.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ConversationQuery narrows ListConversations.
type ConversationQuery struct {
	Limit  int    `json:"limit"` // default 100, at most 500
	Cursor string `json:"cursor"`
	Model  string `json:"model"`
	// Parent lists the sub-threads of this conversation.
	Parent string `json:"parent"`
}

// ConversationPage is one page of conversations, the most recently active first.
type ConversationPage struct {
	Conversations []ConversationRow `json:"conversations"`
	Next          string            `json:"next"`
}

// ConversationRow is a conversation as a list shows it.
type ConversationRow struct {
	ID    string `json:"id"`
	Title string `json:"title"` // "" when none is known (or bodies cannot be read)
	// StartedAt and LastAt are RFC 3339.
	StartedAt            string      `json:"started_at"`
	LastAt               string      `json:"last_at"`
	RequestCount         int64       `json:"request_count"`
	Branches             []BranchRow `json:"branches"`
	ParentConversationID string      `json:"parent_conversation_id"`
	ParentRequestID      string      `json:"parent_request_id"`
	InputTokens          int64       `json:"input_tokens"`
	OutputTokens         int64       `json:"output_tokens"`
	CacheCreationTokens  int64       `json:"cache_creation_input_tokens"`
	CacheReadTokens      int64       `json:"cache_read_input_tokens"`
	CostUSD              float64     `json:"cost_usd"`
}

// BranchRow is one branch of a conversation.
type BranchRow struct {
	Name         string `json:"name"`
	RequestCount int64  `json:"request_count"`
}

// ConversationDetail is a conversation with its requests, oldest first, and its sub-threads.
type ConversationDetail struct {
	Conversation ConversationRow `json:"conversation"`
	// Parent is the conversation this one is a sub-thread of; nil for a top-level one.
	Parent   *ConversationRow      `json:"parent"`
	Requests []ConversationRequest `json:"requests"`
	// EarlierRequests is how many older requests were left out (beyond the newest 2,000).
	EarlierRequests int64             `json:"earlier_requests"`
	SubThreads      []ConversationRow `json:"sub_threads"`
}

// ConversationRequest is one request in a conversation's timeline.
type ConversationRequest struct {
	ID              string `json:"id"`
	StartedAt       string `json:"started_at"`
	Branch          string `json:"branch"`
	Kind            string `json:"kind"`
	ParentRequestID string `json:"parent_request_id"`
	Model           string `json:"model"`
	Status          int    `json:"status"`
	Finished        bool   `json:"finished"`
	InputTokens     int64  `json:"input_tokens"`
	OutputTokens    int64  `json:"output_tokens"`
	CacheReadTokens int64  `json:"cache_read_input_tokens"`
	// CacheWriteTokens is the input written to the prompt cache.
	CacheWriteTokens int64   `json:"cache_creation_input_tokens"`
	CostUSD          float64 `json:"cost_usd"`
	DurationMs       float64 `json:"duration_ms"`
	// Preview is the last user message's text, shortened; "" when bodies are not kept (or
	// for older requests of a long conversation).
	Preview string `json:"preview"`
}

// UsageSummary is usage per UTC day and model over the last Days days.
type UsageSummary struct {
	Days int `json:"days"`
	// From and To are the dates covered (YYYY-MM-DD, UTC).
	From string     `json:"from"`
	To   string     `json:"to"`
	Rows []UsageDay `json:"rows"` // by date, then model
	// Models are the totals per model, the costliest first.
	Models []UsageTotal `json:"models"`
	Total  UsageTotal   `json:"total"`
}

// UsageDay is one day's usage of one model (all accounts).
type UsageDay struct {
	Date string `json:"date"` // YYYY-MM-DD
	UsageTotal
}

// UsageTotal sums requests, tokens and cost.
type UsageTotal struct {
	Model                    string  `json:"model"`
	Requests                 int64   `json:"requests"`
	InputTokens              int64   `json:"input_tokens"`
	OutputTokens             int64   `json:"output_tokens"`
	CacheCreationInputTokens int64   `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int64   `json:"cache_read_input_tokens"`
	CostUSD                  float64 `json:"cost_usd"`
}

// StorageInfo is how request bodies are kept, how big the store is, and what retention did.
type StorageInfo struct {
	BodiesStored bool `json:"bodies_stored"`
	Encrypted    bool `json:"encrypted"`
	Redacting    bool `json:"redacting"`
	// Reason is why bodies are not stored; "" when they are.
	Reason         string `json:"reason"`
	RetentionDays  int    `json:"retention_days"`
	RetentionMaxMB int    `json:"retention_max_mb"`
	// SizeBytes is the store's size on disk; -1 when it could not be read.
	SizeBytes int64          `json:"size_bytes"`
	Retention []RetentionRow `json:"retention"`
}

// RetentionRow is one retention pass that removed something.
type RetentionRow struct {
	At              string `json:"at"`
	Reason          string `json:"reason"`
	Requests        int64  `json:"requests"`
	Conversations   int64  `json:"conversations"`
	Blobs           int64  `json:"blobs"`
	BytesBefore     int64  `json:"bytes_before"`
	BytesAfter      int64  `json:"bytes_after"`
	OldestKeptStart string `json:"oldest_kept_start"`
}

// ListRequests returns a page of recorded requests, newest first.
func (a *App) ListRequests(q RequestQuery) (RequestPage, error) {
	before, beforeID, err := parseCursor(q.Cursor)
	if err != nil {
		return RequestPage{}, err
	}
	limit := pageSize(q.Limit)
	f := store.RequestFilter{Limit: limit, Before: before, BeforeID: beforeID, Model: strings.TrimSpace(q.Model),
		Kind: q.Kind, Conversation: q.Conversation, Text: strings.TrimSpace(q.Text)}
	if q.Errors {
		f.Status = -1
	}
	var rs []store.Request
	var stopped store.SearchResult
	if f.Text != "" {
		stopped, err = a.engine.Store().SearchRequests(a.context(), f)
		rs = stopped.Requests
	} else {
		rs, err = a.engine.Store().ListRequests(a.context(), f)
	}
	if err != nil {
		return RequestPage{}, fmt.Errorf("listing requests: %w", err)
	}
	page := RequestPage{Requests: make([]RequestRow, 0, len(rs))}
	for _, r := range rs {
		page.Requests = append(page.Requests, toRequestRow(r))
	}
	switch {
	case len(rs) == limit:
		last := rs[len(rs)-1]
		page.Next = makeCursor(last.StartedAt, last.ID)
	case stopped.ResumeID != "":
		page.Next, page.SearchStopped = makeCursor(stopped.ResumeAt, stopped.ResumeID), true
	}
	return page, nil
}

// RequestDetail returns one request with its messages rendered, or why they cannot be.
func (a *App) RequestDetail(id string) (RequestDetail, error) {
	d, err := a.engine.Store().GetRequest(a.context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return RequestDetail{}, fmt.Errorf("request %s is not recorded (retention may have removed it)", id)
	}
	if err != nil {
		return RequestDetail{}, fmt.Errorf("reading request %s: %w", id, err)
	}
	r := d.Request
	out := RequestDetail{
		Request: toRequestRow(r), Query: r.Query, ErrorType: r.ErrorType, SessionID: r.SessionID,
		ParentRequestID: r.ParentRequestID, LinkRule: r.LinkRule, MessageID: r.MessageID, UserAgent: r.UserAgent,
		Passthrough: r.Passthrough, Rejected: r.Rejected, OverheadMs: r.OverheadMs,
		CacheCreation5m: r.CacheCreation5m, CacheCreation1h: r.CacheCreation1h, Redactions: r.Redactions,
		AttemptLog: attemptLog(r.AttemptsJSON), Headers: safeHeaders(r.HeadersJSON),
		Tools: []string{}, Messages: []Message{},
	}
	request, response, err := content.OpenBodies(a.engine.Codec(), d)
	switch {
	case errors.Is(err, content.ErrNoContent):
		out.Unavailable = r.Content
		if out.Unavailable == "" || out.Unavailable == "stored" {
			out.Unavailable = "no bodies were stored for this request"
		}
		return out, nil
	case err != nil:
		out.Unavailable = err.Error()
		return out, nil
	}
	out.Bodies = true
	rr := renderRequest(request)
	out.System, out.SystemCut, out.Messages, out.OmittedMessages = rr.system, rr.systemCut, rr.messages, rr.omitted
	out.Raw, out.RawCut = rr.raw, rr.rawCut
	if rr.tools != nil {
		out.Tools, out.ToolsOmitted = rr.tools, rr.toolsMore
	}
	ans := renderAnswer(response)
	out.Answer, out.AnswerError = ans.answer, ans.errText
	return out, nil
}

// ListConversations returns a page of conversations, the most recently active first.
func (a *App) ListConversations(q ConversationQuery) (ConversationPage, error) {
	before, beforeID, err := parseCursor(q.Cursor)
	if err != nil {
		return ConversationPage{}, err
	}
	limit := pageSize(q.Limit)
	cs, err := a.engine.Store().ListConversations(a.context(), store.ConversationFilter{Limit: limit, Before: before,
		BeforeID: beforeID, Model: strings.TrimSpace(q.Model), Parent: q.Parent})
	if err != nil {
		return ConversationPage{}, fmt.Errorf("listing conversations: %w", err)
	}
	page := ConversationPage{Conversations: make([]ConversationRow, 0, len(cs))}
	for _, c := range cs {
		page.Conversations = append(page.Conversations, toConversationRow(c))
	}
	if len(cs) == limit {
		last := cs[len(cs)-1]
		page.Next = makeCursor(last.LastAt, last.ID)
	}
	return page, nil
}

// Conversation returns a conversation with its requests in order and its sub-threads.
func (a *App) Conversation(id string) (ConversationDetail, error) {
	ctx := a.context()
	st := a.engine.Store()
	c, err := st.GetConversation(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return ConversationDetail{}, fmt.Errorf("conversation %s is not recorded (retention may have removed it)", id)
	}
	if err != nil {
		return ConversationDetail{}, fmt.Errorf("reading conversation %s: %w", id, err)
	}
	out := ConversationDetail{Conversation: toConversationRow(c), Requests: []ConversationRequest{},
		SubThreads: []ConversationRow{}}
	if c.ParentConversationID != "" {
		if p, err := st.GetConversation(ctx, c.ParentConversationID); err == nil {
			row := toConversationRow(p)
			out.Parent = &row
		}
	}
	rs, err := st.ListRequests(ctx, store.RequestFilter{Conversation: id, Limit: maxConversationRequests})
	if err != nil {
		return ConversationDetail{}, fmt.Errorf("listing the requests of conversation %s: %w", id, err)
	}
	if n := c.RequestCount - int64(len(rs)); len(rs) == maxConversationRequests && n > 0 {
		out.EarlierRequests = n
	}
	// rs is newest first: previews for the newest, then the timeline oldest first.
	previews := a.previews(ctx, rs[:min(len(rs), maxPreviews)])
	for _, r := range rs {
		row := ConversationRequest{ID: r.ID, StartedAt: rfc3339(r.StartedAt), Branch: r.Branch, Kind: r.Kind,
			ParentRequestID: r.ParentRequestID, Model: r.Model, Status: r.Status, Finished: r.Finished,
			InputTokens: r.InputTokens, OutputTokens: r.OutputTokens, CacheReadTokens: r.CacheReadInputTokens,
			CacheWriteTokens: r.CacheCreationInputTokens, CostUSD: r.CostUSD, DurationMs: r.DurationMs}
		row.Preview = previews[r.ID]
		out.Requests = append(out.Requests, row)
	}
	for i, j := 0, len(out.Requests)-1; i < j; i, j = i+1, j-1 {
		out.Requests[i], out.Requests[j] = out.Requests[j], out.Requests[i]
	}
	subs, err := st.ListConversations(ctx, store.ConversationFilter{Parent: id, Limit: 1000})
	if err != nil {
		return ConversationDetail{}, fmt.Errorf("listing the sub-threads of conversation %s: %w", id, err)
	}
	for i := len(subs) - 1; i >= 0; i-- { // oldest activity first, as they happened
		out.SubThreads = append(out.SubThreads, toConversationRow(subs[i]))
	}
	sort.SliceStable(out.SubThreads, func(i, j int) bool { return out.SubThreads[i].StartedAt < out.SubThreads[j].StartedAt })
	return out, nil
}

// previews opens the newest message of each of rs and returns its text shortened, by
// request id; none when bodies cannot be read.
func (a *App) previews(ctx context.Context, rs []store.Request) map[string]string {
	codec := a.engine.Codec()
	if codec == nil || len(rs) == 0 {
		return nil
	}
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	sealed, err := a.engine.Store().NewestMessages(ctx, ids)
	if err != nil {
		return nil
	}
	out := make(map[string]string, len(sealed))
	for id, m := range sealed {
		if plain, err := codec.Open(m.Hash, m.Data); err == nil {
			out[id] = previewOf(plain)
		}
	}
	return out
}

// UsageSummary returns usage per UTC day and model for the last days days (today included).
func (a *App) UsageSummary(days int) (UsageSummary, error) {
	if days <= 0 {
		days = 14
	}
	days = min(days, maxUsageDays)
	now := time.Now().UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	from := today.AddDate(0, 0, -(days - 1))
	rows, err := a.engine.Store().Usage(a.context(), store.UsageQuery{From: from, To: today.AddDate(0, 0, 1), Bucket: "day"})
	if err != nil {
		return UsageSummary{}, fmt.Errorf("reading usage: %w", err)
	}
	out := UsageSummary{Days: days, From: from.Format(time.DateOnly), To: today.Format(time.DateOnly),
		Rows: []UsageDay{}, Models: []UsageTotal{}}
	byDay := map[string]int{} // date+"\x00"+model → index in out.Rows
	byModel := map[string]int{}
	for _, r := range rows {
		date := r.Start.UTC().Format(time.DateOnly)
		key := date + "\x00" + r.Model
		i, ok := byDay[key]
		if !ok {
			i = len(out.Rows)
			byDay[key] = i
			out.Rows = append(out.Rows, UsageDay{Date: date, UsageTotal: UsageTotal{Model: r.Model}})
		}
		add(&out.Rows[i].UsageTotal, r)
		m, ok := byModel[r.Model]
		if !ok {
			m = len(out.Models)
			byModel[r.Model] = m
			out.Models = append(out.Models, UsageTotal{Model: r.Model})
		}
		add(&out.Models[m], r)
		add(&out.Total, r)
	}
	sort.Slice(out.Rows, func(i, j int) bool {
		if out.Rows[i].Date != out.Rows[j].Date {
			return out.Rows[i].Date < out.Rows[j].Date
		}
		return out.Rows[i].Model < out.Rows[j].Model
	})
	sort.SliceStable(out.Models, func(i, j int) bool { return out.Models[i].CostUSD > out.Models[j].CostUSD })
	return out, nil
}

func add(t *UsageTotal, r store.UsageRow) {
	t.Requests += r.Requests
	t.InputTokens += r.InputTokens
	t.OutputTokens += r.OutputTokens
	t.CacheCreationInputTokens += r.CacheCreationInputTokens
	t.CacheReadInputTokens += r.CacheReadInputTokens
	t.CostUSD += r.CostUSD
}

// StorageInfo returns how bodies are kept, the store's size and the latest retention runs.
func (a *App) StorageInfo() (StorageInfo, error) {
	ctx := a.context()
	b := a.engine.BodyStorage()
	out := StorageInfo{BodiesStored: b.Enabled, Encrypted: b.Encrypted, Redacting: b.Redacting, Reason: b.Reason,
		RetentionDays: b.RetentionDays, RetentionMaxMB: b.RetentionMaxMB, SizeBytes: -1, Retention: []RetentionRow{}}
	if n, err := a.engine.Store().Size(ctx); err == nil {
		out.SizeBytes = n
	}
	runs, err := a.engine.Store().RetentionRuns(ctx, 10)
	if err != nil {
		return out, fmt.Errorf("reading retention runs: %w", err)
	}
	for _, r := range runs {
		out.Retention = append(out.Retention, RetentionRow{At: rfc3339(r.At), Reason: r.Reason, Requests: r.Requests,
			Conversations: r.Conversations, Blobs: r.Blobs, BytesBefore: r.BytesBefore, BytesAfter: r.BytesAfter,
			OldestKeptStart: rfc3339(r.OldestKeptStart)})
	}
	return out, nil
}

func pageSize(n int) int {
	if n <= 0 {
		return defaultPage
	}
	return min(n, maxPage)
}

// A cursor is "<unix ms>.<id>" of the last row of a page.
func makeCursor(t time.Time, id string) string {
	return strconv.FormatInt(t.UnixMilli(), 10) + "." + id
}

func parseCursor(c string) (time.Time, string, error) {
	if c == "" {
		return time.Time{}, "", nil
	}
	ms, id, ok := strings.Cut(c, ".")
	n, err := strconv.ParseInt(ms, 10, 64)
	if !ok || err != nil || id == "" {
		return time.Time{}, "", fmt.Errorf("bad page cursor %q", c)
	}
	return time.UnixMilli(n).UTC(), id, nil
}

// rfc3339 formats t in UTC with milliseconds; "" for the zero time.
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
}

func toRequestRow(r store.Request) RequestRow {
	return RequestRow{ID: r.ID, StartedAt: rfc3339(r.StartedAt), Method: r.Method, Path: r.Path, Model: r.Model,
		Stream: r.Stream, Status: r.Status, Error: r.Error, Kind: r.Kind, ConversationID: r.Conversation,
		Branch: r.Branch, Account: r.Account, Finished: r.Finished, Incomplete: r.Incomplete, StopReason: r.StopReason,
		InputTokens: r.InputTokens, OutputTokens: r.OutputTokens, CacheCreationInputTokens: r.CacheCreationInputTokens,
		CacheReadInputTokens: r.CacheReadInputTokens, CostUSD: r.CostUSD, TTFBMs: r.TTFBMs, DurationMs: r.DurationMs,
		Attempts: r.Attempts}
}

func toConversationRow(c store.Conversation) ConversationRow {
	row := ConversationRow{ID: c.ID, Title: c.Title, StartedAt: rfc3339(c.StartedAt), LastAt: rfc3339(c.LastAt),
		RequestCount: c.RequestCount, Branches: make([]BranchRow, 0, len(c.Branches)),
		ParentConversationID: c.ParentConversationID, ParentRequestID: c.ParentRequestID,
		InputTokens: c.InputTokens, OutputTokens: c.OutputTokens, CacheCreationTokens: c.CacheCreationTokens,
		CacheReadTokens: c.CacheReadTokens, CostUSD: c.CostUSD}
	for _, b := range c.Branches {
		row.Branches = append(row.Branches, BranchRow{Name: b.Name, RequestCount: b.RequestCount})
	}
	return row
}

// attemptLog reads the per-attempt log the recorder kept (proxy.Attempt as JSON).
func attemptLog(raw string) []AttemptRow {
	var in []struct {
		Status   int    `json:"status"`
		Error    string `json:"error"`
		Duration int64  `json:"duration_ns"`
	}
	out := []AttemptRow{}
	if json.Unmarshal([]byte(raw), &in) != nil {
		return out
	}
	for _, a := range in {
		out = append(out, AttemptRow{Status: a.Status, Error: a.Error, DurationMs: float64(a.Duration) / 1e6})
	}
	return out
}

// shownHeader reports whether a kept header may be shown: the ones the proxy keeps
// (request-id, retry-after, anthropic-ratelimit-*), never anything else the store might hold.
func shownHeader(name string) bool {
	n := strings.ToLower(name)
	return n == "request-id" || n == "retry-after" || strings.HasPrefix(n, "anthropic-ratelimit-")
}

// safeHeaders reads the kept headers (a JSON object of strings or string lists), sorted,
// keeping only those shownHeader allows.
func safeHeaders(raw string) []Header {
	out := []Header{}
	if strings.TrimSpace(raw) == "" {
		return out
	}
	var m map[string]json.RawMessage
	if json.Unmarshal([]byte(raw), &m) != nil {
		return out
	}
	for name, v := range m {
		if !shownHeader(name) {
			continue
		}
		var s string
		var list []string
		switch {
		case json.Unmarshal(v, &s) == nil:
		case json.Unmarshal(v, &list) == nil:
			s = strings.Join(list, ", ")
		default:
			s = string(v)
		}
		out = append(out, Header{Name: name, Value: s})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
