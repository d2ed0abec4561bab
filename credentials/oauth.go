package credentials

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// ClientID is the public OAuth client id Claude Code uses.
const ClientID = "9d1c250a-e61b-44d9-88ed-5944d1962f5e"

// OAuthTokens is the secret of an OAuth account, stored in the keychain as JSON.
// Stored; DO NOT rename the json tags.
type OAuthTokens struct {
	AccessToken  string   `json:"access_token"`
	RefreshToken string   `json:"refresh_token"`
	ExpiresAt    int64    `json:"expires_at"` // Unix milliseconds
	Scopes       []string `json:"scopes"`
}

// Expires is when the access token expires.
func (t OAuthTokens) Expires() time.Time { return time.UnixMilli(t.ExpiresAt) }

// validate checks the tokens can be stored and sent. Its errors never repeat a token.
func (t OAuthTokens) validate() error {
	if t.AccessToken == "" || !headerSafe(t.AccessToken) {
		return errors.New("the OAuth access token is missing or has characters tokens never have")
	}
	if t.RefreshToken == "" || !headerSafe(t.RefreshToken) {
		return errors.New("the OAuth refresh token is missing or has characters tokens never have")
	}
	if t.ExpiresAt <= 0 {
		return errors.New("the OAuth token has no expiry time")
	}
	return nil
}

func parseOAuthSecret(name, secret string) (OAuthTokens, error) {
	var t OAuthTokens
	if err := json.Unmarshal([]byte(secret), &t); err != nil {
		// Not %w: a JSON syntax error may quote a byte of the secret.
		return OAuthTokens{}, fmt.Errorf("account %q: its keychain item is not valid OAuth tokens; run: nexus credentials login %s", name, name)
	}
	return t, nil
}

// AddOAuth stores OAuth tokens as account name, replacing a previous secret of that name and
// clearing any refresh failure. The first account added becomes the default.
func (v *Vault) AddOAuth(name string, t OAuthTokens) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	if err := t.validate(); err != nil {
		return err
	}
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return v.addAccount(Account{Name: name, Kind: KindOAuth, Created: v.now().UTC(), Masked: Mask(t.AccessToken),
		ExpiresAt: t.ExpiresAt}, string(b))
}

// oauthState returns the cached account and tokens of OAuth account name.
func (v *Vault) oauthState(name string) (Account, OAuthTokens, error) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	i := indexOfAccount(v.idx.Accounts, name)
	if i < 0 {
		return Account{}, OAuthTokens{}, fmt.Errorf("%w: %q", ErrNoAccount, name)
	}
	a := v.idx.Accounts[i]
	secret, ok := v.secrets[name]
	if !ok {
		return a, OAuthTokens{}, fmt.Errorf("account %q: its secret is %w (run: nexus credentials login %s)", name, ErrNotFound, name)
	}
	t, err := parseOAuthSecret(name, secret)
	return a, t, err
}

// saveRefreshed stores the rotated tokens of account name — keychain first, then the index,
// then memory — and clears its refresh failure. usedRefresh is the refresh token they
// replace: if the account's tokens changed meanwhile (a new login), nothing is saved.
func (v *Vault) saveRefreshed(name, usedRefresh string, t OAuthTokens) error {
	if err := t.validate(); err != nil {
		return fmt.Errorf("account %q: the token endpoint's answer: %v", name, err)
	}
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.reloadLocked(); err != nil {
		return err
	}
	idx := v.copyIndexLocked()
	i := indexOfAccount(idx.Accounts, name)
	if i < 0 || idx.Accounts[i].Kind != KindOAuth {
		return fmt.Errorf("account %q was removed while its token was refreshed", name)
	}
	if cur, err := parseOAuthSecret(name, v.secrets[name]); err == nil && cur.RefreshToken != usedRefresh {
		return fmt.Errorf("account %q was logged in again while its token was refreshed", name)
	}
	// The endpoint has spent usedRefresh: these tokens are the good ones, saved or not.
	u := unsavedTokens{secret: string(b), tokens: t, entry: idx.Accounts[i]}
	v.secrets[name] = u.secret
	if err := v.storeRefreshedLocked(name, u); err != nil {
		if v.unsaved == nil {
			v.unsaved = map[string]unsavedTokens{}
		}
		v.unsaved[name] = u
		return fmt.Errorf("%w: %w", errRefreshedNotSaved, err)
	}
	delete(v.unsaved, name)
	return nil
}

// errRefreshedNotSaved: a refresh succeeded but the keychain would not take the new tokens;
// they are served from memory and saved at the next reload (saveUnsavedLocked).
var errRefreshedNotSaved = errors.New("the refreshed token is kept in memory until the keychain takes it")

// storeRefreshedLocked saves account name's refreshed tokens u and its index entry.
func (v *Vault) storeRefreshedLocked(name string, u unsavedTokens) error {
	if err := v.kc.Set(accountItem(name), u.secret); err != nil {
		return fmt.Errorf("saving account %q's refreshed token: %w", name, err)
	}
	idx := v.copyIndexLocked()
	i := indexOfAccount(idx.Accounts, name)
	if i < 0 {
		return nil
	}
	a := &idx.Accounts[i]
	a.ExpiresAt, a.Masked, a.RefreshError, a.NeedsLogin = u.tokens.ExpiresAt, Mask(u.tokens.AccessToken), "", false
	return v.saveIndexLocked(idx)
}

// saveUnsavedLocked saves again the refreshed tokens the keychain would not take. Until
// saved they are the ones served; those of an account whose index entry changed since (it
// was removed, or logged in again) are dropped, as the keychain's are newer.
func (v *Vault) saveUnsavedLocked() {
	for name, u := range v.unsaved {
		if i := indexOfAccount(v.idx.Accounts, name); i < 0 || v.idx.Accounts[i] != u.entry {
			delete(v.unsaved, name)
			continue
		}
		v.secrets[name] = u.secret
		if v.storeRefreshedLocked(name, u) == nil {
			delete(v.unsaved, name)
		}
	}
}

// setRefreshFailure records in the index why account name's refresh failed.
func (v *Vault) setRefreshFailure(name, reason string, needsLogin bool) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.reloadLocked(); err != nil {
		return err
	}
	idx := v.copyIndexLocked()
	i := indexOfAccount(idx.Accounts, name)
	if i < 0 {
		return nil
	}
	idx.Accounts[i].RefreshError, idx.Accounts[i].NeedsLogin = reason, needsLogin
	return v.saveIndexLocked(idx)
}

// OAuthClient talks to the OAuth token endpoint.
type OAuthClient struct {
	TokenURL string
	ClientID string       // "" means ClientID
	HTTP     *http.Client // nil means a client with a 30 s timeout
	now      func() time.Time
}

// TokenError is the token endpoint's refusal: an OAuth error code (invalid_grant, …) or an
// unexpected HTTP status. It never holds a token.
type TokenError struct {
	Status int
	Code   string // OAuth "error", "" when the answer had none
}

func (e *TokenError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("the token endpoint answered %d %s", e.Status, e.Code)
	}
	return fmt.Sprintf("the token endpoint answered HTTP %d", e.Status)
}

// InvalidGrant reports whether err says the refresh token or code is no longer valid.
func InvalidGrant(err error) bool {
	var te *TokenError
	return errors.As(err, &te) && te.Code == "invalid_grant"
}

// Refresh exchanges refreshToken for a new token pair (the old refresh token stops working).
func (c *OAuthClient) Refresh(ctx context.Context, refreshToken string) (OAuthTokens, error) {
	return c.exchange(ctx, map[string]string{
		"grant_type":    "refresh_token",
		"refresh_token": refreshToken,
		"client_id":     c.clientID(),
	})
}

func (c *OAuthClient) clientID() string {
	if c.ClientID == "" {
		return ClientID
	}
	return c.ClientID
}

func (c *OAuthClient) exchange(ctx context.Context, params map[string]string) (OAuthTokens, error) {
	body, _ := json.Marshal(params)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.TokenURL, bytes.NewReader(body))
	if err != nil {
		return OAuthTokens{}, fmt.Errorf("token URL %q: %v", c.TokenURL, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		// A *url.Error names the method and the token URL, never the body.
		return OAuthTokens{}, fmt.Errorf("calling the token endpoint: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return OAuthTokens{}, fmt.Errorf("reading the token endpoint's answer: %w", err)
	}
	var ans struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		ExpiresIn    int64  `json:"expires_in"`
		Scope        string `json:"scope"`
		Error        string `json:"error"`
	}
	jerr := json.Unmarshal(raw, &ans)
	if resp.StatusCode != http.StatusOK {
		code := ""
		if jerr == nil && isOAuthErrorCode(ans.Error) {
			code = ans.Error
		}
		return OAuthTokens{}, &TokenError{Status: resp.StatusCode, Code: code}
	}
	if jerr != nil {
		return OAuthTokens{}, errors.New("the token endpoint's answer is not JSON")
	}
	now := time.Now
	if c.now != nil {
		now = c.now
	}
	t := OAuthTokens{AccessToken: ans.AccessToken, RefreshToken: ans.RefreshToken,
		ExpiresAt: now().Add(time.Duration(ans.ExpiresIn) * time.Second).UnixMilli(), Scopes: strings.Fields(ans.Scope)}
	if ans.ExpiresIn <= 0 {
		return OAuthTokens{}, errors.New("the token endpoint's answer has no expires_in")
	}
	if err := t.validate(); err != nil {
		return OAuthTokens{}, fmt.Errorf("the token endpoint's answer: %v", err)
	}
	return t, nil
}

// isOAuthErrorCode keeps only well-formed error codes, so that nothing the endpoint echoes
// can reach a message.
func isOAuthErrorCode(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && c != '_' {
			return false
		}
	}
	return true
}
