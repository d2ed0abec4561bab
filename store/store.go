// Package store defines the Store that keeps Nexus's records, and the types it keeps.
// Implementations live in sub-packages (sqlite/, postgres/); storetest/ is their common
// conformance suite.
package store

import (
	"context"
	"errors"
	"time"
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
	// CountRequests returns the number of recorded requests.
	CountRequests(ctx context.Context) (int64, error)
	Close() error
}

// RequestOp is one write of WriteRequests: a StartRequest, or a FinishRequest when Finish.
type RequestOp struct {
	Finish  bool
	Request Request
}

// RequestFilter narrows ListRequests. Zero fields do not filter.
type RequestFilter struct {
	Limit  int // default 50, at most 10,000
	Before time.Time
	Model  string
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
}
