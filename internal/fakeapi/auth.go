package fakeapi

import (
	"net/http"
	"strings"
)

// Received.Auth values: how a request authenticated.
const (
	AuthAPIKey = "api_key" // x-api-key, or a bearer API key
	AuthOAuth  = "oauth"   // Authorization: Bearer with the OAuth beta
)

// OAuthBeta must be among a bearer request's anthropic-beta values.
const OAuthBeta = "oauth-2025-04-20"

// AcceptAPIKeys makes the fake accept exactly these API keys (none if empty), instead of
// any non-empty one.
func (s *Server) AcceptAPIKeys(keys ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apiKeys = set(keys)
}

// AcceptBearerTokens makes the fake accept exactly these OAuth access tokens plus the ones
// its own token endpoint has issued, instead of any non-empty token.
func (s *Server) AcceptBearerTokens(tokens ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bearers = set(tokens)
}

func set(values []string) map[string]bool {
	m := make(map[string]bool, len(values))
	for _, v := range values {
		m[v] = true
	}
	return m
}

// authenticate returns AuthAPIKey or AuthOAuth, or "" and the 401 message.
//
//   - x-api-key: an API key. It wins when Authorization is present too.
//   - Authorization: Bearer with OAuthBeta among the anthropic-beta values: an OAuth
//     access token.
//   - Authorization: Bearer without it: an OAuth access token (prefix "sk-ant-oat") is
//     refused; any other token is an API key, as the official Go SDK v2 sends API keys.
func (s *Server) authenticate(h http.Header) (auth, message string) {
	if key := h.Get("X-Api-Key"); key != "" {
		return s.apiKey(key)
	}
	scheme, token, _ := strings.Cut(h.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", "x-api-key header is required"
	}
	if !hasBeta(h, OAuthBeta) {
		if strings.HasPrefix(token, "sk-ant-oat") {
			return "", "OAuth authentication is currently not supported."
		}
		return s.apiKey(token)
	}
	s.mu.Lock()
	ok := s.bearers == nil || s.bearers[token]
	s.mu.Unlock()
	if !ok && !s.oauth.issuedAccess(token) {
		return "", "Invalid bearer token"
	}
	return AuthOAuth, ""
}

func (s *Server) apiKey(key string) (auth, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.apiKeys != nil && !s.apiKeys[key] {
		return "", "invalid x-api-key"
	}
	return AuthAPIKey, ""
}

// hasBeta reports whether any anthropic-beta header lists beta.
func hasBeta(h http.Header, beta string) bool {
	for _, v := range h.Values("Anthropic-Beta") {
		for v != "" {
			var item string
			item, v, _ = strings.Cut(v, ",")
			if strings.TrimSpace(item) == beta {
				return true
			}
		}
	}
	return false
}
