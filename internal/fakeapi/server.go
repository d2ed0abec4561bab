// Package fakeapi is a scripted stand-in for the Anthropic API, for tests and benchmarks.
//
// It answers the endpoints the proxy touches with the shapes and headers of the real API,
// records every request it receives, and lets the caller choose each answer: from Go with
// [Server.Enqueue] and [Server.Script], or from any client with the x-fake-scenario request
// header or a "scenario:NAME" marker in the request body (see [ScenarioHeader]).
// Answers, ids and usage numbers are deterministic; only timestamps vary.
package fakeapi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// maxBody is the API's own request size limit; larger bodies get 413 request_too_large.
const maxBody = 32 << 20

// Server is a fake Anthropic API. Its methods are safe for concurrent use, also while it
// serves requests.
type Server struct {
	seq     atomic.Int64 // numbers requests for ids; never reset
	oauth   oauthState
	catalog []byte // pre-marshalled GET /v1/models answer

	mu sync.Mutex // guards the fields below
	// Scripting, see scripts.go.
	queue  []Reply
	script func(r *http.Request, body []byte) Reply
	// Recording, see record.go.
	records    []Received
	count      int64
	keepBodies bool
	keepLast   int
	// Accepted credentials; nil means any non-empty value, see auth.go.
	apiKeys map[string]bool
	bearers map[string]bool
	// Claude Code mode and capture files, see claudecode.go and capture.go.
	claudeCode bool
	capture    *capturer

	// Set once by Start.
	httpServer *http.Server
	url        string
}

// New returns a fake API that accepts any non-empty credential, keeps request bodies and
// answers every message with the text scenario until scripted otherwise.
func New() *Server {
	s := &Server{keepBodies: true, catalog: modelCatalog()}
	s.oauth.init()
	return s
}

// Listen returns a new Server already serving on addr (e.g. "127.0.0.1:0").
func Listen(addr string) (*Server, error) {
	s := New()
	if err := s.Start(addr); err != nil {
		return nil, err
	}
	return s, nil
}

// Start serves s on addr in the background until Close. Call it at most once, before URL.
func (s *Server) Start(addr string) error {
	if s.httpServer != nil {
		return errors.New("fakeapi: already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", addr, err)
	}
	s.httpServer = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	s.url = "http://" + ln.Addr().String()
	go s.httpServer.Serve(ln) //nolint:errcheck // returns ErrServerClosed after Close
	return nil
}

// URL is the base URL of a started Server, e.g. "http://127.0.0.1:41234", without a
// trailing slash; "" before Start.
func (s *Server) URL() string { return s.url }

// Close stops a started Server, cutting open connections. It is a no-op otherwise.
func (s *Server) Close() error {
	if s.httpServer == nil {
		return nil
	}
	return s.httpServer.Close()
}

// Handler serves the fake API, for use with httptest.NewServer or any http.Server.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serve) }

// response is an answer that has been fully decided. Deciding happens before the request is
// recorded, and recording before the first byte is sent, so a client never sees an answer
// whose record is not yet in Requests.
type response interface {
	statusCode() int
	send(w http.ResponseWriter, r *http.Request)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	n := s.seq.Add(1)
	rec := Received{
		Time:      time.Now(),
		RequestID: fmt.Sprintf("req_fake%016x", n),
		Method:    r.Method,
		Path:      r.URL.Path,
		RawQuery:  r.URL.RawQuery,
	}
	body, err := readBody(w, r)
	rec.BodyLen = len(body)
	if c := s.capturing(); c != nil {
		tw := &teeWriter{ResponseWriter: w}
		w = tw
		defer c.write(c.begin(), r, body, tw)
	}
	var resp response
	switch {
	case errors.As(err, new(*http.MaxBytesError)):
		resp = apiError(http.StatusRequestEntityTooLarge, rec.RequestID, "")
	case err != nil:
		resp = apiError(http.StatusBadRequest, rec.RequestID, "fakeapi: reading body: "+err.Error())
	default:
		resp = s.route(r, body, n, &rec)
	}
	rec.Status = resp.statusCode()
	s.record(rec, r.Header, body)

	h := w.Header()
	h.Set("request-id", rec.RequestID)
	if rec.Auth != "" {
		rateLimitHeaders(h, rec.Auth == AuthOAuth, time.Now())
	}
	resp.send(w, r)
}

// route decides the answer to one request without writing anything.
func (s *Server) route(r *http.Request, body []byte, n int64, rec *Received) response {
	path := r.URL.Path
	if path == "/v1/oauth/token" {
		if r.Method != http.MethodPost {
			return apiError(http.StatusMethodNotAllowed, rec.RequestID, "")
		}
		return s.oauth.token(r, body)
	}
	if !strings.HasPrefix(path, "/v1/") {
		return apiError(http.StatusNotFound, rec.RequestID, "")
	}
	auth, msg := s.authenticate(r.Header)
	if auth == "" {
		return apiError(http.StatusUnauthorized, rec.RequestID, msg)
	}
	rec.Auth = auth

	switch r.Method + " " + path {
	case "POST /v1/messages":
		if s.claudeCodeOn() {
			return s.claudeCodeMessages(r, body, n, rec)
		}
		return s.messages(r, body, n, rec)
	case "POST /v1/messages/count_tokens":
		return countTokens(body, rec.RequestID)
	case "GET /v1/models":
		return jsonOK(s.catalog)
	case "GET /v1/messages/batches", "GET /v1/files":
		return jsonOK(emptyList)
	}
	if id, ok := strings.CutPrefix(path, "/v1/models/"); ok && r.Method == http.MethodGet {
		return model(id, rec.RequestID)
	}
	return apiError(http.StatusNotFound, rec.RequestID, "")
}

// readBody reads the whole request body, up to maxBody.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 && r.ContentLength <= maxBody {
		buf.Grow(int(r.ContentLength) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return buf.Bytes(), nil
}
