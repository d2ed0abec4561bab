package engine

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"nexus/checklist"
	"nexus/credentials"
	"nexus/settings"
	"nexus/store"
	"nexus/store/postgres"
	"nexus/store/sqlite"
)

// ListenerScope says whose listening sockets GatherFacts reads.
type ListenerScope int

const (
	// OwnListeners are this process's sockets: the desktop app's and `nexus serve`'s.
	OwnListeners ListenerScope = iota
	// PortListeners are the sockets on the configured port, whoever holds them, and those of
	// other Nexus processes: for `nexus check`, which listens on nothing itself.
	PortListeners
)

// FactSources are what GatherFacts reads besides the settings and the OS. Each may be
// missing; the facts then say why.
type FactSources struct {
	Settings settings.Settings
	// Vault is the open keychain; nil when it could not be opened (KeychainErr says why).
	Vault       *credentials.Vault
	KeychainErr error
	// Store is the open store; nil when there is none yet (nothing was ever recorded) or it
	// could not be opened (StoreErr says why).
	Store    store.Store
	StoreErr error
	// Bodies says how bodies are kept.
	Bodies    checklist.Bodies
	Listeners ListenerScope
	// Now is when the facts are gathered; zero means time.Now().
	Now time.Time
}

// Bounds on gathering: the checklist runs every minute in the app, and must never hang.
const (
	storeTimeout = 5 * time.Second
	probeTimeout = 2 * time.Second
)

// GatherFacts reads what the security checks need: the settings, the keychain, file modes,
// the listening sockets (probing each for a web UI), the database's grants and the recorded
// traffic. It gathers no secret: DATABASE_URL is reduced to hosts and sslmode,
// DASHBOARD_API_KEY to whether it is set, accounts to their names, kinds and dates.
func GatherFacts(ctx context.Context, in FactSources) checklist.Facts {
	s := in.Settings
	now := in.Now
	if now.IsZero() {
		now = time.Now()
	}
	f := checklist.Facts{
		Now:             now,
		ClientAuth:      s.ClientAuth,
		Host:            s.Host,
		HostLoopback:    s.Host == "" || settings.IsLoopbackHost(s.Host),
		DashboardKeySet: s.DashboardAPIKey != "",
		DataDir:         statFile(s.DataDir),
		Database:        statFile(filepath.Join(s.DataDir, sqlite.FileName)),
		DB:              databaseFacts(s.DatabaseURL),
		Bodies:          in.Bodies,
		Upstream:        s.Upstream,
	}
	if in.Vault != nil {
		f.Accounts, f.ClientKeys = credentialFacts(in.Vault)
	} else {
		f.KeychainErr = "the keychain did not open"
		if in.KeychainErr != nil {
			f.KeychainErr = in.KeychainErr.Error()
		}
	}
	if s.CredentialsDir != "" {
		f.CredentialsDir = legacyDirFacts(s.CredentialsDir)
		if in.Vault != nil {
			var paths []string
			for _, file := range f.CredentialsDir.Files {
				paths = append(paths, file.Path)
			}
			f.CredentialsDir.Imported = importedLegacyFiles(in.Vault, paths)
		}
	}
	switch in.Listeners {
	case PortListeners:
		f.Sockets = portListeners(s.Port)
	default:
		f.Sockets = ownListeners()
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); f.Probes = probeUI(ctx, f.Sockets.List) }()
	go func() {
		defer wg.Done()
		sctx, cancel := context.WithTimeout(ctx, storeTimeout)
		defer cancel()
		f.Traffic = trafficFacts(sctx, in.Store, in.StoreErr, now)
		if f.DB.Postgres {
			f.DBPrivileges = privilegeFacts(sctx, in.Store, in.StoreErr)
		}
	}()
	wg.Wait()
	return f
}

// Facts gathers the running engine's facts: its own listeners, keychain, store and body
// storage.
func (e *Engine) Facts(ctx context.Context) checklist.Facts {
	in := FactSources{Settings: e.set, KeychainErr: e.kcErr, Store: e.store, Bodies: bodiesFacts(e.BodyStorage()),
		Listeners: OwnListeners}
	if e.kcErr == nil {
		in.Vault = e.vault
	}
	return GatherFacts(ctx, in)
}

// bodiesFacts is the engine's body storage as the checklist sees it.
func bodiesFacts(b BodyStorage) checklist.Bodies {
	return checklist.Bodies{Enabled: b.Enabled, Encrypted: b.Encrypted, Redacting: b.Redacting,
		RetentionDays: b.RetentionDays, RetentionMaxMB: b.RetentionMaxMB, Reason: b.Reason, Unreadable: b.Unreadable}
}

func credentialFacts(v *credentials.Vault) (accounts, clientKeys []checklist.Credential) {
	for _, a := range v.Accounts() {
		c := checklist.Credential{Name: a.Name, Kind: string(a.Kind), Created: a.Created,
			RefreshError: a.RefreshError, NeedsLogin: a.NeedsLogin}
		if a.ExpiresAt > 0 {
			c.Expires = time.UnixMilli(a.ExpiresAt)
		}
		accounts = append(accounts, c)
	}
	if k, ok := v.ClientKeyInfo(credentials.MainClientKey); ok {
		clientKeys = append(clientKeys, checklist.Credential{Name: k.ID, Kind: "client_key", Created: k.Created})
	}
	return accounts, clientKeys
}

func statFile(path string) checklist.File {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return checklist.File{Path: path}
	case err != nil:
		return checklist.File{Path: path, Exists: true, Err: err.Error()}
	}
	return checklist.File{Path: path, Exists: true, Mode: fi.Mode()}
}

// legacyDirFacts describes dir and its *.credentials.json files.
func legacyDirFacts(dir string) *checklist.Dir {
	d := &checklist.Dir{File: statFile(dir)}
	if !d.Exists || d.Err != "" {
		return d
	}
	names, err := credentials.LegacyFiles(dir)
	if err != nil {
		d.Err = err.Error()
		return d
	}
	for _, n := range names {
		d.Files = append(d.Files, statFile(n))
	}
	return d
}

// databaseFacts reduces DATABASE_URL to its hosts and sslmode: the URL may hold a password.
func databaseFacts(raw string) checklist.Database {
	if raw == "" {
		return checklist.Database{}
	}
	db := checklist.Database{Set: true}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return db
	}
	db.Postgres = true
	q := u.Query()
	db.SSLMode = q.Get("sslmode")
	hosts := u.Host
	if h := q.Get("host"); h != "" {
		hosts = h // pgx: a host parameter overrides the URL's
	}
	for _, h := range strings.Split(hosts, ",") {
		if h == "" {
			continue
		}
		if host, _, err := net.SplitHostPort(h); err == nil {
			h = host
		}
		db.Hosts = append(db.Hosts, strings.Trim(h, "[]"))
	}
	return db
}

// privilegeReader is a store that can report its database role's privileges (PostgreSQL).
type privilegeReader interface {
	Privileges(ctx context.Context) (postgres.Privileges, error)
}

func privilegeFacts(ctx context.Context, st store.Store, openErr error) checklist.DBPrivileges {
	pr, ok := st.(privilegeReader)
	switch {
	case st == nil && openErr != nil:
		return checklist.DBPrivileges{Err: openErr.Error()}
	case !ok:
		return checklist.DBPrivileges{Err: "the store cannot report its privileges"}
	}
	p, err := pr.Privileges(ctx)
	if err != nil {
		return checklist.DBPrivileges{Err: err.Error()}
	}
	return checklist.DBPrivileges{Role: p.Role, Database: p.Database, Superuser: p.Superuser, PublicConnect: p.PublicConnect}
}

// trafficFacts reads the 401 answers of the last hour and the daily tokens of the spike
// lookback from st.
func trafficFacts(ctx context.Context, st store.Store, openErr error, now time.Time) checklist.Traffic {
	if st == nil {
		if openErr != nil {
			return checklist.Traffic{Err: openErr.Error()}
		}
		return checklist.Traffic{}
	}
	var t checklist.Traffic
	fails, err := st.AuthFailures(ctx, now.Add(-checklist.AuthWindow))
	if err != nil {
		return checklist.Traffic{Err: err.Error()}
	}
	for _, c := range fails {
		t.AuthFailures = append(t.AuthFailures, checklist.ClientFailures{Client: c.Client, Count: c.Count, Last: c.Last})
	}
	y, m, d := now.UTC().Date()
	from := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -checklist.SpikeLookback-1)
	rows, err := st.Usage(ctx, store.UsageQuery{From: from, To: now.Add(time.Minute), Bucket: "day"})
	if err != nil {
		return checklist.Traffic{Err: err.Error()}
	}
	for _, r := range rows {
		t.DailyTokens = append(t.DailyTokens, checklist.DailyTokens{Account: r.Account, Day: r.Start,
			Tokens: r.InputTokens + r.OutputTokens + r.CacheCreationInputTokens + r.CacheReadInputTokens})
	}
	t.Read = true
	return t
}

// uiPaths are where the original's dashboard answered; the guide's test is that they
// require authentication.
var uiPaths = []string{"/dashboard", "/"}

// probeUI GETs the UI paths on every listener without credentials, as the original's
// security guide does with curl. A wildcard listener is probed on loopback.
func probeUI(ctx context.Context, socks []checklist.Socket) []checklist.Probe {
	client := &http.Client{
		Timeout: probeTimeout,
		// Never through a proxy from the environment, and never following a redirect: a
		// redirect to a login page is an answer in itself.
		Transport:     &http.Transport{Proxy: nil, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	var targets []string
	seen := map[string]bool{}
	for _, s := range socks {
		host, port, err := net.SplitHostPort(s.Addr)
		if err != nil {
			continue
		}
		if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
			host = "127.0.0.1"
			if ip.To4() == nil {
				host = "::1"
			}
		}
		for _, p := range uiPaths {
			u := "http://" + net.JoinHostPort(host, port) + p
			if !seen[u] {
				seen[u] = true
				targets = append(targets, u)
			}
		}
	}
	out := make([]checklist.Probe, len(targets))
	var wg sync.WaitGroup
	for i, u := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = probe(ctx, client, u)
		}()
	}
	wg.Wait()
	return out
}

func probe(ctx context.Context, client *http.Client, u string) checklist.Probe {
	p := checklist.Probe{URL: u}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		p.Err = err.Error()
		return p
	}
	req.Header.Set("User-Agent", "nexus-check")
	resp, err := client.Do(req)
	if err != nil {
		p.Err = shortNetError(err)
		return p
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	p.Status = resp.StatusCode
	ct := resp.Header.Get("Content-Type")
	if ct == "" {
		ct = http.DetectContentType(head)
	}
	trimmed := strings.ToLower(strings.TrimSpace(string(head)))
	p.HTML = strings.HasPrefix(ct, "text/html") || strings.HasPrefix(ct, "application/xhtml") ||
		strings.HasPrefix(trimmed, "<!doctype html") || strings.HasPrefix(trimmed, "<html")
	return p
}

// shortNetError is err without the request's method and URL, which the evidence shows already.
func shortNetError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err.Error()
	}
	return err.Error()
}

// StandaloneFacts gathers the facts for `nexus check`, which runs beside the app or without
// it: the keychain kc read-only, the store only when one exists (checking creates no data
// dir and no database), and the sockets on the configured port with their owners.
func StandaloneFacts(ctx context.Context, set settings.Settings, kc credentials.Keychain) checklist.Facts {
	in := FactSources{Settings: set, Listeners: PortListeners}
	if v, err := credentials.OpenVault(kc); err != nil {
		in.KeychainErr = err
	} else {
		in.Vault = v
	}
	in.Bodies = plannedBodies(set, in.KeychainErr == nil)
	if set.DatabaseURL != "" || statFile(filepath.Join(set.DataDir, sqlite.FileName)).Exists {
		sctx, cancel := context.WithTimeout(ctx, storeTimeout)
		in.Store, in.StoreErr = OpenStore(sctx, set, nil, nil)
		cancel()
		if in.Store != nil {
			defer in.Store.Close()
		}
	}
	return GatherFacts(ctx, in)
}

// plannedBodies is PlanBodies in the checklist's terms.
func plannedBodies(set settings.Settings, keychainOK bool) checklist.Bodies {
	b := PlanBodies(set, keychainOK)
	return checklist.Bodies{Enabled: b.Enabled, Encrypted: b.Encrypted, Redacting: b.Redacting,
		RetentionDays: b.RetentionDays, RetentionMaxMB: b.RetentionMaxMB, Reason: b.Reason, Unreadable: b.Unreadable}
}
