package proxy_test

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"nexus/internal/fakeapi"
	"nexus/internal/syncbuf"
	"nexus/proxy"
)

// Secrets used across the tests. None may ever reach upstream (the client keys) or a log
// line (any of them).
const (
	mainKey      = "nexus-client-key-main-0123456789"  // bound to the default account
	workKey      = "nexus-client-key-work-0123456789"  // bound to the "work" OAuth account
	personalKey  = "sk-ant-api03-upstream-personal-00" // the default account's API key
	workToken    = "sk-ant-oat01-upstream-work-000000" // the work account's OAuth token
	ownKey       = "sk-ant-api03-client-own-key-00000" // a client's own credential (passthrough)
	messagesBody = `{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"Hi"}]}`
	streamBody   = `{"model":"claude-sonnet-4-5","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Hi"}]}`
)

// keys is a ClientKeys with a fixed table: key → (id, account).
type keys map[string][2]string

func (k keys) Authenticate(presented string) (string, string, bool) {
	v, ok := k[presented]
	return v[0], v[1], ok
}

var testKeys = keys{mainKey: {"main", ""}, workKey: {"work", "work"}}

// creds is a CredentialSource with a fixed table; "" is the default account.
type creds map[string]proxy.Credential

func (c creds) Credential(_ context.Context, account string) (proxy.Credential, error) {
	if cr, ok := c[account]; ok {
		return cr, nil
	}
	return proxy.Credential{}, proxy.ErrNoAccount
}

var testCreds = creds{
	"":     {Account: "personal", Kind: proxy.APIKey, Secret: personalKey},
	"work": {Account: "work", Kind: proxy.OAuth, Secret: workToken},
}

// recorder keeps every record the proxy hands over.
type recorder struct {
	mu       sync.Mutex
	started  []proxy.Record
	finished []proxy.Record
}

func (r *recorder) Start(rec proxy.Record) {
	r.mu.Lock()
	r.started = append(r.started, rec)
	r.mu.Unlock()
}

func (r *recorder) Finish(rec proxy.Record) {
	r.mu.Lock()
	r.finished = append(r.finished, rec)
	r.mu.Unlock()
}

// waitFinished waits until n records are finished and returns them. The proxy finishes a
// record after the client has its last byte, so tests must wait for it.
func (r *recorder) waitFinished(t testing.TB, n int) []proxy.Record {
	t.Helper()
	var got []proxy.Record
	waitFor(t, "finished records", func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		got = append([]proxy.Record(nil), r.finished...)
		return len(got) >= n
	})
	if len(got) != n {
		t.Fatalf("%d finished records, want %d", len(got), n)
	}
	return got
}

// last waits for the only finished record.
func (r *recorder) last(t testing.TB) proxy.Record { return r.waitFinished(t, 1)[0] }

// env is a proxy in front of a fake Anthropic API, with a recorder and a captured log.
type env struct {
	t     *testing.T
	fake  *fakeapi.Server
	rec   *recorder
	logs  *syncbuf.Buffer
	url   string // the proxy's base URL
	proxy *httptest.Server
	// direct is the fake's own base URL, for comparing answers with and without the proxy.
	direct string
}

// newEnv starts a fake API and a proxy in front of it. The proxy has client auth on, the
// test keys and accounts, fast retries, and logs at debug level into env.logs; edit changes
// the config before the handler is built.
func newEnv(t *testing.T, edit func(*proxy.Config)) *env {
	t.Helper()
	fake := fakeapi.New()
	upstream := httptest.NewServer(fake.Handler())
	t.Cleanup(upstream.Close)
	e := &env{t: t, fake: fake, rec: &recorder{}, logs: &syncbuf.Buffer{}, direct: upstream.URL}
	u, _ := url.Parse(upstream.URL)
	cfg := proxy.Config{
		Upstream:       u,
		ClientAuth:     true,
		ClientKeys:     testKeys,
		Credentials:    testCreds,
		Recorder:       e.rec,
		Logger:         slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		RetryBaseDelay: time.Millisecond,
	}
	if edit != nil {
		edit(&cfg)
	}
	e.proxy = httptest.NewUnstartedServer(proxy.NewHandler(cfg))
	e.proxy.Config.ErrorLog = log.New(e.logs, "http: ", 0)
	e.proxy.Start()
	t.Cleanup(func() {
		e.proxy.Close()
		// net/http recovers a panic in the proxy's handler or in its own connection code and
		// logs it; the client only sees a dropped connection, so tests look for it here.
		if i := strings.Index(e.logs.String(), "panic serving"); i >= 0 {
			t.Errorf("the proxy's server panicked: %.300s", e.logs.String()[i:])
		}
	})
	e.url = e.proxy.URL
	return e
}

// request builds a request to the proxy. hdr is name, value pairs: the first value of a name
// replaces the header, later ones add lines, and "" deletes it. Without hdr the request
// carries the main client key.
func (e *env) request(method, path, body string, hdr ...string) *http.Request {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("anthropic-version", "2023-06-01")
	req.Header.Set("x-api-key", mainKey)
	set := map[string]bool{}
	for i := 0; i+1 < len(hdr); i += 2 {
		name := http.CanonicalHeaderKey(hdr[i])
		switch {
		case hdr[i+1] == "":
			req.Header.Del(name)
		case set[name]: // a repeated name adds a header line
			req.Header.Add(name, hdr[i+1])
		default:
			req.Header.Set(name, hdr[i+1])
		}
		set[name] = hdr[i+1] != ""
	}
	return req
}

// do sends a request (see request) and returns the answer; the test closes its body.
func (e *env) do(method, path, body string, hdr ...string) *http.Response {
	e.t.Helper()
	resp, err := http.DefaultClient.Do(e.request(method, path, body, hdr...))
	if err != nil {
		e.t.Fatal(err)
	}
	return resp
}

// doRead sends a request and reads the whole answer.
func (e *env) doRead(method, path, body string, hdr ...string) (*http.Response, []byte) {
	e.t.Helper()
	resp := e.do(method, path, body, hdr...)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("reading answer: %v", err)
	}
	return resp, b
}

// received returns the only request the fake received.
func (e *env) received() fakeapi.Received {
	e.t.Helper()
	got := e.fake.Requests()
	if len(got) != 1 {
		e.t.Fatalf("fake received %d requests, want 1", len(got))
	}
	return got[0]
}

// apiError is Anthropic's error body.
type apiError struct {
	Type  string `json:"type"`
	Error struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

// wantError checks that an answer is status with Anthropic's error shape and type typ.
func wantError(t testing.TB, resp *http.Response, body []byte, status int, typ string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("status %d, want %d (body %s)", resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("content-type %q", ct)
	}
	var e apiError
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	if e.Type != "error" || e.Error.Type != typ || e.Error.Message == "" {
		t.Errorf("error body %s, want type %s", body, typ)
	}
}

// waitFor polls cond until it holds, failing the test after 10 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// betaValues lists the anthropic-beta values of h across all its lines.
func betaValues(h http.Header) []string {
	var out []string
	for _, line := range h.Values("Anthropic-Beta") {
		for _, v := range strings.Split(line, ",") {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// directRead sends a request straight to the fake with the upstream API key and reads the
// whole answer, for comparison with the answer through the proxy.
func (e *env) directRead(method, path, body string, hdr ...string) (*http.Response, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.direct+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("anthropic-version", "2023-06-01")
	req.Header.Set("x-api-key", personalKey)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp, b
}

// fakeIDs matches the ids the fake numbers per request; normalize replaces them so that two
// answers to the same request compare equal.
var fakeIDs = regexp.MustCompile(`(req|msg|toolu)_fake[0-9a-f]{16}`)

func normalize(b []byte) string { return fakeIDs.ReplaceAllString(string(b), "${1}_ID") }
