package credentials

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Refresh timing.
const (
	// RefreshMargin is how long before expiry an access token is refreshed.
	RefreshMargin = 60 * time.Second
	// BackgroundInterval is how often Run looks for idle accounts to refresh.
	BackgroundInterval = 30 * time.Second
	firstBackoff       = 5 * time.Second
	maxBackoff         = 5 * time.Minute
	refreshTimeout     = 30 * time.Second
)

// RefreshError is why an OAuth account cannot be used now. Its message names the account and
// the command that fixes it, and never holds a token; the proxy shows it to clients.
type RefreshError struct {
	Account    string
	NeedsLogin bool  // the token endpoint refused the refresh token: only a login helps
	Err        error // the cause; nil when NeedsLogin was read from the index
	RetryIn    time.Duration
}

func (e *RefreshError) Error() string {
	if e.NeedsLogin {
		return fmt.Sprintf("account %q needs a new login (its refresh token was refused): run nexus credentials login %s", e.Account, e.Account)
	}
	return fmt.Sprintf("account %q: refreshing its OAuth token failed (%v); retrying in %s — if it keeps failing, run nexus credentials login %s",
		e.Account, e.Err, e.RetryIn.Round(time.Second), e.Account)
}

func (e *RefreshError) Unwrap() error { return e.Err }

// Refresher hands out account credentials, refreshing OAuth access tokens before they expire:
// on use, and in the background (Run) for idle accounts. One refresh per account runs at a
// time; the rotated pair is in the keychain before anyone uses it.
type Refresher struct {
	v      *Vault
	client *OAuthClient
	log    *slog.Logger
	now    func() time.Time
	// Interval is how often Run checks; zero means BackgroundInterval. Set before Run.
	Interval time.Duration

	mu      sync.Mutex // guards flights and backoff
	flights map[string]*flight
	backoff map[string]backoff
}

// flight is one refresh in progress; done closes when it ends.
type flight struct {
	done   chan struct{}
	access string
	err    error
}

// backoff holds off refreshing an account whose refresh failed, for as long as its refresh
// token is the one that failed.
type backoff struct {
	refresh string
	until   time.Time
	delay   time.Duration
	err     *RefreshError
}

// NewRefresher returns a Refresher over v that refreshes through client.
func NewRefresher(v *Vault, client *OAuthClient, log *slog.Logger) *Refresher {
	if log == nil {
		log = slog.Default()
	}
	return &Refresher{v: v, client: client, log: log, now: time.Now,
		flights: map[string]*flight{}, backoff: map[string]backoff{}}
}

// Credential returns the name, kind and sendable secret (API key or access token) of account,
// or of the default account when account is "". Errors are as Vault.Secret's, or a
// *RefreshError for an OAuth account that cannot be refreshed.
func (r *Refresher) Credential(ctx context.Context, account string) (string, Kind, string, error) {
	name, kind, secret, err := r.v.Secret(account)
	if err != nil || kind != KindOAuth {
		return name, kind, secret, err
	}
	t, err := parseOAuthSecret(name, secret)
	if err != nil {
		return "", "", "", err
	}
	if r.now().Add(RefreshMargin).Before(t.Expires()) {
		return name, kind, t.AccessToken, nil // the hot path: no lock
	}
	access, err := r.refresh(ctx, name, RefreshMargin)
	return name, kind, access, err
}

// refresh returns a valid access token of account name, refreshing it if it expires within
// margin. Concurrent callers share one refresh.
func (r *Refresher) refresh(ctx context.Context, name string, margin time.Duration) (string, error) {
	r.mu.Lock()
	f := r.flights[name]
	if f == nil {
		// Read under r.mu: a refresh that just ended saved its tokens before leaving flights.
		a, t, err := r.v.oauthState(name)
		if err != nil {
			r.mu.Unlock()
			return "", err
		}
		now := r.now()
		switch {
		case now.Add(margin).Before(t.Expires()):
			r.mu.Unlock()
			return t.AccessToken, nil
		case a.NeedsLogin:
			r.mu.Unlock()
			if now.Before(t.Expires()) {
				return t.AccessToken, nil
			}
			return "", &RefreshError{Account: name, NeedsLogin: true}
		}
		if b, ok := r.backoff[name]; ok && b.refresh == t.RefreshToken && now.Before(b.until) {
			r.mu.Unlock()
			if now.Before(t.Expires()) {
				return t.AccessToken, nil // still valid: use it while refreshing fails
			}
			e := *b.err
			e.RetryIn = b.until.Sub(now)
			return "", &e
		}
		f = &flight{done: make(chan struct{})}
		r.flights[name] = f
		go r.run(f, name, t)
	}
	r.mu.Unlock()
	select {
	case <-f.done:
		return f.access, f.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// run makes one refresh of account name (whose tokens are t) and ends flight f. It does not
// depend on any caller's context: a caller giving up must not leave a rotated token unsaved.
func (r *Refresher) run(f *flight, name string, t OAuthTokens) {
	ctx, cancel := context.WithTimeout(context.Background(), refreshTimeout)
	defer cancel()
	nt, err := r.client.Refresh(ctx, t.RefreshToken)
	if err == nil {
		err = r.v.saveRefreshed(name, t.RefreshToken, nt) // before anyone uses the new token
		if errors.Is(err, errRefreshedNotSaved) {
			r.log.Warn("the keychain did not take a refreshed OAuth token; it is used from memory and saved again on the next reload",
				"account", name, "error", err)
			err = nil
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.flights, name)
	defer close(f.done)
	if err == nil {
		delete(r.backoff, name)
		f.access = nt.AccessToken
		r.log.Info("refreshed an OAuth token", "account", name, "expires_at", nt.Expires().UTC().Format(time.RFC3339))
		return
	}
	needsLogin := InvalidGrant(err)
	b := r.backoff[name]
	if b.refresh != t.RefreshToken || b.delay == 0 {
		b = backoff{refresh: t.RefreshToken, delay: firstBackoff}
	} else {
		b.delay = min(2*b.delay, maxBackoff)
	}
	b.until = r.now().Add(b.delay)
	b.err = &RefreshError{Account: name, NeedsLogin: needsLogin, Err: err, RetryIn: b.delay}
	r.backoff[name] = b
	if needsLogin {
		b.until = time.Unix(1<<40, 0) // never again with this refresh token
		r.backoff[name] = b
	}
	if serr := r.v.setRefreshFailure(name, err.Error(), needsLogin); serr != nil {
		r.log.Warn("recording a refresh failure", "account", name, "error", serr)
	}
	r.log.Warn("refreshing an OAuth token failed", "account", name, "needs_login", needsLogin, "retry_in", b.delay, "error", err)
	if r.now().Before(t.Expires()) && !needsLogin {
		f.access = t.AccessToken // still valid for a while
		return
	}
	f.err = b.err
}

// Run refreshes, every Interval until ctx ends, the OAuth accounts whose tokens would expire
// before the next check, so that idle accounts stay usable.
func (r *Refresher) Run(ctx context.Context) {
	interval := r.Interval
	if interval <= 0 {
		interval = BackgroundInterval
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		r.RefreshDue(ctx, interval)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RefreshDue refreshes every OAuth account that does not need a login and whose token
// expires within RefreshMargin plus ahead.
func (r *Refresher) RefreshDue(ctx context.Context, ahead time.Duration) {
	for _, a := range r.v.Accounts() {
		if a.Kind != KindOAuth || a.NeedsLogin || ctx.Err() != nil {
			continue
		}
		if r.now().Add(RefreshMargin + ahead).Before(time.UnixMilli(a.ExpiresAt)) {
			continue
		}
		if _, err := r.refresh(ctx, a.Name, RefreshMargin+ahead); err != nil {
			var re *RefreshError
			if !errors.As(err, &re) && !errors.Is(err, context.Canceled) {
				r.log.Warn("background refresh", "account", a.Name, "error", err)
			}
		}
	}
}
