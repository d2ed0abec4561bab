package proxy_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"nexus/internal/fakeapi"
	"nexus/proxy"
)

func TestUpstreamUnreachableIs502(t *testing.T) {
	e := newEnv(t, func(c *proxy.Config) { c.Upstream = deadUpstream(t) })
	resp, body := e.doRead("POST", "/v1/messages", messagesBody)
	wantError(t, resp, body, http.StatusBadGateway, "api_error")
	if resp.Header.Get("X-Nexus-Error") != "proxy" {
		t.Error("a proxy-made error must say so")
	}
	rec := e.rec.last(t)
	if rec.Status != http.StatusBadGateway || rec.ErrorType != "api_error" || len(rec.Attempts) != 1 || rec.Attempts[0].Error == "" {
		t.Errorf("record status %d type %q attempts %+v", rec.Status, rec.ErrorType, rec.Attempts)
	}
}

func TestSlowUpstreamIs504(t *testing.T) {
	e := newEnv(t, func(c *proxy.Config) { c.RequestTimeout = 200 * time.Millisecond })
	resp, body := e.doRead("POST", "/v1/messages", messagesBody, fakeapi.ScenarioHeader, "slow_headers:5000")
	wantError(t, resp, body, http.StatusGatewayTimeout, "timeout_error")
	if rec := e.rec.last(t); rec.Status != http.StatusGatewayTimeout || rec.ErrorType != "timeout_error" {
		t.Errorf("record status %d type %q", rec.Status, rec.ErrorType)
	}
}

// bytesReader yields n bytes of 'a' without holding them.
type bytesReader struct{ n int64 }

func (r *bytesReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), r.n)
	for i := range p[:k] {
		p[i] = 'a'
	}
	r.n -= k
	return int(k), nil
}

// TestBodyOverLimitIs413 sends one byte more than the API accepts, chunked so that the
// proxy has to count.
func TestBodyOverLimitIs413(t *testing.T) {
	e := newEnv(t, nil)
	req := e.request("POST", "/v1/messages", "")
	req.Body = io.NopCloser(&bytesReader{n: proxy.MaxRequestBytes + 1})
	req.ContentLength = -1
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	wantError(t, resp, body, http.StatusRequestEntityTooLarge, "request_too_large")
	// The body streams upstream as it arrives, so upstream may see the start of it; the
	// proxy cuts it at the limit and aborts the upstream request: never more than the limit.
	for _, r := range e.fake.Requests() {
		if r.BodyLen > proxy.MaxRequestBytes || r.Status == http.StatusOK {
			t.Errorf("upstream got %d body bytes and answered %d", r.BodyLen, r.Status)
		}
	}
	if rec := e.rec.last(t); rec.Status != http.StatusRequestEntityTooLarge || rec.RequestBody != nil {
		t.Errorf("record status %d, %d body bytes", rec.Status, len(rec.RequestBody))
	}
}

// TestClientErrorsPassThroughUnretried: 4xx answers reach the client exactly as sent and
// are never retried, even with retries on.
func TestClientErrorsPassThroughUnretried(t *testing.T) {
	for _, status := range []int{400, 401, 403, 404, 413, 429} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			e := newEnv(t, func(c *proxy.Config) { c.MaxRetries = 2 })
			scenario := "error:" + strconv.Itoa(status)
			resp, body := e.doRead("POST", "/v1/messages", messagesBody, fakeapi.ScenarioHeader, scenario)
			if e.fake.Count() != 1 {
				t.Fatalf("fake received %d requests: retried", e.fake.Count())
			}
			want, wantBody := e.directRead("POST", "/v1/messages", messagesBody, fakeapi.ScenarioHeader, scenario)
			if resp.StatusCode != want.StatusCode || normalize(body) != normalize(wantBody) {
				t.Errorf("client got %d %s, fake sends %d %s", resp.StatusCode, body, want.StatusCode, wantBody)
			}
			if resp.Header.Get("X-Nexus-Error") != "" {
				t.Error("an upstream error is marked as the proxy's")
			}
			rec := e.rec.last(t)
			if rec.Status != status || len(rec.Attempts) != 1 || rec.ErrorType != fakeapi.ErrorType(status) {
				t.Errorf("record status %d attempts %d type %q", rec.Status, len(rec.Attempts), rec.ErrorType)
			}
		})
	}
}

func TestRetryOverloadedThenSucceed(t *testing.T) {
	e := newEnv(t, func(c *proxy.Config) { c.MaxRetries = 2 })
	e.fake.Enqueue(fakeapi.Reply{Scenario: "error:529"}, fakeapi.Reply{Scenario: "error:529"})
	resp, body := e.doRead("POST", "/v1/messages", messagesBody)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if n := e.fake.Count(); n != 3 {
		t.Errorf("fake received %d requests, want 3", n)
	}
	for _, r := range e.fake.Requests() {
		if string(r.Body) != messagesBody {
			t.Errorf("retry sent body %q", r.Body)
		}
	}
	rec := e.rec.last(t)
	if len(rec.Attempts) != 3 || rec.Attempts[0].Status != 529 || rec.Attempts[1].Status != 529 || rec.Attempts[2].Status != 200 {
		t.Errorf("attempts %+v", rec.Attempts)
	}
	if rec.Status != http.StatusOK || rec.Usage.OutputTokens == 0 {
		t.Errorf("record status %d usage %+v", rec.Status, rec.Usage)
	}
}

func TestRetriesExhaustedPassLastAnswer(t *testing.T) {
	e := newEnv(t, func(c *proxy.Config) { c.MaxRetries = 2 })
	e.fake.Enqueue(fakeapi.Reply{Scenario: "error:529"}, fakeapi.Reply{Scenario: "error:529"}, fakeapi.Reply{Scenario: "error:529"})
	resp, body := e.doRead("POST", "/v1/messages", messagesBody)
	reqs := e.fake.Requests()
	if len(reqs) != 3 {
		t.Fatalf("fake received %d requests, want 3", len(reqs))
	}
	want, wantBody := e.directRead("POST", "/v1/messages", messagesBody, fakeapi.ScenarioHeader, "error:529")
	if resp.StatusCode != 529 || normalize(body) != normalize(wantBody) || want.StatusCode != 529 {
		t.Errorf("client got %d %s, fake sends %s", resp.StatusCode, body, wantBody)
	}
	// The body is the last attempt's, request id included.
	if resp.Header.Get("Request-Id") != reqs[2].RequestID {
		t.Errorf("request-id %q, last attempt %q", resp.Header.Get("Request-Id"), reqs[2].RequestID)
	}
	if rec := e.rec.last(t); len(rec.Attempts) != 3 || rec.Status != 529 || rec.ErrorType != "overloaded_error" {
		t.Errorf("record status %d type %q attempts %+v", rec.Status, rec.ErrorType, rec.Attempts)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	const wait = 300 * time.Millisecond
	e := newEnv(t, func(c *proxy.Config) { c.MaxRetries = 2 })
	e.fake.Enqueue(fakeapi.Reply{Scenario: "error:529", Header: http.Header{"Retry-After": {"0.3"}}})
	resp, _ := e.doRead("POST", "/v1/messages", messagesBody)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	reqs := e.fake.Requests()
	if len(reqs) != 2 {
		t.Fatalf("fake received %d requests", len(reqs))
	}
	if gap := reqs[1].Time.Sub(reqs[0].Time); gap < wait {
		t.Errorf("retried after %v, retry-after asked for %v", gap, wait)
	}
}

// A Retry-After longer than the proxy waits — in seconds, as an HTTP date, or too large for
// a duration — is passed to the client at once.
func TestRetryAfterTooLongNotRetried(t *testing.T) {
	for _, ra := range []string{"60", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat), "1e300", "+Inf"} {
		t.Run(ra, func(t *testing.T) {
			e := newEnv(t, func(c *proxy.Config) { c.MaxRetries = 2; c.MaxRetryWait = 100 * time.Millisecond })
			e.fake.Enqueue(fakeapi.Reply{Scenario: "error:529", Header: http.Header{"Retry-After": {ra}}})
			resp, _ := e.doRead("POST", "/v1/messages", messagesBody)
			if resp.StatusCode != 529 || resp.Header.Get("Retry-After") != ra {
				t.Errorf("status %d retry-after %q", resp.StatusCode, resp.Header.Get("Retry-After"))
			}
			if e.fake.Count() != 1 {
				t.Errorf("fake received %d requests", e.fake.Count())
			}
		})
	}
}

// A Retry-After date a moment away is waited for, as a number of seconds is.
func TestRetryAfterDateHonoured(t *testing.T) {
	e := newEnv(t, func(c *proxy.Config) { c.MaxRetries = 2 })
	at := time.Now().Add(1500 * time.Millisecond).Truncate(time.Second) // HTTP dates have whole seconds
	e.fake.Enqueue(fakeapi.Reply{Scenario: "error:529", Header: http.Header{"Retry-After": {at.UTC().Format(http.TimeFormat)}}})
	resp, _ := e.doRead("POST", "/v1/messages", messagesBody)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	reqs := e.fake.Requests()
	if len(reqs) != 2 {
		t.Fatalf("fake received %d requests", len(reqs))
	}
	if reqs[1].Time.Before(at) {
		t.Errorf("retried at %v, before the Retry-After date %v", reqs[1].Time, at)
	}
}

// TestConnectionErrorRetried: an upstream that drops the connection before answering is
// tried again, with the same body.
func TestConnectionErrorRetried(t *testing.T) {
	fake := fakeapi.New()
	var calls atomic.Int32
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			io.Copy(io.Discard, r.Body)
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		fake.Handler().ServeHTTP(w, r)
	}))
	defer upstream.Close()
	u, _ := url.Parse(upstream.URL)
	e := newEnv(t, func(c *proxy.Config) { c.Upstream = u; c.MaxRetries = 2 })
	resp, body := e.doRead("POST", "/v1/messages", messagesBody)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if calls.Load() != 2 || string(fake.Requests()[0].Body) != messagesBody {
		t.Errorf("%d calls", calls.Load())
	}
	rec := e.rec.last(t)
	if len(rec.Attempts) != 2 || rec.Attempts[0].Error == "" || rec.Attempts[1].Status != 200 {
		t.Errorf("attempts %+v", rec.Attempts)
	}
}

// TestGetRetried: a body-less request is retried too, still without a body.
func TestGetRetried(t *testing.T) {
	fake := fakeapi.New()
	var calls atomic.Int32
	var chunked atomic.Bool
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.TransferEncoding) > 0 || r.ContentLength != 0 {
			chunked.Store(true)
		}
		if calls.Add(1) == 1 {
			w.WriteHeader(529)
			w.Write([]byte(`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`))
			return
		}
		fake.Handler().ServeHTTP(w, r)
	}))
	defer upstream.Close()
	u, _ := url.Parse(upstream.URL)
	e := newEnv(t, func(c *proxy.Config) { c.Upstream = u; c.MaxRetries = 1 })
	resp, body := e.doRead("GET", "/v1/models", "")
	if resp.StatusCode != http.StatusOK || calls.Load() != 2 {
		t.Fatalf("status %d after %d calls: %s", resp.StatusCode, calls.Load(), body)
	}
	if chunked.Load() {
		t.Error("a GET went upstream with a body")
	}
}
