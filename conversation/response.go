package conversation

import (
	"bytes"
	"encoding/json"
)

// ResponseSummary is what the proxy records about one Messages API answer.
type ResponseSummary struct {
	MessageID  string
	Model      string
	StopReason string
	Usage      Usage
	// ErrorType and ErrorMessage come from an error body or an SSE error event.
	ErrorType    string
	ErrorMessage string
	// Complete is true once a JSON body parsed or a stream reached message_stop.
	Complete bool
	// Events counts SSE events seen.
	Events int
}

type wireMessage struct {
	ID         string     `json:"id"`
	Type       string     `json:"type"`
	Model      string     `json:"model"`
	StopReason string     `json:"stop_reason"`
	Usage      *wireUsage `json:"usage"`
	Error      *struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

// ReadJSONResponse summarises a non-streaming answer (a message, an error, or anything else).
func ReadJSONResponse(body []byte) ResponseSummary {
	var s ResponseSummary
	var m wireMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return s
	}
	s.Complete = true
	s.MessageID, s.Model, s.StopReason = m.ID, m.Model, m.StopReason
	s.Usage.merge(m.Usage)
	if m.Error != nil {
		s.ErrorType, s.ErrorMessage = m.Error.Type, m.Error.Message
	}
	return s
}

// StreamReader summarises a Messages API event stream as it passes. Feed it raw bytes; read
// Summary at any time (an unfinished stream has Complete false and the usage seen so far).
type StreamReader struct {
	parser  SSEParser
	summary ResponseSummary
}

// NewStreamReader returns a reader ready for the first bytes of a stream.
func NewStreamReader() *StreamReader {
	r := &StreamReader{}
	r.parser.OnEvent = r.event
	return r
}

// Feed consumes the next bytes of the stream.
func (r *StreamReader) Feed(b []byte) { r.parser.Feed(b) }

// Summary returns what the stream said so far.
func (r *StreamReader) Summary() ResponseSummary { return r.summary }

var (
	evMessageStart = []byte("message_start")
	evMessageDelta = []byte("message_delta")
	evMessageStop  = []byte("message_stop")
	evError        = []byte("error")
)

func (r *StreamReader) event(name, data []byte) {
	r.summary.Events++
	// Only the few events that carry usage, stop reason or errors are decoded; content deltas
	// are skipped without parsing, which keeps the tee cheap.
	switch {
	case bytes.Equal(name, evMessageStart):
		var ev struct {
			Message wireMessage `json:"message"`
		}
		if json.Unmarshal(data, &ev) == nil {
			r.summary.MessageID, r.summary.Model = ev.Message.ID, ev.Message.Model
			r.summary.Usage.merge(ev.Message.Usage)
		}
	case bytes.Equal(name, evMessageDelta):
		var ev struct {
			Delta struct {
				StopReason string `json:"stop_reason"`
			} `json:"delta"`
			Usage *wireUsage `json:"usage"`
		}
		if json.Unmarshal(data, &ev) == nil {
			if ev.Delta.StopReason != "" {
				r.summary.StopReason = ev.Delta.StopReason
			}
			r.summary.Usage.merge(ev.Usage)
		}
	case bytes.Equal(name, evMessageStop):
		r.summary.Complete = true
	case bytes.Equal(name, evError):
		var m wireMessage
		if json.Unmarshal(data, &m) == nil && m.Error != nil {
			r.summary.ErrorType, r.summary.ErrorMessage = m.Error.Type, m.Error.Message
		}
	}
}
