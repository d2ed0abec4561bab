package proxy_test

// One test per header rule (DESIGN.md "The proxy"), each asserting on what the fake API
// received or what the client got.

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"nexus/internal/fakeapi"
	"nexus/proxy"
)

func TestForwardsPathAndQuery(t *testing.T) {
	for _, tc := range []struct{ method, target, body string }{
		{"POST", "/v1/messages?beta=true", messagesBody},
		{"POST", "/v1/messages/count_tokens?beta=true", messagesBody},
		{"GET", "/v1/models?limit=20&after_id=claude-opus-4-6", ""},
		{"GET", "/v1/models/claude-opus-4-6", ""},
		{"GET", "/v1/messages/batches?limit=5", ""},
		{"GET", "/v1/files?before_id=file_01%2Fx&limit=2", ""},
	} {
		t.Run(tc.target, func(t *testing.T) {
			e := newEnv(t, nil)
			resp, body := e.doRead(tc.method, tc.target, tc.body)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			got := e.received()
			path, query, _ := strings.Cut(tc.target, "?")
			if got.Method != tc.method || got.Path != path || got.RawQuery != query {
				t.Errorf("fake got %s %s?%s, want %s", got.Method, got.Path, got.RawQuery, tc.target)
			}
			if tc.body != "" && string(got.Body) != tc.body {
				t.Errorf("fake got body %q", got.Body)
			}
			rec := e.rec.last(t)
			if rec.Path != path || rec.Query != query || rec.Status != http.StatusOK {
				t.Errorf("record %s?%s status %d", rec.Path, rec.Query, rec.Status)
			}
		})
	}
}

func TestHopByHopHeadersRemoved(t *testing.T) {
	e := newEnv(t, nil)
	resp, _ := e.doRead("POST", "/v1/messages", messagesBody,
		"Connection", "X-Hop-Custom",
		"X-Hop-Custom", "should-not-pass",
		"Keep-Alive", "timeout=5",
		"Proxy-Connection", "keep-alive",
		"Proxy-Authorization", "Basic c2VjcmV0",
		"Te", "gzip",
		"X-App", "cli",
		"User-Agent", "claude-cli/2.0.0 (external, cli)")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	h := e.received().Header
	for _, name := range []string{"Connection", "X-Hop-Custom", "Keep-Alive", "Proxy-Connection", "Proxy-Authorization", "Te"} {
		if v, ok := h[name]; ok {
			t.Errorf("hop-by-hop %s: %q reached upstream", name, v)
		}
	}
	// End-to-end headers pass.
	if h.Get("X-App") != "cli" || h.Get("User-Agent") != "claude-cli/2.0.0 (external, cli)" || h.Get("Anthropic-Version") != "2023-06-01" {
		t.Errorf("end-to-end headers lost: %v", h)
	}
}

func TestClientCredentialsNeverUpstream(t *testing.T) {
	for _, tc := range []struct {
		name string
		hdr  []string
	}{
		{"x-api-key", nil},
		{"bearer", []string{"x-api-key", "", "Authorization", "Bearer " + mainKey}},
		{"x-nexus-client-key", []string{"x-api-key", "", "x-nexus-client-key", mainKey}},
		// A client that sends its own credential without x-nexus-client-key gets the account's.
		{"own bearer ignored", []string{"Authorization", "Bearer " + ownKey}},
		// The client key in both places is not "an own credential" to pass through.
		{"client key twice", []string{"x-nexus-client-key", mainKey}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			resp, body := e.doRead("POST", "/v1/messages", messagesBody, tc.hdr...)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			h := e.received().Header
			if h.Get("X-Api-Key") != personalKey || len(h.Values("X-Api-Key")) != 1 {
				t.Errorf("x-api-key upstream %q, want the account's key", h.Values("X-Api-Key"))
			}
			for _, name := range []string{"Authorization", "X-Nexus-Client-Key"} {
				if v, ok := h[name]; ok {
					t.Errorf("%s reached upstream: %q", name, v)
				}
			}
			assertNoSecretIn(t, "upstream headers", h, mainKey, ownKey)
			if rec := e.rec.last(t); rec.Account != "personal" || rec.Passthrough || rec.ClientKeyID != "main" {
				t.Errorf("record account %q passthrough %v key %q", rec.Account, rec.Passthrough, rec.ClientKeyID)
			}
		})
	}
}

// TestClientKeyTwiceWithoutAccount: with no account, the client key sent as x-api-key and
// x-nexus-client-key is not an own credential, so nothing can go upstream.
func TestClientKeyTwiceWithoutAccount(t *testing.T) {
	e := newEnv(t, func(c *proxy.Config) { c.Credentials = nil })
	resp, body := e.doRead("POST", "/v1/messages", messagesBody, "x-nexus-client-key", mainKey)
	wantError(t, resp, body, http.StatusUnauthorized, "authentication_error")
	if n := e.fake.Count(); n != 0 {
		t.Errorf("fake received %d requests", n)
	}
}

// assertNoSecretIn fails when any header value contains one of secrets.
func assertNoSecretIn(t *testing.T, where string, h http.Header, secrets ...string) {
	t.Helper()
	for name, vals := range h {
		for _, v := range vals {
			for _, s := range secrets {
				if strings.Contains(v, s) {
					t.Errorf("%s: %s carries a secret", where, name)
				}
			}
		}
	}
}

// TestAcceptEncodingNotForwarded: the client's Accept-Encoding stays with the proxy; the
// proxy's transport asks upstream for gzip itself, inflates, and the client gets plain bytes
// whose length matches any Content-Length and with no Content-Encoding.
func TestAcceptEncodingNotForwarded(t *testing.T) {
	plain := []byte(strings.Repeat(`{"type":"message","content":[{"type":"text","text":"hello"}]}`, 50))
	var mu sync.Mutex
	var gotAE []string
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		gotAE = append(gotAE, r.Header.Values("Accept-Encoding")...)
		mu.Unlock()
		var zipped bytes.Buffer
		zw := gzip.NewWriter(&zipped)
		zw.Write(plain)
		zw.Close()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", strconv.Itoa(zipped.Len()))
		w.Write(zipped.Bytes())
	}))
	defer upstream.Close()
	u, _ := url.Parse(upstream.URL)
	e := newEnv(t, func(c *proxy.Config) { c.Upstream = u })

	for _, ae := range []string{"br, zstd", "gzip, deflate, br", "identity"} {
		// Setting Accept-Encoding by hand makes Go's client hand back the raw bytes.
		resp, body := e.doRead("POST", "/v1/messages", messagesBody, "Accept-Encoding", ae)
		if ce := resp.Header.Get("Content-Encoding"); ce != "" {
			t.Errorf("%s: client got Content-Encoding %q", ae, ce)
		}
		if !bytes.Equal(body, plain) {
			t.Errorf("%s: client got %d bytes, want the %d plain bytes", ae, len(body), len(plain))
		}
		if cl := resp.Header.Get("Content-Length"); cl != "" && cl != strconv.Itoa(len(body)) {
			t.Errorf("%s: Content-Length %s for %d bytes", ae, cl, len(body))
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for _, v := range gotAE {
		if v != "gzip" {
			t.Errorf("upstream got Accept-Encoding %q; only the transport's own gzip may go", v)
		}
	}
}

func TestAnthropicBetaMerged(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*proxy.Config)
		hdr  []string
		want []string
	}{
		{"api key, lines merged and deduplicated", nil,
			[]string{"anthropic-beta", "a-1,b-2", "anthropic-beta", "b-2, c-3", "anthropic-beta", "a-1"},
			[]string{"a-1", "b-2", "c-3"}},
		{"api key, one line kept", nil,
			[]string{"anthropic-beta", "a-1,b-2"},
			[]string{"a-1", "b-2"}},
		{"oauth beta added", nil,
			[]string{"x-api-key", workKey, "anthropic-beta", "a-1", "anthropic-beta", "b-2,a-1"},
			[]string{"a-1", "b-2", proxy.OAuthBeta}},
		{"oauth beta added alone", nil,
			[]string{"x-api-key", workKey},
			[]string{proxy.OAuthBeta}},
		{"oauth beta not duplicated", nil,
			[]string{"x-api-key", workKey, "anthropic-beta", "claude-code-20250219," + proxy.OAuthBeta, "anthropic-beta", proxy.OAuthBeta},
			[]string{"claude-code-20250219", proxy.OAuthBeta}},
		{"passthrough lines merged", func(c *proxy.Config) { c.Credentials = nil },
			[]string{"x-nexus-client-key", mainKey, "x-api-key", ownKey, "anthropic-beta", "a-1", "anthropic-beta", "a-1,b-2"},
			[]string{"a-1", "b-2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.edit)
			hdr := append([]string{"x-api-key", ""}, tc.hdr...)
			if !slices.Contains(tc.hdr, "x-api-key") {
				hdr = append(hdr, "x-api-key", mainKey)
			}
			resp, body := e.doRead("POST", "/v1/messages", messagesBody, hdr...)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			h := e.received().Header
			if got := betaValues(h); !slices.Equal(got, tc.want) {
				t.Errorf("anthropic-beta upstream %q, want %q", h.Values("Anthropic-Beta"), tc.want)
			}
			if n := len(h.Values("Anthropic-Beta")); n > 1 {
				t.Errorf("anthropic-beta sent as %d lines", n)
			}
		})
	}
}

func TestAPIKeyAccountSendsXAPIKey(t *testing.T) {
	e := newEnv(t, nil)
	e.fake.AcceptAPIKeys(personalKey)
	resp, body := e.doRead("POST", "/v1/messages", messagesBody)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	got := e.received()
	if got.Auth != fakeapi.AuthAPIKey || got.Header.Get("X-Api-Key") != personalKey || got.Header.Get("Authorization") != "" {
		t.Errorf("auth %q x-api-key %q authorization %q", got.Auth, got.Header.Get("X-Api-Key"), got.Header.Get("Authorization"))
	}
	if betaValues(got.Header) != nil {
		t.Errorf("API keys need no beta, got %q", betaValues(got.Header))
	}
}

func TestOAuthAccountSendsBearer(t *testing.T) {
	e := newEnv(t, nil)
	e.fake.AcceptBearerTokens(workToken)
	resp, body := e.doRead("POST", "/v1/messages", messagesBody, "x-api-key", "", "Authorization", "Bearer "+workKey)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	got := e.received()
	if got.Auth != fakeapi.AuthOAuth || got.Header.Get("Authorization") != "Bearer "+workToken || got.Header.Get("X-Api-Key") != "" {
		t.Errorf("auth %q authorization %q x-api-key %q", got.Auth, got.Header.Get("Authorization"), got.Header.Get("X-Api-Key"))
	}
	if !slices.Contains(betaValues(got.Header), proxy.OAuthBeta) {
		t.Errorf("beta %q lacks %s", betaValues(got.Header), proxy.OAuthBeta)
	}
	if rec := e.rec.last(t); rec.Account != "work" || rec.ClientKeyID != "work" {
		t.Errorf("record account %q key %q", rec.Account, rec.ClientKeyID)
	}
}

func TestPassthroughKeepsClientCredential(t *testing.T) {
	for _, tc := range []struct {
		name    string
		edit    func(*proxy.Config)
		hdr     []string
		wantKey string // x-api-key upstream
		wantAuz string // Authorization upstream
	}{
		{"own api key, no account", func(c *proxy.Config) { c.Credentials = nil },
			[]string{"x-api-key", ownKey}, ownKey, ""},
		{"own oauth token, no account", func(c *proxy.Config) { c.Credentials = nil },
			[]string{"Authorization", "Bearer " + ownKey, "anthropic-beta", proxy.OAuthBeta}, "", "Bearer " + ownKey},
		// An own credential wins over the account the client key is bound to.
		{"own api key, account present", nil,
			[]string{"x-api-key", ownKey}, ownKey, ""},
		// A second x-api-key line with the client key does not go along.
		{"own api key and client key lines", func(c *proxy.Config) { c.Credentials = nil },
			[]string{"x-api-key", ownKey, "x-api-key", mainKey, "Authorization", "Bearer " + mainKey}, ownKey, ""},
		{"client auth off", func(c *proxy.Config) { c.Credentials, c.ClientAuth = nil, false },
			[]string{"x-api-key", ownKey}, ownKey, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.edit)
			hdr := append([]string{"x-api-key", "", "x-nexus-client-key", mainKey}, tc.hdr...)
			resp, body := e.doRead("POST", "/v1/messages", messagesBody, hdr...)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			h := e.received().Header
			if h.Get("X-Api-Key") != tc.wantKey || h.Get("Authorization") != tc.wantAuz {
				t.Errorf("upstream x-api-key %q authorization %q", h.Get("X-Api-Key"), h.Get("Authorization"))
			}
			if _, ok := h["X-Nexus-Client-Key"]; ok {
				t.Error("x-nexus-client-key reached upstream")
			}
			assertNoSecretIn(t, "upstream headers", h, mainKey, personalKey)
			if rec := e.rec.last(t); !rec.Passthrough || rec.Account != "" {
				t.Errorf("record passthrough %v account %q", rec.Passthrough, rec.Account)
			}
		})
	}
}

func TestResponseHeadersReachClient(t *testing.T) {
	for _, tc := range []struct {
		name     string
		hdr      []string
		status   int
		expected []string
	}{
		{"api key", nil, 200, []string{"Request-Id", "Anthropic-Ratelimit-Requests-Limit", "Anthropic-Ratelimit-Tokens-Remaining", "Anthropic-Ratelimit-Output-Tokens-Reset"}},
		{"oauth", []string{"x-api-key", workKey}, 200, []string{"Request-Id", "Anthropic-Ratelimit-Unified-Status", "Anthropic-Ratelimit-Unified-5h-Utilization", "Anthropic-Ratelimit-Unified-7d-Reset"}},
		{"rate limited", []string{fakeapi.ScenarioHeader, "error:429"}, 429, []string{"Request-Id", "Retry-After", "Anthropic-Ratelimit-Requests-Remaining"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			hdr := append([]string{"x-api-key", ""}, tc.hdr...)
			if !slices.Contains(tc.hdr, "x-api-key") {
				hdr = append(hdr, "x-api-key", mainKey)
			}
			resp, _ := e.doRead("POST", "/v1/messages", messagesBody, hdr...)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			got := e.received()
			rec := e.rec.last(t)
			for _, name := range tc.expected {
				v := resp.Header.Get(name)
				if v == "" {
					t.Errorf("client did not get %s", name)
				}
				if rv := rec.Headers[strings.ToLower(name)]; rv != v {
					t.Errorf("record %s = %q, client got %q", name, rv, v)
				}
			}
			if resp.Header.Get("Request-Id") != got.RequestID {
				t.Errorf("request-id %q, fake sent %q", resp.Header.Get("Request-Id"), got.RequestID)
			}
		})
	}
}

// TestDirectBrowserAccessIsNotOrigin: the JS SDK (and so Claude Code) sends this header on
// every request; it says nothing about a web page and must pass.
func TestDirectBrowserAccessIsNotOrigin(t *testing.T) {
	e := newEnv(t, nil)
	resp, body := e.doRead("POST", "/v1/messages", messagesBody, "anthropic-dangerous-direct-browser-access", "true")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if v := e.received().Header.Get("Anthropic-Dangerous-Direct-Browser-Access"); v != "true" {
		t.Errorf("header upstream %q", v)
	}
}

func TestForwardingHeadersNeverUpstream(t *testing.T) {
	e := newEnv(t, nil)
	resp, _ := e.doRead("POST", "/v1/messages", messagesBody,
		"X-Forwarded-For", "203.0.113.7",
		"X-Forwarded-Host", "evil.example",
		"X-Forwarded-Proto", "https",
		"Forwarded", "for=203.0.113.7;proto=https",
		"X-Real-Ip", "203.0.113.7")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	h := e.received().Header
	for _, name := range []string{"X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "Forwarded", "X-Real-Ip", "Via"} {
		if v, ok := h[name]; ok {
			t.Errorf("%s reached upstream: %q", name, v)
		}
	}
	for _, vals := range h {
		for _, v := range vals {
			if strings.Contains(v, "127.0.0.1") || strings.Contains(v, "203.0.113.7") {
				t.Errorf("a client address reached upstream: %q", v)
			}
		}
	}
}

// TestRequestBodyForwardedExactly: the body arrives upstream byte for byte, with its length.
func TestRequestBodyForwardedExactly(t *testing.T) {
	e := newEnv(t, nil)
	body := `{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"` + strings.Repeat("ü", 5000) + `"}]}`
	resp, _ := e.doRead("POST", "/v1/messages", body)
	io.Copy(io.Discard, resp.Body)
	got := e.received()
	if string(got.Body) != body || got.BodyLen != len(body) {
		t.Errorf("fake got %d bytes, want %d", got.BodyLen, len(body))
	}
}

// With client auth off and no account, a client that sends its Nexus client key as its API key
// (as Claude Code does with ANTHROPIC_API_KEY set to it) is told to set up an account; the
// key is not passed through to Anthropic as if it were the client's own credential.
func TestClientKeyIsNeverPassedThrough(t *testing.T) {
	for _, tc := range []struct {
		name string
		hdr  []string
	}{
		{"x-api-key", []string{"x-api-key", mainKey}},
		{"bearer", []string{"x-api-key", "", "Authorization", "Bearer " + mainKey}},
		{"another client key beside x-nexus-client-key", []string{"x-api-key", workKey, "x-nexus-client-key", mainKey}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *proxy.Config) { c.Credentials, c.ClientAuth = nil, false })
			resp, body := e.doRead("POST", "/v1/messages", messagesBody, tc.hdr...)
			if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "no Anthropic account") {
				t.Errorf("status %d: %s", resp.StatusCode, body)
			}
			if got := e.fake.Requests(); len(got) != 0 {
				t.Errorf("upstream received %d requests, with x-api-key %q authorization %q", len(got),
					got[0].Header.Get("X-Api-Key"), got[0].Header.Get("Authorization"))
			}
		})
	}
}
