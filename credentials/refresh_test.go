package credentials

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"nexus/internal/fakeapi"
	"nexus/internal/syncbuf"
)

func startFake(t *testing.T) *fakeapi.Server {
	t.Helper()
	f, err := fakeapi.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func testLogger(buf *syncbuf.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

const (
	oldAccess  = "sk-ant-oat01-original-access-token-0123456789abcdef"
	oldRefresh = "sk-ant-ort01-original-refresh-token-0123456789abcdef"
)

// oauthVault returns a vault with OAuth account "sub" whose token expires in expiresIn, and a
// refresher against fake (which accepts only oldRefresh and what it issues).
func oauthVault(t *testing.T, kc Keychain, fake *fakeapi.Server, expiresIn time.Duration, log *slog.Logger) (*Vault, *Refresher) {
	t.Helper()
	fake.AddRefreshToken(oldRefresh)
	v := openMem(t, kc)
	err := v.AddOAuth("sub", OAuthTokens{AccessToken: oldAccess, RefreshToken: oldRefresh,
		ExpiresAt: time.Now().Add(expiresIn).UnixMilli(), Scopes: []string{"user:inference"}})
	if err != nil {
		t.Fatal(err)
	}
	return v, NewRefresher(v, &OAuthClient{TokenURL: fake.URL() + "/v1/oauth/token"}, log)
}

// slowKeychain delays writes of account items, so that a caller handed a token before it is
// saved would see the old one in the keychain.
type slowKeychain struct {
	*MemoryKeychain
	delay time.Duration
}

func (s slowKeychain) Set(item, secret string) error {
	if strings.HasPrefix(item, "account:") {
		time.Sleep(s.delay)
	}
	return s.MemoryKeychain.Set(item, secret)
}

func storedTokens(t *testing.T, kc Keychain, name string) OAuthTokens {
	t.Helper()
	s, err := kc.Get(accountItem(name))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := parseOAuthSecret(name, s)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestRefreshSingleFlight(t *testing.T) {
	fake := startFake(t)
	mem := NewMemoryKeychain()
	kc := slowKeychain{mem, 0}
	_, r := oauthVault(t, kc, fake, 30*time.Second, nil)
	kc.delay = 0
	r.v.kc = slowKeychain{mem, 100 * time.Millisecond}

	const n = 50
	var wg sync.WaitGroup
	tokens := make([]string, n)
	stored := make([]string, n)
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, kind, tok, err := r.Credential(context.Background(), "")
			if err == nil && kind != KindOAuth {
				err = errors.New("kind " + string(kind))
			}
			tokens[i], errs[i] = tok, err
			// Read the keychain right away: the token must already be saved.
			s, _ := mem.Get(accountItem("sub"))
			stored[i] = s
		}()
	}
	close(start)
	wg.Wait()
	if c := fake.TokenCalls(); c != 1 {
		t.Errorf("token endpoint called %d times, want exactly 1", c)
	}
	newAccess, newRefresh := fake.LastIssued()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if tokens[i] != newAccess {
			t.Errorf("caller %d got %q, want the new token %q", i, tokens[i], newAccess)
		}
		if !strings.Contains(stored[i], newAccess) || !strings.Contains(stored[i], newRefresh) {
			t.Errorf("caller %d got the token before the new pair was in the keychain", i)
		}
	}
	if tok := storedTokens(t, mem, "sub"); tok.RefreshToken != newRefresh || tok.ExpiresAt < time.Now().Add(time.Hour).UnixMilli() {
		t.Errorf("keychain holds refresh %q expiring %v", tok.RefreshToken, tok.Expires())
	}
	// The index knows the new expiry, without the secret.
	a := r.v.Accounts()[0]
	if a.ExpiresAt < time.Now().Add(time.Hour).UnixMilli() || a.RefreshError != "" || a.NeedsLogin {
		t.Errorf("index after refresh: %+v", a)
	}
}

func TestRefreshNotNeeded(t *testing.T) {
	fake := startFake(t)
	_, r := oauthVault(t, NewMemoryKeychain(), fake, time.Hour, nil)
	_, _, tok, err := r.Credential(context.Background(), "sub")
	if err != nil || tok != oldAccess {
		t.Fatalf("Credential = %q, %v; want the stored token", tok, err)
	}
	if c := fake.TokenCalls(); c != 0 {
		t.Errorf("token calls = %d for a token valid for an hour", c)
	}
}

func TestRefreshRestartUsesRotatedToken(t *testing.T) {
	fake := startFake(t)
	kc := NewMemoryKeychain()
	_, r := oauthVault(t, kc, fake, 10*time.Second, nil)
	if _, _, _, err := r.Credential(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	// "Crash" and start again on the same keychain, with the token about to expire once more.
	fake.SetExpiresIn(20 * time.Second)
	v2 := openMem(t, kc)
	tok := storedTokens(t, kc, "sub")
	if tok.RefreshToken == oldRefresh {
		t.Fatal("the keychain still holds the spent refresh token")
	}
	tok.ExpiresAt = time.Now().Add(20 * time.Second).UnixMilli()
	if err := v2.AddOAuth("sub", tok); err != nil {
		t.Fatal(err)
	}
	v3 := openMem(t, kc)
	r3 := NewRefresher(v3, r.client, nil)
	_, _, access, err := r3.Credential(context.Background(), "")
	if err != nil {
		t.Fatalf("after restart: %v", err)
	}
	if want, _ := fake.LastIssued(); access != want || fake.TokenCalls() != 2 {
		t.Errorf("after restart got %q (token calls %d), want %q from a second refresh", access, fake.TokenCalls(), want)
	}
	// The first refresh token was spent: using it again would have failed.
	if _, err := r.client.Refresh(context.Background(), oldRefresh); !InvalidGrant(err) {
		t.Errorf("the fake accepted the spent refresh token: %v", err)
	}
}

func TestRefreshFailureNamesAccountAndLogin(t *testing.T) {
	fake := startFake(t)
	kc := NewMemoryKeychain()
	var logs syncbuf.Buffer
	v, r := oauthVault(t, kc, fake, -time.Second, testLogger(&logs)) // already expired
	fake.Close()                                                     // the endpoint is down
	_, _, _, err := r.Credential(context.Background(), "")
	var re *RefreshError
	if !errors.As(err, &re) || re.NeedsLogin {
		t.Fatalf("Credential = %v, want a RefreshError", err)
	}
	for _, want := range []string{`"sub"`, "nexus credentials login sub"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	// Backed off: a second call does not try again at once.
	fake2Calls := fake.TokenCalls()
	if _, _, _, err2 := r.Credential(context.Background(), ""); err2 == nil || fake.TokenCalls() != fake2Calls {
		t.Errorf("second call during back-off: %v, token calls %d → %d", err2, fake2Calls, fake.TokenCalls())
	}
	if a := v.Accounts()[0]; a.RefreshError == "" || a.NeedsLogin {
		t.Errorf("index after a failed refresh: %+v", a)
	}
	for _, s := range []string{oldAccess, oldRefresh} {
		if strings.Contains(err.Error(), s) || strings.Contains(logs.String(), s) {
			t.Errorf("a token leaked into the error or the log")
		}
	}
}

func TestRefreshStillValidTokenUsedWhileFailing(t *testing.T) {
	fake := startFake(t)
	_, r := oauthVault(t, NewMemoryKeychain(), fake, 30*time.Second, nil)
	fake.Close()
	_, _, tok, err := r.Credential(context.Background(), "")
	if err != nil || tok != oldAccess {
		t.Errorf("Credential = %q, %v; want the still-valid token while refreshing fails", tok, err)
	}
}

func TestRefreshInvalidGrantNeedsLogin(t *testing.T) {
	fake := startFake(t)
	kc := NewMemoryKeychain()
	var logs syncbuf.Buffer
	_, r := oauthVault(t, kc, fake, 30*time.Second, testLogger(&logs))
	fake.AddRefreshToken() // strict
	// Spend the refresh token behind Nexus's back: the endpoint will answer invalid_grant.
	if _, err := r.client.Refresh(context.Background(), oldRefresh); err != nil {
		t.Fatal(err)
	}
	// Expired now, so the refusal reaches the caller.
	r.now = func() time.Time { return time.Now().Add(time.Minute) }
	_, _, _, err := r.Credential(context.Background(), "")
	var re *RefreshError
	if !errors.As(err, &re) || !re.NeedsLogin {
		t.Fatalf("Credential = %v, want a needs-login RefreshError", err)
	}
	if !strings.Contains(err.Error(), "nexus credentials login sub") {
		t.Errorf("error %q does not say how to fix it", err)
	}
	calls := fake.TokenCalls()
	// Persisted: a new vault and refresher on the same keychain do not try again.
	v2 := openMem(t, kc)
	if a := v2.Accounts()[0]; !a.NeedsLogin || !strings.Contains(a.RefreshError, "invalid_grant") {
		t.Errorf("index: %+v, want needs_login and the reason", a)
	}
	r2 := NewRefresher(v2, r.client, nil)
	r2.now = r.now
	for range 3 {
		if _, _, _, err := r2.Credential(context.Background(), ""); err == nil {
			t.Error("Credential of a needs-login account succeeded")
		}
		if _, _, _, err := r.Credential(context.Background(), ""); err == nil {
			t.Error("Credential of a needs-login account succeeded")
		}
	}
	r2.RefreshDue(context.Background(), time.Hour)
	if c := fake.TokenCalls(); c != calls {
		t.Errorf("token calls went %d → %d after invalid_grant", calls, c)
	}
	// A new login brings it back.
	if err := v2.AddOAuth("sub", OAuthTokens{AccessToken: "sk-ant-oat01-relogin-0123456789", RefreshToken: "sk-ant-ort01-relogin-0123456789",
		ExpiresAt: time.Now().Add(time.Hour).UnixMilli()}); err != nil {
		t.Fatal(err)
	}
	if a := v2.Accounts()[0]; a.NeedsLogin || a.RefreshError != "" {
		t.Errorf("after a new login: %+v", a)
	}
}

func TestBackgroundRefreshOfIdleAccount(t *testing.T) {
	fake := startFake(t)
	kc := NewMemoryKeychain()
	v, r := oauthVault(t, kc, fake, 45*time.Second, nil) // due; nobody uses it
	// An account far from expiry is left alone.
	if err := v.AddOAuth("fresh", OAuthTokens{AccessToken: "sk-ant-oat01-fresh-0123456789", RefreshToken: "sk-ant-ort01-fresh-0123456789",
		ExpiresAt: time.Now().Add(2 * time.Hour).UnixMilli()}); err != nil {
		t.Fatal(err)
	}
	r.Interval = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	deadline := time.Now().Add(3 * time.Second)
	for fake.TokenCalls() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // a few more rounds
	cancel()
	<-done
	if c := fake.TokenCalls(); c != 1 {
		t.Fatalf("token calls = %d, want 1 background refresh", c)
	}
	_, newRefresh := fake.LastIssued()
	if tok := storedTokens(t, kc, "sub"); tok.RefreshToken != newRefresh {
		t.Error("the background refresh was not saved")
	}
}

func TestRefreshCallerCancelDoesNotLoseRotation(t *testing.T) {
	fake := startFake(t)
	mem := NewMemoryKeychain()
	_, r := oauthVault(t, mem, fake, 10*time.Second, nil)
	r.v.kc = slowKeychain{mem, 200 * time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, _, _, err := r.Credential(ctx, ""); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Credential = %v, want the caller's deadline", err)
	}
	time.Sleep(400 * time.Millisecond)
	_, newRefresh := fake.LastIssued()
	if tok := storedTokens(t, mem, "sub"); tok.RefreshToken != newRefresh {
		t.Error("the rotated token was lost when the caller gave up")
	}
}

// failingKeychain refuses writes of account items while fail is set (a keychain locked or
// timing out for a moment).
type failingKeychain struct {
	*MemoryKeychain
	fail *sync.Mutex // held: writes fail
	on   *bool
}

func (k failingKeychain) Set(item, secret string) error {
	k.fail.Lock()
	on := *k.on
	k.fail.Unlock()
	if on && strings.HasPrefix(item, "account:") {
		return ErrUnavailable
	}
	return k.MemoryKeychain.Set(item, secret)
}

// A refresh whose new tokens the keychain will not take keeps them: the endpoint has spent
// the old refresh token, so they are served from memory, saved at the next reload, and the
// refresh after that works (it asked for a new login).
func TestRefreshedTokensKeptWhenTheKeychainRefusesThem(t *testing.T) {
	fake := startFake(t)
	mem := NewMemoryKeychain()
	v, r := oauthVault(t, mem, fake, 10*time.Second, nil)
	fake.SetExpiresIn(20 * time.Second)
	var mu sync.Mutex
	on := true
	v.kc = failingKeychain{mem, &mu, &on}

	_, _, access, err := r.Credential(context.Background(), "")
	issued, _ := fake.LastIssued()
	if err != nil || access != issued {
		t.Fatalf("refresh with the keychain refusing: %q, %v; want the new token %q", access, err, issued)
	}
	if storedTokens(t, mem, "sub").RefreshToken != oldRefresh {
		t.Fatal("the keychain took the tokens after all; the test needs it to refuse")
	}
	mu.Lock()
	on = false
	mu.Unlock()
	if err := v.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := storedTokens(t, mem, "sub"); got.AccessToken != issued {
		t.Fatalf("after the reload the keychain holds %q, want the refreshed %q", got.AccessToken, issued)
	}

	// The next refresh uses the saved refresh token, which the endpoint accepts.
	r.now = func() time.Time { return time.Now().Add(time.Hour) }
	_, _, next, err := r.Credential(context.Background(), "")
	if err != nil || next == issued || fake.TokenCalls() != 2 {
		t.Errorf("second refresh: %q, %v (token calls %d)", next, err, fake.TokenCalls())
	}
}
