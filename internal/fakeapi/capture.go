package fakeapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// CapturedHeaders are the only request headers a capture file keeps. Credentials
// (x-api-key, authorization) are never written.
var CapturedHeaders = []string{"X-Claude-Code-Session-Id", "Anthropic-Beta", "User-Agent"}

// Captured is one capture file, DIR/NNNN.json, as CaptureTo writes it.
type Captured struct {
	Seq     int               `json:"seq"`
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Query   string            `json:"query"`
	Headers map[string]string `json:"headers"`
	Status  int               `json:"status"`
	// Request is the request body byte for byte when it is JSON (Claude Code's bodies are
	// compact JSON), else a JSON string of it, else null when there was no body.
	Request json.RawMessage `json:"request"`
	// Response is the exact response body as sent, e.g. the whole event stream.
	Response string `json:"response"`
}

// capturer writes one file per request into dir.
type capturer struct {
	dir string
	mu  sync.Mutex
	n   int
	err error // the first write error, reported by CaptureErr
}

// CaptureTo makes s write every request it receives, with its response, to
// dir/NNNN.json (0001 first; see Captured), creating dir if needed. Files are written when
// the response is complete. Call it before the first request; "" turns capture off.
func (s *Server) CaptureTo(dir string) error {
	if dir == "" {
		s.mu.Lock()
		s.capture = nil
		s.mu.Unlock()
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	s.mu.Lock()
	s.capture = &capturer{dir: dir}
	s.mu.Unlock()
	return nil
}

// CaptureErr returns the first error writing a capture file, if any.
func (s *Server) CaptureErr() error {
	s.mu.Lock()
	c := s.capture
	s.mu.Unlock()
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// capturing returns the active capturer, or nil.
func (s *Server) capturing() *capturer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.capture
}

// begin numbers a request in arrival order.
func (c *capturer) begin() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return c.n
}

// teeWriter passes everything through to the client and keeps a copy. Unwrap lets
// http.ResponseController reach the underlying writer's Flush and Hijack.
type teeWriter struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (t *teeWriter) WriteHeader(code int) {
	if t.status == 0 {
		t.status = code
	}
	t.ResponseWriter.WriteHeader(code)
}

func (t *teeWriter) Write(p []byte) (int, error) {
	if t.status == 0 {
		t.status = http.StatusOK
	}
	t.buf.Write(p)
	return t.ResponseWriter.Write(p)
}

func (t *teeWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }

// write stores one exchange.
func (c *capturer) write(seq int, r *http.Request, body []byte, tw *teeWriter) {
	rec := Captured{
		Seq: seq, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		Headers: map[string]string{}, Status: tw.status, Response: tw.buf.String(),
	}
	if r.Method == http.MethodHead {
		rec.Response = "" // net/http sends no body, whatever the handler wrote
	}
	for _, k := range CapturedHeaders {
		if v := r.Header.Values(k); len(v) > 0 {
			rec.Headers[http.CanonicalHeaderKey(k)] = joinValues(v)
		}
	}
	switch {
	case len(body) == 0:
		rec.Request = json.RawMessage("null")
	case json.Valid(body):
		rec.Request = json.RawMessage(body)
	default:
		q, _ := json.Marshal(string(body))
		rec.Request = q
	}
	data, err := encodeCaptured(&rec)
	if err == nil {
		name := filepath.Join(c.dir, fmt.Sprintf("%04d.json", seq))
		err = os.WriteFile(name, data, 0o644)
	}
	if err != nil {
		c.mu.Lock()
		if c.err == nil {
			c.err = err
		}
		c.mu.Unlock()
	}
}

func joinValues(v []string) string {
	out := v[0]
	for _, s := range v[1:] {
		out += ", " + s
	}
	return out
}

// encodeCaptured renders rec one field per line, with the request body spliced in verbatim
// (encoding/json would re-escape '<' and '>' in it) and no HTML escaping elsewhere.
func encodeCaptured(rec *Captured) ([]byte, error) {
	var out bytes.Buffer
	field := func(name string, v any) error {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return err
		}
		out.WriteString(strconv.Quote(name))
		out.WriteByte(':')
		out.Write(bytes.TrimRight(b.Bytes(), "\n"))
		return nil
	}
	out.WriteString("{\n")
	for _, f := range []struct {
		name string
		v    any
	}{
		{"seq", rec.Seq}, {"method", rec.Method}, {"path", rec.Path}, {"query", rec.Query},
		{"headers", rec.Headers}, {"status", rec.Status},
	} {
		if err := field(f.name, f.v); err != nil {
			return nil, err
		}
		out.WriteString(",\n")
	}
	out.WriteString(`"request":`)
	out.Write(rec.Request)
	out.WriteString(",\n")
	if err := field("response", rec.Response); err != nil {
		return nil, err
	}
	out.WriteString("\n}\n")
	return out.Bytes(), nil
}

// ReadCaptured reads the capture files of dir in sequence order.
func ReadCaptured(dir string) ([]Captured, error) {
	names, err := filepath.Glob(filepath.Join(dir, "[0-9][0-9][0-9][0-9].json"))
	if err != nil {
		return nil, err
	}
	out := make([]Captured, 0, len(names))
	for _, name := range names { // Glob sorts, and the names are zero-padded
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var c Captured
		if err := json.Unmarshal(data, &c); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out = append(out, c)
	}
	return out, nil
}
