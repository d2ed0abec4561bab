package credentials

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// OAuth login parameters of Claude Code's public client.
const (
	AuthorizeURL = "https://claude.ai/oauth/authorize"
	RedirectURI  = "https://console.anthropic.com/oauth/code/callback"
	LoginScopes  = "org:create_api_key user:profile user:inference"
)

// Login is one PKCE login in progress: show URL to the user, who pastes back "code#state".
type Login struct {
	URL      string
	verifier string
	state    string
}

// StartLogin begins a PKCE login.
func (c *OAuthClient) StartLogin() *Login {
	l := &Login{verifier: randomURLString(32), state: randomURLString(32)}
	sum := sha256.Sum256([]byte(l.verifier))
	// In the order and spelling of the authorize page's own links (DESIGN: specs/anthropic-api.md).
	l.URL = AuthorizeURL + "?code=true&client_id=" + url.QueryEscape(c.clientID()) +
		"&response_type=code&redirect_uri=" + RedirectURI +
		"&scope=" + strings.ReplaceAll(LoginScopes, " ", "%20") +
		"&code_challenge=" + base64.RawURLEncoding.EncodeToString(sum[:]) +
		"&code_challenge_method=S256&state=" + l.state
	return l
}

// Finish checks the pasted "code#state" and exchanges the code for tokens. Its errors never
// repeat the code.
func (c *OAuthClient) Finish(ctx context.Context, l *Login, pasted string) (OAuthTokens, error) {
	code, state, ok := strings.Cut(strings.TrimSpace(pasted), "#")
	if !ok || code == "" || state == "" {
		return OAuthTokens{}, errors.New("paste the whole code shown after login, in the form CODE#STATE")
	}
	if subtle.ConstantTimeCompare([]byte(state), []byte(l.state)) != 1 {
		return OAuthTokens{}, errors.New("the pasted code belongs to another login attempt (its state does not match): start the login again")
	}
	t, err := c.exchange(ctx, map[string]string{
		"grant_type":    "authorization_code",
		"code":          code,
		"state":         state,
		"client_id":     c.clientID(),
		"redirect_uri":  RedirectURI,
		"code_verifier": l.verifier,
	})
	if err != nil {
		return OAuthTokens{}, fmt.Errorf("exchanging the login code: %w", err)
	}
	return t, nil
}

func randomURLString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
