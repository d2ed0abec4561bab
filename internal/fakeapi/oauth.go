package fakeapi

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// The OAuth token endpoint, POST /v1/oauth/token, takes JSON (or form-encoded) bodies:
//
//	{"grant_type":"refresh_token","refresh_token":…,"client_id":…}
//	{"grant_type":"authorization_code","code":…,"code_verifier":…,"client_id":…,"redirect_uri":…,"state":…}
//
// and answers 200 {"token_type":"Bearer","access_token":"sk-ant-oat01-fake-N",
// "refresh_token":"sk-ant-ort01-fake-N","expires_in":…,"scope":…,"account":…,"organization":…},
// or 400 {"error":"invalid_grant"|"invalid_request"|"unsupported_grant_type","error_description":…}.
//
// Refresh tokens rotate: a used one answers invalid_grant from then on. Until
// AddRefreshToken is called any other non-empty refresh token is accepted (once); after
// it, only registered and issued ones. Codes work the same way with AddAuthCode and are
// single-use. The endpoint needs no API credentials.

// DefaultExpiresIn is the expires_in of issued tokens until SetExpiresIn.
const DefaultExpiresIn = 8 * time.Hour

// oauthState is the token endpoint's memory.
type oauthState struct {
	mu          sync.Mutex // guards the fields below
	calls       int
	expiresIn   time.Duration
	strictCodes bool
	strict      bool            // only refresh tokens in valid are accepted
	valid       map[string]bool // refresh tokens registered or issued and not yet used
	spent       map[string]bool // refresh tokens used or otherwise revoked
	codes       map[string]string
	usedCodes   map[string]bool
	access      map[string]bool // issued access tokens
	issued      int
	lastAccess  string
	lastRefresh string
}

func (o *oauthState) init() {
	o.expiresIn = DefaultExpiresIn
	o.valid, o.spent = map[string]bool{}, map[string]bool{}
	o.codes, o.usedCodes = map[string]string{}, map[string]bool{}
	o.access = map[string]bool{}
}

// AddRefreshToken registers refresh tokens the endpoint accepts, and from then on accepts
// no others except the ones it issues.
func (s *Server) AddRefreshToken(tokens ...string) {
	o := &s.oauth
	o.mu.Lock()
	defer o.mu.Unlock()
	o.strict = true
	for _, t := range tokens {
		o.valid[t] = true
		delete(o.spent, t)
	}
}

// AddAuthCode registers an authorization code and the PKCE S256 code_challenge its
// exchange must match (base64url of SHA-256 of the code_verifier); an empty challenge skips
// the check. From then on unregistered codes fail.
func (s *Server) AddAuthCode(code, challenge string) {
	o := &s.oauth
	o.mu.Lock()
	defer o.mu.Unlock()
	o.strictCodes = true
	o.codes[code] = challenge
}

// SetExpiresIn sets the lifetime of tokens issued from now on (whole seconds on the wire).
func (s *Server) SetExpiresIn(d time.Duration) {
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	s.oauth.expiresIn = d
}

// TokenCalls returns how many requests the token endpoint received, failed ones included.
func (s *Server) TokenCalls() int {
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	return s.oauth.calls
}

// LastIssued returns the most recently issued token pair ("" before any).
func (s *Server) LastIssued() (accessToken, refreshToken string) {
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	return s.oauth.lastAccess, s.oauth.lastRefresh
}

func (o *oauthState) issuedAccess(token string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.access[token]
}

// token answers one token request, rotating state as it decides.
func (o *oauthState) token(r *http.Request, body []byte) response {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls++
	p, ok := tokenParams(r, body)
	if !ok {
		return oauthError("invalid_request", "Body is not valid JSON or form data.")
	}
	if p.Get("client_id") == "" {
		return oauthError("invalid_request", "Missing client_id.")
	}
	switch p.Get("grant_type") {
	case "refresh_token":
		rt := p.Get("refresh_token")
		if rt == "" || o.spent[rt] || o.strict && !o.valid[rt] {
			return oauthError("invalid_grant", "Invalid 'refresh_token' in request.")
		}
		delete(o.valid, rt)
		o.spent[rt] = true
	case "authorization_code":
		code, verifier := p.Get("code"), p.Get("code_verifier")
		if code == "" || verifier == "" || p.Get("redirect_uri") == "" {
			return oauthError("invalid_request", "Missing code, code_verifier or redirect_uri.")
		}
		challenge, known := o.codes[code]
		if o.usedCodes[code] || o.strictCodes && !known || challenge != "" && challenge != s256(verifier) {
			return oauthError("invalid_grant", "Invalid 'code' in request.")
		}
		o.usedCodes[code] = true
	default:
		return oauthError("unsupported_grant_type", fmt.Sprintf("Unsupported grant_type %q.", p.Get("grant_type")))
	}
	return o.issueLocked()
}

func (o *oauthState) issueLocked() response {
	o.issued++
	access := fmt.Sprintf("sk-ant-oat01-fake-%06d", o.issued)
	refresh := fmt.Sprintf("sk-ant-ort01-fake-%06d", o.issued)
	o.access[access] = true
	o.valid[refresh] = true
	o.lastAccess, o.lastRefresh = access, refresh
	body, _ := json.Marshal(map[string]any{
		"token_type":    "Bearer",
		"access_token":  access,
		"refresh_token": refresh,
		"expires_in":    int64(o.expiresIn / time.Second),
		"scope":         "user:inference user:profile",
		"organization":  map[string]string{"uuid": "00000000-0000-4000-8000-00000000f0e1", "name": "Fake Org"},
		"account":       map[string]string{"uuid": "00000000-0000-4000-8000-00000000acc7", "email_address": "fake@example.com"},
	})
	return jsonOK(body)
}

// tokenParams reads a JSON or form-encoded token request body.
func tokenParams(r *http.Request, body []byte) (url.Values, bool) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/x-www-form-urlencoded" {
		v, err := url.ParseQuery(string(body))
		return v, err == nil
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, false
	}
	v := url.Values{}
	for k, x := range m {
		if str, ok := x.(string); ok {
			v.Set(k, str)
		}
	}
	return v, true
}

func oauthError(code, description string) response {
	body, _ := json.Marshal(map[string]string{"error": code, "error_description": description})
	return &jsonResponse{status: http.StatusBadRequest, body: body}
}

// s256 is the PKCE S256 code_challenge of verifier.
func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
