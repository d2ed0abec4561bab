package credentials

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
)

func TestLogin(t *testing.T) {
	fake := startFake(t)
	c := &OAuthClient{TokenURL: fake.URL() + "/v1/oauth/token"}
	l := c.StartLogin()
	if !strings.HasPrefix(l.URL, AuthorizeURL+"?code=true&") ||
		!strings.Contains(l.URL, "&response_type=code&redirect_uri=https://console.anthropic.com/oauth/code/callback&scope=org:create_api_key%20user:profile%20user:inference&code_challenge=") {
		t.Errorf("authorize URL %s", l.URL)
	}
	u, err := url.Parse(l.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	sum := sha256.Sum256([]byte(l.verifier))
	for k, want := range map[string]string{"client_id": ClientID, "response_type": "code", "redirect_uri": RedirectURI,
		"code_challenge_method": "S256", "state": l.state, "code_challenge": base64.RawURLEncoding.EncodeToString(sum[:])} {
		if q.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, q.Get(k), want)
		}
	}
	fake.AddAuthCode("the-code", q.Get("code_challenge"))

	if _, err := c.Finish(context.Background(), l, "the-code#wrong-state"); err == nil || !strings.Contains(err.Error(), "state") {
		t.Errorf("wrong state: %v", err)
	}
	if _, err := c.Finish(context.Background(), l, "the-code"); err == nil {
		t.Error("no state accepted")
	}
	if c := fake.TokenCalls(); c != 0 {
		t.Errorf("bad pastes reached the token endpoint %d times", c)
	}
	tok, err := c.Finish(context.Background(), l, " the-code#"+l.state+"\n")
	if err != nil {
		t.Fatal(err)
	}
	if access, refresh := fake.LastIssued(); tok.AccessToken != access || tok.RefreshToken != refresh || len(tok.Scopes) == 0 {
		t.Errorf("tokens %+v", tok)
	}
	// Codes are single-use; the error says why without repeating the code.
	_, err = c.Finish(context.Background(), l, "the-code#"+l.state)
	if !InvalidGrant(err) || strings.Contains(err.Error(), "the-code") {
		t.Errorf("reused code: %v", err)
	}
	v := openMem(t, NewMemoryKeychain())
	if err := v.AddOAuth("me", tok); err != nil {
		t.Fatal(err)
	}
	if a := v.Accounts()[0]; a.Kind != KindOAuth || a.ExpiresAt != tok.ExpiresAt || strings.Contains(a.Masked, tok.AccessToken) {
		t.Errorf("account %+v", a)
	}
}
