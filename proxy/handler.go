// Package proxy is the localhost Anthropic API proxy: a guard against web pages and other
// machines, client authentication, credential injection, forwarding with retries, and a tee
// that records every request without touching the client's path.
package proxy

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"

	"nexus/conversation"
)

// MaxRequestBytes is the Messages API's own request size limit.
const MaxRequestBytes = 32 << 20

// Config is what a Handler needs. Zero values get the defaults noted.
type Config struct {
	Upstream    *url.URL
	ClientAuth  bool
	ClientKeys  ClientKeys       // required when ClientAuth is on
	Credentials CredentialSource // nil: passthrough only
	Recorder    Recorder         // nil: records are discarded
	Logger      *slog.Logger     // nil: slog.Default()
	// RequestTimeout bounds a whole request (default 10 minutes); StreamIdleTimeout cuts a
	// stream that sent nothing for that long (default 5 minutes; negative disables).
	RequestTimeout    time.Duration
	StreamIdleTimeout time.Duration
	// MaxRetries is the number of retries after the first try (default 0; the app passes 2).
	MaxRetries int
	// RetryBaseDelay is the first backoff (default 500 ms), doubled each retry; MaxRetryWait
	// is the longest retry-after honoured (default 30 s).
	RetryBaseDelay time.Duration
	MaxRetryWait   time.Duration
	// KeepBodies asks for response bodies in records (up to MaxRequestBytes).
	KeepBodies bool
	// Transport reaches upstream; nil means a tuned clone of http.DefaultTransport.
	Transport http.RoundTripper
}

// Handler is the proxy's http.Handler. Create it with NewHandler.
type Handler struct {
	cfg Config
	rp  *httputil.ReverseProxy
	log *slog.Logger
}

// NewHandler returns a Handler for cfg.
func NewHandler(cfg Config) *Handler {
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 10 * time.Minute
	}
	if cfg.StreamIdleTimeout == 0 {
		cfg.StreamIdleTimeout = 5 * time.Minute
	}
	if cfg.RetryBaseDelay <= 0 {
		cfg.RetryBaseDelay = 500 * time.Millisecond
	}
	if cfg.MaxRetryWait <= 0 {
		cfg.MaxRetryWait = 30 * time.Second
	}
	if cfg.Credentials == nil {
		cfg.Credentials = NoCredentials{}
	}
	if cfg.Recorder == nil {
		cfg.Recorder = DiscardRecorder{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Transport == nil {
		cfg.Transport = NewTransport()
	}
	h := &Handler{cfg: cfg, log: cfg.Logger}
	h.rp = &httputil.ReverseProxy{
		Rewrite:        h.rewrite,
		Transport:      &retryTransport{base: cfg.Transport, maxRetries: cfg.MaxRetries, baseDelay: cfg.RetryBaseDelay, maxWait: cfg.MaxRetryWait},
		ModifyResponse: h.modifyResponse,
		ErrorHandler:   h.upstreamError,
		ErrorLog:       slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelDebug),
		BufferPool:     bufferPool{},
	}
	return h
}

// NewTransport returns the upstream transport: HTTP/2 when offered, generous idle pools, and
// compression negotiated by the transport itself.
func NewTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 128
	t.IdleConnTimeout = 90 * time.Second
	return t
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if reason := guardReason(r); reason != "" {
		h.reject(w, r, start, "guard", http.StatusForbidden, errPermission, reason)
		return
	}
	if r.URL.Path == "/health" {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"ok"}`))
		return
	}
	if !strings.HasPrefix(r.URL.Path, "/v1/") {
		writeError(w, http.StatusNotFound, errNotFound, "not found: the proxy serves /v1/* and /health")
		return
	}

	rec := Record{ID: NewRecordID(start), StartedAt: start, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		SessionID: r.Header.Get("X-Claude-Code-Session-Id"), UserAgent: userAgent(r)}
	// The client's own credential goes upstream (passthrough) when it came with
	// x-nexus-client-key, or when no account applies.
	// The client keys the request carries matter only when a credential of the client's may
	// go upstream: with client auth off, or beside x-nexus-client-key. Otherwise the key in
	// x-api-key or Authorization is checked below, and an account's credential replaces it.
	var clientKeys []string
	if !h.cfg.ClientAuth || r.Header.Get(headerClientKey) != "" {
		clientKeys = clientKeysIn(r.Header, h.cfg.ClientKeys)
	}
	pk := readPresentedKey(r.Header, clientKeys)
	account, passthrough, own := "", pk.ownCredential, pk.ownCredential
	if h.cfg.ClientAuth {
		keyID, acct, ok := "", "", false
		if pk.key != "" && h.cfg.ClientKeys != nil {
			keyID, acct, ok = h.cfg.ClientKeys.Authenticate(pk.key)
		}
		if !ok {
			msg := "missing client key: send the Nexus client key as x-api-key (run: nexus client-key show)"
			if pk.key != "" {
				msg = "invalid client key: run 'nexus client-key show' for the current one"
			}
			h.reject(w, r, start, "auth", http.StatusUnauthorized, errAuthentication, msg)
			return
		}
		rec.ClientKeyID, account = keyID, acct
	} else if !own {
		// Without client auth any credential the client sent is its own, but a client key.
		own = hasOwnCredential(r.Header, clientKeys)
	}

	var cred Credential
	if !passthrough {
		c, err := h.cfg.Credentials.Credential(r.Context(), account)
		switch {
		case err == nil:
			cred = c
			rec.Account = c.Account
		case errors.Is(err, ErrNoAccount):
			passthrough = true
		default:
			h.reject(w, r, start, "", http.StatusUnauthorized, errAuthentication, err.Error())
			return
		}
	}
	if passthrough {
		rec.Passthrough = true
		if !own {
			h.reject(w, r, start, "", http.StatusUnauthorized, errAuthentication,
				"no Anthropic account is set up in Nexus: add one (nexus credentials add-key NAME) or send your own credential with the client key in x-nexus-client-key")
			return
		}
	}

	if r.ContentLength > MaxRequestBytes {
		h.finishEarly(w, r, rec, start, errTooLargeBody)
		return
	}
	// The start record goes now, before forwarding; the body's metadata is read afterwards,
	// off the response path, and only when the answer does not tell (see record).
	h.cfg.Recorder.Start(rec)
	body := newRequestBody(r.Body, r.ContentLength)

	// Full duplex keeps reading the request while the answer streams; without it Go's server
	// can cut SSE streams under load (golang/go#40747).
	http.NewResponseController(w).EnableFullDuplex()

	ctx, cancelTimeout := context.WithTimeoutCause(r.Context(), h.cfg.RequestTimeout, errRequestTimeout)
	defer cancelTimeout()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	ex := &exchange{start: start, cancel: cancel}
	auth := upstreamAuth{cred: cred, clientKeys: clientKeys}
	ctx = context.WithValue(context.WithValue(ctx, exchangeKey{}, ex), upstreamAuthKey{}, auth)
	ex.body = body
	out := r.WithContext(ctx)
	out.Body, _ = body.reader()
	out.GetBody = body.reader

	// The record is finished even when ReverseProxy aborts the response with a panic (a
	// stream cut after the headers were sent); the panic then continues to net/http.
	defer func() {
		p := recover()
		body.detach()
		body.closeUnread()
		rec, answer, header := h.finish(r, rec, ex)
		h.record(rec, body, answer, header)
		if p != nil {
			panic(p)
		}
	}()
	h.rp.ServeHTTP(w, out)
}

var errRequestTimeout = errors.New("request timed out")

// withMeta fills the request fields rec does not have yet from the body's metadata: the
// header's session id and the answer's model win.
func withMeta(rec Record, m conversation.RequestMeta) Record {
	if rec.Model == "" {
		rec.Model = m.Model
	}
	rec.Stream = rec.Stream || m.Stream
	if rec.SessionID == "" {
		rec.SessionID = m.SessionID
	}
	return rec
}

// record hands the finished rec to the recorder without delaying the response: on its own
// goroutine it picks upstream's headers worth keeping, reads the JSON answer (when there is
// one) for usage, and the request body for the model and session only when neither the
// answer nor the headers told them.
func (h *Handler) record(rec Record, body *requestBody, answer []byte, header http.Header) {
	buf, _ := body.take()
	if h.cfg.KeepBodies {
		rec.RequestBody = buf
	}
	go func() {
		rec.Headers = keptHeaders(header)
		if answer != nil {
			rec = withAnswer(rec, conversation.ReadJSONResponse(answer))
		}
		if (rec.Model == "" || rec.SessionID == "") && strings.HasPrefix(rec.Path, "/v1/messages") {
			rec = withMeta(rec, conversation.ScanRequestMeta(buf))
		}
		rec.Release = body.release // the recorder gives the copy back when it has read it
		h.cfg.Recorder.Finish(rec)
	}()
}

// maxUserAgent bounds the user agent kept in a record.
const maxUserAgent = 200

// userAgent is the client's User-Agent, shortened.
func userAgent(r *http.Request) string {
	ua := r.UserAgent()
	if len(ua) > maxUserAgent {
		ua = ua[:maxUserAgent]
	}
	return ua
}

// withAnswer fills rec from a summary of the answer.
func withAnswer(rec Record, s conversation.ResponseSummary) Record {
	if s.Model != "" {
		rec.Model = s.Model
	}
	rec.MessageID, rec.StopReason, rec.Usage = s.MessageID, s.StopReason, s.Usage
	if s.ErrorType != "" {
		rec.ErrorType, rec.ErrorMessage = s.ErrorType, s.ErrorMessage
	}
	return rec
}

// finishEarly answers and records a request whose body could not be read.
func (h *Handler) finishEarly(w http.ResponseWriter, r *http.Request, rec Record, start time.Time, err error) {
	rec.Duration = time.Since(start)
	switch {
	case errors.Is(err, errTooLargeBody):
		rec.Status, rec.ErrorType, rec.ErrorMessage = http.StatusRequestEntityTooLarge, errTooLarge, err.Error()
		writeError(w, rec.Status, errTooLarge, err.Error())
	case r.Context().Err() != nil:
		rec.Status, rec.ErrorType, rec.ErrorMessage = StatusClientClosed, "client_closed", "client went away while sending the request"
	default:
		rec.Status, rec.ErrorType, rec.ErrorMessage = http.StatusBadRequest, errInvalidRequest, "reading request body: "+err.Error()
		writeError(w, rec.Status, errInvalidRequest, rec.ErrorMessage)
	}
	h.cfg.Recorder.Start(rec)
	h.cfg.Recorder.Finish(rec)
}

// reject answers a request the proxy refuses itself, and records it without its body.
func (h *Handler) reject(w http.ResponseWriter, r *http.Request, start time.Time, why string, status int, typ, msg string) {
	writeError(w, status, typ, msg)
	rec := Record{ID: NewRecordID(start), StartedAt: start, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		SessionID: r.Header.Get("X-Claude-Code-Session-Id"), UserAgent: userAgent(r), Rejected: why,
		Status: status, ErrorType: typ, ErrorMessage: msg, Duration: time.Since(start)}
	h.cfg.Recorder.Start(rec)
	h.cfg.Recorder.Finish(rec)
	h.log.Info("request refused", "id", rec.ID, "path", rec.Path, "status", status, "reason", msg)
}

func (h *Handler) rewrite(pr *httputil.ProxyRequest) {
	pr.SetURL(h.cfg.Upstream)
	auth, _ := pr.In.Context().Value(upstreamAuthKey{}).(upstreamAuth)
	prepareUpstreamHeaders(pr.Out.Header, auth)
}

func (h *Handler) modifyResponse(resp *http.Response) error {
	ex := exchangeFrom(resp.Request.Context())
	if ex == nil {
		return nil
	}
	c := newCapture(resp, ex, h.cfg.KeepBodies, MaxRequestBytes, h.cfg.StreamIdleTimeout)
	resp.Body = c
	ex.mu.Lock()
	ex.status = resp.StatusCode
	ex.header = resp.Header // the headers worth keeping are picked off the response path
	ex.capture = c
	ex.passedAt = time.Now()
	ex.mu.Unlock()
	return nil
}

// upstreamError answers when no upstream response could be had. The client may be gone
// (nothing to write), the request may have timed out (504), or upstream is unreachable (502).
func (h *Handler) upstreamError(w http.ResponseWriter, r *http.Request, err error) {
	ex := exchangeFrom(r.Context())
	status, typ, msg := http.StatusBadGateway, errAPI, "upstream unreachable: "+err.Error()
	var bodyErr error
	if ex != nil && ex.body != nil {
		_, bodyErr = ex.body.take()
	}
	switch {
	case errors.Is(bodyErr, errTooLargeBody):
		status, typ, msg = http.StatusRequestEntityTooLarge, errTooLarge, errTooLargeBody.Error()
	case errors.Is(context.Cause(r.Context()), errRequestTimeout):
		status, typ, msg = http.StatusGatewayTimeout, errTimeout, "upstream did not answer in time"
	case r.Context().Err() != nil:
		status, typ, msg = StatusClientClosed, "client_closed", "client went away"
	}
	if ex != nil {
		ex.mu.Lock()
		ex.status, ex.errType, ex.errMsg = status, typ, msg
		ex.mu.Unlock()
	}
	if status != StatusClientClosed {
		writeError(w, status, typ, msg)
	}
	h.log.Warn("upstream error", "path", r.URL.Path, "status", status, "error", err)
}

// finish completes rec from the exchange; a whole JSON answer and upstream's headers are
// returned to be read later, off the response path.
func (h *Handler) finish(r *http.Request, rec Record, ex *exchange) (_ Record, answer []byte, header http.Header) {
	end := time.Now()
	ex.mu.Lock()
	defer ex.mu.Unlock()
	rec.Duration = end.Sub(ex.start)
	rec.Attempts = ex.attempts
	rec.Status = ex.status
	if !ex.firstAt.IsZero() {
		rec.TTFB = ex.firstAt.Sub(ex.start)
	}
	if !ex.sentAt.IsZero() {
		rec.Overhead = ex.sentAt.Sub(ex.start)
		if !ex.passedAt.IsZero() && ex.passedAt.After(ex.headersAt) {
			rec.Overhead += ex.passedAt.Sub(ex.headersAt)
		}
	}
	header = ex.header
	if ex.errType != "" {
		rec.ErrorType, rec.ErrorMessage = ex.errType, ex.errMsg
	}
	if c := ex.capture; c != nil {
		s, body, eof, readErr := c.summary()
		rec.Stream = c.stream != nil
		if rec.Stream {
			rec = withAnswer(rec, s)
		} else if eof {
			answer = body // read later, off the response path
		}
		if h.cfg.KeepBodies {
			rec.ResponseBody = body
		}
		if rec.Stream && !s.Complete {
			rec.Incomplete = true
		}
		// The answer is whole once upstream ended it, or a stream reached message_stop: a
		// client may hang up right then, before upstream's last bytes.
		whole := eof || (rec.Stream && s.Complete)
		switch {
		case whole:
		case r.Context().Err() != nil:
			rec.Status, rec.Incomplete = StatusClientClosed, true
			rec.ErrorType, rec.ErrorMessage = "client_closed", "client went away before the answer was complete"
		case ex.idled:
			rec.Incomplete = true
			rec.ErrorType, rec.ErrorMessage = errTimeout, "upstream stream idle for too long"
		case readErr != nil:
			rec.Incomplete = true
			if rec.ErrorType == "" {
				rec.ErrorType, rec.ErrorMessage = "upstream_cut", "upstream connection ended early: "+readErr.Error()
			}
		}
	}
	return rec, answer, header
}
