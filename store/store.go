// Package store defines the Store that keeps Nexus's records, and the types it keeps.
// Implementations live in sub-packages (sqlite/, postgres/); storetest/ is their common
// conformance suite.
package store

import (
	"context"
	"errors"
	"time"

	"nexus/conversation"
)

// ErrNotFound is returned when the asked-for record does not exist.
var ErrNotFound = errors.New("not found")

// ErrUnavailable wraps errors that mean the database cannot be reached now (connection
// refused, disk full, locked). The recorder keeps records in its spool and tries again.
var ErrUnavailable = errors.New("store unavailable")

// Store keeps request records. All methods are safe for concurrent use.
type Store interface {
	// StartRequest records a request that has begun. It is idempotent: a second call with the
	// same ID, or a call after FinishRequest, changes nothing.
	StartRequest(ctx context.Context, r Request) error
	// FinishRequest records a request's outcome: it inserts the request or completes the
	// existing row, and marks it finished. Model and session id are kept from the start when
	// the finishing record leaves them empty. Calling it twice leaves one row with the second
	// call's values.
	FinishRequest(ctx context.Context, r Request) error
	// WriteRequests applies starts and finishes in order, in one transaction: all or none.
	// It is how the recorder writes, in batches.
	WriteRequests(ctx context.Context, ops []RequestOp) error
	// ListRequests returns requests newest first.
	ListRequests(ctx context.Context, f RequestFilter) ([]Request, error)
	// SearchRequests is ListRequests for a filter with Text, saying where an unfinished
	// search stopped.
	SearchRequests(ctx context.Context, f RequestFilter) (SearchResult, error)
	// CountRequests returns the number of recorded requests.
	CountRequests(ctx context.Context) (int64, error)
	// GetRequest returns one request with its stored content (sealed), or ErrNotFound.
	GetRequest(ctx context.Context, id string) (RequestDetail, error)
	// NewestMessages returns the sealed newest message of each of the requests ids that has
	// one stored, by request id: what a conversation's timeline previews, without reading
	// whole histories.
	NewestMessages(ctx context.Context, ids []string) (map[string]Sealed, error)

	// ListConversations returns conversations, the most recently active first.
	ListConversations(ctx context.Context, f ConversationFilter) ([]Conversation, error)
	// GetConversation returns one conversation with its branches, or ErrNotFound.
	GetConversation(ctx context.Context, id string) (Conversation, error)

	// Usage sums tokens and cost per hour or day (UTC), model and account.
	Usage(ctx context.Context, q UsageQuery) ([]UsageRow, error)
	// AuthFailures counts 401 answers per client since a time, the most first.
	AuthFailures(ctx context.Context, since time.Time) ([]ClientFailures, error)

	// Retain removes requests beyond the policy and the content nothing points at any more,
	// and logs what it removed.
	Retain(ctx context.Context, p RetentionPolicy) (RetentionRun, error)
	// RetentionRuns returns the latest retention runs that removed something, newest first.
	RetentionRuns(ctx context.Context, limit int) ([]RetentionRun, error)
	// Size is the bytes the store takes on disk (SQLite: the file; PostgreSQL: its tables).
	Size(ctx context.Context) (int64, error)
	Close() error
}

// RequestOp is one write of WriteRequests: a StartRequest, or a FinishRequest when Finish.
type RequestOp struct {
	Finish  bool
	Request Request
}

// RequestFilter narrows ListRequests. Zero fields do not filter.
type RequestFilter struct {
	Limit int // default 50, at most 10,000
	// Before pages: requests that started before it (with BeforeID, strictly before that
	// request when several share the millisecond).
	Before       time.Time
	BeforeID     string
	Since        time.Time
	Model        string
	Account      string
	Status       int // exact status; -1 means any error (finished with status 0, no answer, or >= 400)
	Kind         string
	Conversation string
	// Text finds requests whose stored messages contain it (case-insensitive). It reads
	// sealed content, so it needs the store's codec and scans at most TextScanLimit requests.
	Text string
	// ScanLimit, when positive and smaller, replaces TextScanLimit for a text search.
	ScanLimit int
}

// TextScanLimit bounds how many requests a text search opens.
const TextScanLimit = 5000

// SearchResult is a page of a text search.
type SearchResult struct {
	Requests []Request
	// ResumeAt and ResumeID name the last request the search read when it stopped, after
	// TextScanLimit requests, before it had filled the page: the search goes on before it
	// (RequestFilter.Before and BeforeID). Both are zero when the search read every request
	// the filter allows, or filled the page.
	ResumeAt time.Time
	ResumeID string
}

// Request is one recorded request. Times are UTC; durations in milliseconds.
type Request struct {
	ID           string    `json:"id"`
	StartedAt    time.Time `json:"started_at"`
	Method       string    `json:"method"`
	Path         string    `json:"path"`
	Query        string    `json:"query,omitempty"`
	Model        string    `json:"model"`
	Stream       bool      `json:"stream"`
	Status       int       `json:"status"`
	Error        string    `json:"error"`
	ErrorType    string    `json:"error_type,omitempty"`
	Kind         string    `json:"kind"`
	SessionID    string    `json:"session_id"`
	Conversation string    `json:"conversation_id"`
	Branch       string    `json:"branch"`
	Account      string    `json:"account"`
	ClientKeyID  string    `json:"client_key_id,omitempty"`
	Passthrough  bool      `json:"passthrough"`
	Rejected     string    `json:"rejected,omitempty"`
	// Finished is false while the request is in flight (or was when the app stopped).
	Finished   bool   `json:"finished"`
	Incomplete bool   `json:"incomplete"`
	StopReason string `json:"stop_reason,omitempty"`
	MessageID  string `json:"message_id,omitempty"`

	InputTokens              int64   `json:"input_tokens"`
	OutputTokens             int64   `json:"output_tokens"`
	CacheCreationInputTokens int64   `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int64   `json:"cache_read_input_tokens"`
	CacheCreation5m          int64   `json:"cache_creation_5m_input_tokens"`
	CacheCreation1h          int64   `json:"cache_creation_1h_input_tokens"`
	CostUSD                  float64 `json:"cost_usd"`

	TTFBMs     float64 `json:"ttfb_ms"`
	DurationMs float64 `json:"duration_ms"`
	OverheadMs float64 `json:"overhead_ms"`
	Attempts   int     `json:"attempts"`
	// AttemptsJSON and HeadersJSON are the per-attempt log and the kept upstream headers
	// (rate limits, request-id), as JSON objects.
	AttemptsJSON string `json:"attempt_log,omitempty"`
	HeadersJSON  string `json:"headers,omitempty"`

	UserAgent       string `json:"user_agent,omitempty"`
	ParentRequestID string `json:"parent_request_id,omitempty"`
	// LinkRule says which linking rule placed the request (conversation.Decision.Rule).
	LinkRule string `json:"link_rule,omitempty"`
	// Redactions is how many secrets were replaced in the stored content.
	Redactions int `json:"redactions"`
	// Content says what of the bodies is kept: "stored", or why not ("metadata only: …").
	Content string `json:"content,omitempty"`

	// Body is the sealed content to store with a finish; nil when bodies are not kept.
	Body *Body `json:"body,omitempty"`
	// Keys are the linking keys of a Messages request, read from its bodies; nil when the
	// request is not linked (not /v1/messages, unreadable, refused).
	Keys *LinkKeys `json:"keys,omitempty"`
}

// LinkKeys are what the store needs to link a request into a conversation. They hold no
// content in the clear: the recorder moves the title and the compaction summary probe out
// of Request into the sealed fields (when bodies are stored; else it drops them).
type LinkKeys struct {
	Request  conversation.RequestKeys  `json:"request"`
	Response conversation.ResponseKeys `json:"response"`
	// SealedTitle and SealedSummary are Request.Title and Request.Summary sealed by the
	// codec under TitleID and SummaryID.
	SealedTitle   []byte `json:"sealed_title,omitempty"`
	SealedSummary []byte `json:"sealed_summary,omitempty"`
}

// TitleID and SummaryID are the blob ids sealed titles and summary probes are bound to.
// DO NOT change: stored in the database.
var (
	TitleID   = []byte("nexus conversation title")
	SummaryID = []byte("nexus compaction summary probe")
)

// Body is a request's content cut into content-addressed pieces, sealed by the recorder.
// Hashes are the codec's keyed hashes of the plain bytes (32 bytes).
type Body struct {
	KeyID string `json:"key_id"` // the codec key the blobs are sealed with
	// Blobs holds the sealed pieces not known to be stored already; the references below may
	// name blobs stored by earlier requests.
	Blobs []Blob `json:"blobs,omitempty"`
	// Template is the request body with system, tools and messages cut out (or the whole body
	// when it could not be split: then Messages is empty and Whole is true).
	Template []byte   `json:"template"`
	Whole    bool     `json:"whole,omitempty"`
	System   []byte   `json:"system,omitempty"`
	Tools    []byte   `json:"tools,omitempty"`
	Messages [][]byte `json:"messages,omitempty"`
	Response []byte   `json:"response,omitempty"`
}

// Blob is one sealed piece of content.
type Blob struct {
	Hash []byte `json:"hash"`
	Size int    `json:"size"` // plain size
	Data []byte `json:"data"` // sealed
}

// RequestDetail is a request with the sealed pieces that rebuild its bodies.
type RequestDetail struct {
	Request
	// Template, System, Tools, Messages and Response are sealed blobs (Data nil when absent);
	// Whole says Template is the whole request body.
	Template, System, Tools, Response Sealed
	Whole                             bool
	Messages                          []Sealed
}

// Sealed is a stored blob: its hash (the codec binds the two) and sealed bytes.
type Sealed struct {
	Hash, Data []byte
}

// Conversation is a tree of linked requests.
type Conversation struct {
	ID                   string    `json:"id"`
	Title                string    `json:"title"`
	Client               string    `json:"-"`
	SessionID            string    `json:"session_id,omitempty"`
	StartedAt            time.Time `json:"started_at"`
	LastAt               time.Time `json:"last_at"`
	RequestCount         int64     `json:"request_count"`
	Branches             []Branch  `json:"branches"`
	ParentConversationID string    `json:"parent_conversation_id"`
	ParentRequestID      string    `json:"parent_request_id"`
	InputTokens          int64     `json:"input_tokens"`
	OutputTokens         int64     `json:"output_tokens"`
	CacheCreationTokens  int64     `json:"cache_creation_input_tokens"`
	CacheReadTokens      int64     `json:"cache_read_input_tokens"`
	CostUSD              float64   `json:"cost_usd"`
}

// Branch is one path through a conversation.
type Branch struct {
	Name         string `json:"name"`
	RequestCount int64  `json:"request_count"`
}

// ConversationFilter narrows ListConversations. Zero fields do not filter.
type ConversationFilter struct {
	Limit    int // default 50, at most 1,000
	Before   time.Time
	BeforeID string
	Since    time.Time
	Model    string // conversations with a request of this model
	Account  string
	Parent   string // sub-threads of this conversation
}

// UsageQuery asks for usage between From and To, per Bucket.
type UsageQuery struct {
	From, To time.Time
	Bucket   string // "hour" or "day" (UTC)
}

// UsageRow is one bucket's usage for one model and account.
type UsageRow struct {
	Start                    time.Time `json:"start"`
	Model                    string    `json:"model"`
	Account                  string    `json:"account"`
	Requests                 int64     `json:"requests"`
	InputTokens              int64     `json:"input_tokens"`
	OutputTokens             int64     `json:"output_tokens"`
	CacheCreationInputTokens int64     `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int64     `json:"cache_read_input_tokens"`
	CostUSD                  float64   `json:"cost_usd"`
}

// ClientFailures is how many 401 answers one client got.
type ClientFailures struct {
	Client string    `json:"client"` // the client key id, else the user agent, else "unknown"
	Count  int64     `json:"count"`
	Last   time.Time `json:"last"`
}

// RetentionPolicy says what to keep. Zero fields set no limit.
type RetentionPolicy struct {
	MaxAge   time.Duration
	MaxBytes int64
	Now      time.Time // zero means time.Now()
}

// RetentionRun is what one retention pass removed.
type RetentionRun struct {
	At              time.Time `json:"at"`
	Reason          string    `json:"reason"` // "age", "size" or both
	Requests        int64     `json:"requests"`
	Conversations   int64     `json:"conversations"`
	Blobs           int64     `json:"blobs"`
	BytesBefore     int64     `json:"bytes_before"`
	BytesAfter      int64     `json:"bytes_after"`
	OldestKeptStart time.Time `json:"oldest_kept_start"`
}
