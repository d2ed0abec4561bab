package proxy

import (
	"time"

	"nexus/conversation"
)

// Record describes one request through the proxy. The proxy hands a Record to the Recorder
// twice: at start (request fields set, Status 0) and at the end (everything set). Both carry
// the same ID.
type Record struct {
	ID        string
	StartedAt time.Time
	Method    string
	Path      string
	Query     string
	// ClientKeyID names the client key that authenticated the request (never the key itself);
	// empty with client auth off or when authentication failed.
	ClientKeyID string
	// Account is the keychain account whose credential went upstream; empty for passthrough.
	Account     string
	Passthrough bool
	// SessionID is Claude Code's X-Claude-Code-Session-Id header, else the session in the
	// body's metadata.user_id.
	SessionID string
	// Model and Stream are what the request asked for (the answer's model wins at the end).
	Model  string
	Stream bool
	// UserAgent is the client's User-Agent header (shortened), to tell clients apart.
	UserAgent string
	// RequestBody is the request as received, set only with Config.KeepBodies. It is shared,
	// not copied: the recorder must not modify it, and may keep it only until it calls
	// Release (the buffer is then reused).
	RequestBody []byte
	// Release, when not nil, gives RequestBody's buffer back to the proxy. A recorder calls it
	// once, when it has read the bodies (a recorder that never calls it only costs the
	// proxy's pool a buffer).
	Release func()
	// Rejected is "guard" or "auth" when the proxy refused the request itself.
	Rejected string

	// Set at the end.
	Status       int
	ErrorType    string
	ErrorMessage string
	MessageID    string
	StopReason   string
	// Incomplete is true when a stream ended without message_stop (cut upstream or by the
	// client).
	Incomplete bool
	Usage      conversation.Usage
	TTFB       time.Duration
	Duration   time.Duration
	// Overhead is the proxy's own time: from arrival until the request went upstream, plus
	// from upstream's response headers until they were passed on.
	Overhead time.Duration
	// Attempts lists every upstream try; more than one when retries happened.
	Attempts []Attempt
	// Headers holds the upstream response headers worth keeping: request-id, retry-after and
	// anthropic-ratelimit-*. Never credentials.
	Headers map[string]string
	// ResponseBody is the upstream answer when the proxy was asked to keep bodies, up to
	// MaxRequestBytes; nil otherwise.
	ResponseBody []byte
}

// Attempt is one upstream try of a request.
type Attempt struct {
	Status   int           `json:"status"`
	Error    string        `json:"error,omitempty"`
	Duration time.Duration `json:"duration_ns"`
}

// Recorder receives records. Start runs on the request path and must return at once. Finish
// runs after the response is complete, on its own goroutine; it must return quickly too
// (reading the bodies belongs on the recorder's own, low-priority goroutines) and must not
// wait for storage. A Recorder that cannot write now
// must keep the record (spool) rather than block or drop it.
type Recorder interface {
	Start(Record)
	Finish(Record)
}

// DiscardRecorder is a Recorder that keeps nothing.
type DiscardRecorder struct{}

func (DiscardRecorder) Start(Record) {}
func (DiscardRecorder) Finish(r Record) {
	if r.Release != nil {
		r.Release()
	}
}
