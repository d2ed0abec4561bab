package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"nexus/checklist"
	"nexus/credentials"
	"nexus/internal/freeport"
	"nexus/settings"
	"nexus/store"
	"nexus/store/sqlite"
)

// These tests make each security item pass and fail with real state: files and modes,
// listeners of this test process, a keychain, an engine's proxy answering real requests, a
// SQLite store holding real token totals, and a real PostgreSQL server (at
// NEXUS_TEST_DATABASE_URL; without it the PostgreSQL cases skip, except under CI, where they
// fail).

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// testSettings are the defaults with a private data dir and a free port.
func testSettings(t *testing.T) settings.Settings {
	t.Helper()
	set := settings.Defaults()
	set.DataDir = filepath.Join(t.TempDir(), "data")
	set.Port = freeport.Loopback(t)
	return set
}

// openEngine opens an engine over kc (a fresh memory keychain when nil) with set.
func openEngine(t *testing.T, set settings.Settings, kc credentials.Keychain) *Engine {
	t.Helper()
	if kc == nil {
		kc = credentials.NewMemoryKeychain()
	}
	e, err := Open(testCtx(t), Options{Settings: set, Logger: quietLog(), Keychain: kc})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// item runs the checklist over f and returns item id.
func item(t *testing.T, f checklist.Facts, id string) checklist.Item {
	t.Helper()
	for _, it := range checklist.Run(f) {
		if it.ID == id {
			return it
		}
	}
	t.Fatalf("no item %s", id)
	return checklist.Item{}
}

// expect checks an item's status and that its evidence (or fix) mentions each of want.
func expect(t *testing.T, it checklist.Item, status string, want ...string) {
	t.Helper()
	if it.Status != status {
		t.Errorf("%s: status %s, want %s\nevidence: %s\nfix: %s", it.ID, it.Status, status, it.Evidence, it.Fix)
	}
	for _, w := range want {
		if !strings.Contains(it.Evidence+" | "+it.Fix, w) {
			t.Errorf("%s: evidence %q / fix %q should mention %q", it.ID, it.Evidence, it.Fix, w)
		}
	}
}

// serveOn serves h on a listener of this process at addr, until the test ends.
func serveOn(t *testing.T, addr string, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

func TestFactsClientAuth(t *testing.T) {
	set := testSettings(t)
	expect(t, item(t, openEngine(t, set, nil).Facts(testCtx(t)), "client-auth"), checklist.Pass, "ENABLE_CLIENT_AUTH=true")
	set = testSettings(t)
	set.ClientAuth = false
	it := item(t, openEngine(t, set, nil).Facts(testCtx(t)), "client-auth")
	expect(t, it, checklist.Fail, "ENABLE_CLIENT_AUTH=false")
	if !it.Critical || !checklist.CriticalFailed([]checklist.Item{it}) {
		t.Error("client auth off must fail a critical item")
	}
}

func TestFactsLoopbackOnlyOwnListeners(t *testing.T) {
	e := openEngine(t, testSettings(t), nil)
	if err := e.StartProxy(); err != nil {
		t.Fatal(err)
	}
	addr := e.Status(testCtx(t)).Addr
	expect(t, item(t, e.Facts(testCtx(t)), "loopback-only"), checklist.Pass, "this process, from the OS", addr)

	// Something in this process listens on every interface: the OS shows it.
	wild := serveOn(t, "0.0.0.0:0", http.NotFoundHandler())
	expect(t, item(t, e.Facts(testCtx(t)), "loopback-only"), checklist.Fail, wild, addr)
}

func TestFactsLoopbackOnlyPortListeners(t *testing.T) {
	// `nexus check` listens on nothing: it reads who listens on the configured port.
	set := testSettings(t)
	local := serveOn(t, "127.0.0.1:0", http.NotFoundHandler())
	set.Port, _ = strconv.Atoi(local[strings.LastIndex(local, ":")+1:])
	me := fmt.Sprintf("pid %d", os.Getpid())
	f := StandaloneFacts(testCtx(t), set, credentials.NewMemoryKeychain())
	expect(t, item(t, f, "loopback-only"), checklist.Pass, "port "+strconv.Itoa(set.Port), local+" (", me)

	wild := serveOn(t, "0.0.0.0:0", http.NotFoundHandler())
	set.Port, _ = strconv.Atoi(wild[strings.LastIndex(wild, ":")+1:])
	f = StandaloneFacts(testCtx(t), set, credentials.NewMemoryKeychain())
	expect(t, item(t, f, "loopback-only"), checklist.Fail, wild, me)
}

func TestFactsDashboardExposure(t *testing.T) {
	e := openEngine(t, testSettings(t), nil)
	if err := e.StartProxy(); err != nil {
		t.Fatal(err)
	}
	addr := e.Status(testCtx(t)).Addr
	// The proxy's own listeners answer GET /dashboard and / without credentials with 404.
	expect(t, item(t, e.Facts(testCtx(t)), "dashboard-exposure"), checklist.Pass, addr+"/dashboard → 404", addr+"/ → 404")

	// A dashboard like the original's, served by this process without authentication.
	page := serveOn(t, "127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/dashboard" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, "<!DOCTYPE html><html><body>Requests</body></html>")
	}))
	it := item(t, e.Facts(testCtx(t)), "dashboard-exposure")
	expect(t, it, checklist.Fail, page+"/dashboard → 200, a web page")
	if !it.Critical {
		t.Error("dashboard-exposure must be critical")
	}
}

// TestFactsKeychainNoSessionBus: the system keychain with its session bus gone, so go-keyring
// fails to dial. Once a process has a session bus connection godbus keeps it, so the check
// runs in a child process of its own (it passed first in a run and failed on -count=2).
func TestFactsKeychainNoSessionBus(t *testing.T) {
	if os.Getenv("NEXUS_TEST_NO_SESSION_BUS") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestFactsKeychainNoSessionBus$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), "NEXUS_TEST_NO_SESSION_BUS=1",
			"DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(t.TempDir(), "gone"))
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestFactsKeychainNoSessionBus") {
			t.Fatalf("child test (%v):\n%s", err, out)
		}
		return
	}
	expect(t, item(t, StandaloneFacts(testCtx(t), testSettings(t), credentials.SystemKeychain{Service: "nexus-test-none"}), "keychain"),
		checklist.Fail, "Secret Service")
}

func TestFactsKeychain(t *testing.T) {
	set := testSettings(t)
	var kc credentials.Keychain = credentials.NewMemoryKeychain()
	if os.Getenv("NEXUS_TEST_SESSION") != "" {
		// scripts/test-session.sh: the session's real Secret Service, under a service of
		// this test's own.
		kc = credentials.SystemKeychain{Service: "nexus-test-facts-" + strconv.Itoa(os.Getpid())}
		t.Cleanup(func() {
			for _, item := range []string{"index", "account:work"} {
				kc.Delete(item)
			}
		})
	}
	v, err := credentials.OpenVault(kc)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.AddAPIKey("work", "sk-ant-api03-"+strings.Repeat("a", 30)); err != nil {
		t.Fatal(err)
	}
	expect(t, item(t, StandaloneFacts(testCtx(t), set, kc), "keychain"), checklist.Pass, "1 account")
}

// legacyFile writes a Claude Nexus Proxy credential file for account name with mode.
func legacyFile(t *testing.T, dir, name string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name+credentials.LegacySuffix)
	body := fmt.Sprintf(`{"type":"api_key","api_key":"sk-ant-api03-%s"}`, strings.Repeat("k", 40))
	if err := os.WriteFile(p, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFactsLegacyCredentialFiles(t *testing.T) {
	set := testSettings(t)
	set.CredentialsDir = filepath.Join(t.TempDir(), "credentials")
	if err := os.Mkdir(set.CredentialsDir, 0o700); err != nil {
		t.Fatal(err)
	}
	facts := func() checklist.Facts { return StandaloneFacts(testCtx(t), set, credentials.NewMemoryKeychain()) }
	expect(t, item(t, facts(), "legacy-credential-files"), checklist.Pass, "no *.credentials.json")
	p := legacyFile(t, set.CredentialsDir, "work", 0o600)
	expect(t, item(t, facts(), "legacy-credential-files"), checklist.Warn, "work.credentials.json")
	os.Chmod(p, 0o644)
	expect(t, item(t, facts(), "legacy-credential-files"), checklist.Fail, "work.credentials.json (0644)")

	// Imported into the keychain: the file only needs deleting.
	os.Chmod(p, 0o600)
	kc := credentials.NewMemoryKeychain()
	v, err := credentials.OpenVault(kc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := credentials.ImportLegacyFile(v, p, false); err != nil {
		t.Fatal(err)
	}
	expect(t, item(t, StandaloneFacts(testCtx(t), set, kc), "legacy-credential-files"), checklist.Warn,
		"the keychain holds their content already", "rm "+p)
}

// tokenEndpoint answers every refresh with status and body.
func tokenEndpoint(t *testing.T, status int, body string) string {
	t.Helper()
	return "http://" + serveOn(t, "127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	})) + "/v1/oauth/token"
}

// oauthKeychain holds OAuth account name whose access token expires at expires.
func oauthKeychain(t *testing.T, name string, expires time.Time) *credentials.MemoryKeychain {
	t.Helper()
	kc := credentials.NewMemoryKeychain()
	v, err := credentials.OpenVault(kc)
	if err != nil {
		t.Fatal(err)
	}
	err = v.AddOAuth(name, credentials.OAuthTokens{AccessToken: "sk-ant-oat01-" + strings.Repeat("a", 40),
		RefreshToken: "sk-ant-ort01-" + strings.Repeat("r", 40), ExpiresAt: expires.UnixMilli(), Scopes: []string{"user:inference"}})
	if err != nil {
		t.Fatal(err)
	}
	return kc
}

func TestFactsOAuthTokens(t *testing.T) {
	set := testSettings(t)
	e := openEngine(t, set, oauthKeychain(t, "max", time.Now().Add(5*time.Hour)))
	expect(t, item(t, e.Facts(testCtx(t)), "oauth-tokens"), checklist.Pass, "max (expires in 4h 59m)")

	for _, c := range []struct {
		name, status string
		code         int
		body, want   string
	}{
		{"endpoint down", checklist.Warn, http.StatusServiceUnavailable, `{}`, "answered HTTP 503"},
		{"refresh token refused", checklist.Fail, http.StatusBadRequest, `{"error":"invalid_grant"}`, "nexus credentials login max"},
	} {
		t.Run(c.name, func(t *testing.T) {
			set := testSettings(t)
			set.OAuthTokenURL = tokenEndpoint(t, c.code, c.body)
			// Expiring within the refresh margin: the engine's refresher tries at once.
			e := openEngine(t, set, oauthKeychain(t, "max", time.Now().Add(30*time.Second)))
			deadline := time.Now().Add(10 * time.Second)
			for {
				it := item(t, e.Facts(testCtx(t)), "oauth-tokens")
				if it.Status == c.status || time.Now().After(deadline) {
					expect(t, it, c.status, c.want)
					return
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}

// agedKeychain holds an API key account and the main client key, both created age ago, as
// an index written by an earlier version of the app would list them.
func agedKeychain(t *testing.T, age time.Duration) *credentials.MemoryKeychain {
	t.Helper()
	kc := credentials.NewMemoryKeychain()
	created := time.Now().Add(-age).UTC()
	idx := map[string]any{
		"accounts":    []map[string]any{{"name": "work", "kind": "api_key", "created": created, "masked": "sk-ant-…aaaa"}},
		"client_keys": []map[string]any{{"id": "main", "account": "", "created": created, "masked": "cnp_live_…"}},
		"default":     "work",
	}
	b, _ := json.Marshal(idx)
	kc.Set("index", string(b))
	kc.Set("account:work", "sk-ant-api03-"+strings.Repeat("a", 30))
	kc.Set("client-key:main", credentials.NewClientKey())
	return kc
}

func TestFactsCredentialAge(t *testing.T) {
	set := testSettings(t)
	expect(t, item(t, StandaloneFacts(testCtx(t), set, agedKeychain(t, 10*24*time.Hour)), "credential-age"), checklist.Pass, "2 key(s) checked")
	expect(t, item(t, StandaloneFacts(testCtx(t), set, agedKeychain(t, 120*24*time.Hour)), "credential-age"),
		checklist.Warn, "account work (120 days)", "client key main (120 days)")
}

func TestFactsDataFileModes(t *testing.T) {
	set := testSettings(t)
	e := openEngine(t, set, nil)
	expect(t, item(t, e.Facts(testCtx(t)), "data-file-modes"), checklist.Pass, "is 0700", "nexus.db is 0600")
	if err := os.Chmod(filepath.Join(set.DataDir, sqlite.FileName), 0o644); err != nil {
		t.Fatal(err)
	}
	expect(t, item(t, e.Facts(testCtx(t)), "data-file-modes"), checklist.Fail, "nexus.db is 0644", "chmod 600")
}

func TestFactsBodyStorage(t *testing.T) {
	set := testSettings(t)
	set.StorageEnabled = false
	expect(t, item(t, openEngine(t, set, nil).Facts(testCtx(t)), "body-storage"), checklist.Pass, "metadata only", "STORAGE_ENABLED=false")

	set = testSettings(t)
	set.StorageEnabled = true
	expect(t, item(t, openEngine(t, set, nil).Facts(testCtx(t)), "body-storage"), checklist.Pass,
		"encrypted with the data key", "secrets redacted", "up to 90 days")

	set = testSettings(t)
	set.StorageEnabled = true
	set.RetentionDays, set.RetentionMaxMB = 0, 0
	expect(t, item(t, openEngine(t, set, nil).Facts(testCtx(t)), "body-storage"), checklist.Warn, "no retention limit")
}

func TestFactsUpstreamTLS(t *testing.T) {
	set := testSettings(t)
	expect(t, item(t, StandaloneFacts(testCtx(t), set, credentials.NewMemoryKeychain()), "upstream-tls"), checklist.Pass, "https://api.anthropic.com")
	set.Upstream = "http://proxy.example.com"
	expect(t, item(t, StandaloneFacts(testCtx(t), set, credentials.NewMemoryKeychain()), "upstream-tls"), checklist.Fail, "not HTTPS")
}

// sendWithKey sends n Messages requests with a wrong client key and user agent ua, and waits
// until the engine has recorded them.
func sendWithWrongKey(t *testing.T, e *Engine, n int, ua string) {
	t.Helper()
	base := BaseURL(e.Status(testCtx(t)).Addr)
	before := e.Recorded()
	for range n {
		req, _ := http.NewRequest("POST", base+"/v1/messages", strings.NewReader(`{"model":"claude-sonnet-4-5","max_tokens":1,"messages":[]}`))
		req.Header.Set("x-api-key", "cnp_live_not-the-key-"+strings.Repeat("x", 20))
		req.Header.Set("User-Agent", ua)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("a wrong client key got %d, want 401", resp.StatusCode)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for e.Recorded()-before < int64(n) {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d refusals recorded", e.Recorded()-before, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestFactsAuthFailureBurst(t *testing.T) {
	e := openEngine(t, testSettings(t), nil)
	if err := e.StartProxy(); err != nil {
		t.Fatal(err)
	}
	expect(t, item(t, e.Facts(testCtx(t)), "auth-failure-burst"), checklist.Pass, "no request got a 401")
	sendWithWrongKey(t, e, 10, "steady-client/1.0")
	expect(t, item(t, e.Facts(testCtx(t)), "auth-failure-burst"), checklist.Pass, `10 request(s) got a 401 in the last hour, at most 10 from one client ("steady-client/1.0")`)
	sendWithWrongKey(t, e, 11, "key-guesser/0.1")
	expect(t, item(t, e.Facts(testCtx(t)), "auth-failure-burst"), checklist.Warn, `"key-guesser/0.1": 11`)
}

// recordUsage writes one finished request per day of tokens into st: days[i] tokens i days
// before today (UTC), for account.
func recordUsage(t *testing.T, st store.Store, account string, days map[int]int64) {
	t.Helper()
	now := time.Now().UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	for ago, tokens := range days {
		at := today.AddDate(0, 0, -ago).Add(30 * time.Minute)
		if ago == 0 && at.After(now) {
			at = now.Add(-time.Second)
		}
		r := store.Request{ID: fmt.Sprintf("%s-%d", account, ago), StartedAt: at, Method: "POST", Path: "/v1/messages",
			Model: "claude-sonnet-4-5", Status: 200, Kind: "turn", Account: account, Finished: true,
			InputTokens: tokens / 2, OutputTokens: tokens / 4, CacheReadInputTokens: tokens - tokens/2 - tokens/4}
		if err := st.FinishRequest(testCtx(t), r); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFactsTokenSpike(t *testing.T) {
	usage := func(today int64) checklist.Item {
		set := testSettings(t)
		st, err := OpenStore(testCtx(t), set, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		days := map[int]int64{0: today}
		for i := 1; i <= 10; i++ {
			days[i] = 100_000
		}
		recordUsage(t, st, "work", days)
		recordUsage(t, st, "new", map[int]int64{1: 10, 0: 5_000})
		return item(t, GatherFacts(testCtx(t), FactSources{Settings: set, Vault: nil, Store: st}), "token-spike")
	}
	expect(t, usage(150_000), checklist.Pass, "within 2× the usual for work", "not enough history yet for new")
	expect(t, usage(250_000), checklist.Warn, "account work on "+time.Now().UTC().Format("2006-01-02")+": 250.0k tokens, 2.5× its average of 100.0k over 10 day(s)")
}

func TestFactsSubscriptionTerms(t *testing.T) {
	set := testSettings(t)
	expect(t, item(t, StandaloneFacts(testCtx(t), set, agedKeychain(t, time.Hour)), "subscription-terms"), checklist.Pass, "Commercial Terms")
	expect(t, item(t, StandaloneFacts(testCtx(t), set, oauthKeychain(t, "max", time.Now().Add(time.Hour))), "subscription-terms"),
		checklist.Pass, "1 subscription (OAuth) account(s): max", "Claude Code and Claude.ai only", "legal-and-compliance")
}

func TestStandaloneFactsCreateNothing(t *testing.T) {
	set := testSettings(t)
	f := StandaloneFacts(testCtx(t), set, credentials.NewMemoryKeychain())
	if _, err := os.Stat(set.DataDir); !os.IsNotExist(err) {
		t.Errorf("gathering facts created the data dir (or cannot tell): %v", err)
	}
	if f.Traffic.Read || f.Traffic.Err != "" {
		t.Errorf("no store yet: traffic %+v", f.Traffic)
	}
	for _, id := range []string{"auth-failure-burst", "token-spike"} {
		expect(t, item(t, f, id), checklist.Pass, "no requests recorded yet")
	}
}

// testDatabaseURL is NEXUS_TEST_DATABASE_URL; the test skips without it, except under CI.
func testDatabaseURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("NEXUS_TEST_DATABASE_URL")
	if u == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("NEXUS_TEST_DATABASE_URL is not set, and CI must run the PostgreSQL tests")
		}
		t.Skip("NEXUS_TEST_DATABASE_URL is not set; skipping the PostgreSQL case")
	}
	return u
}

// freshDatabase creates a database (the test role is CREATEDB) dropped when the test ends,
// and returns its URL. PostgreSQL grants CONNECT on a new database to PUBLIC.
func freshDatabase(t *testing.T, raw string) (string, string) {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	name := "nexus_check_" + hex.EncodeToString(b)
	execSQL(t, raw, `CREATE DATABASE `+name)
	t.Cleanup(func() { execSQL(t, raw, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`) })
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String(), name
}

func execSQL(t *testing.T, dbURL string, stmts ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("connecting to the test database: %v", err)
	}
	defer conn.Close(ctx)
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestFactsDatabaseTLS(t *testing.T) {
	set := testSettings(t)
	expect(t, item(t, StandaloneFacts(testCtx(t), set, credentials.NewMemoryKeychain()), "database-tls"), checklist.Pass, "embedded SQLite")

	// A server on another machine without TLS: Nexus refuses to connect, and the item fails.
	set.DatabaseURL = "postgres://nexus:pw@db.example.invalid:5432/nexus?sslmode=disable"
	f := StandaloneFacts(testCtx(t), set, credentials.NewMemoryKeychain())
	expect(t, item(t, f, "database-tls"), checklist.Fail, "db.example.invalid", "sslmode=verify-full")

	set.DatabaseURL = testDatabaseURL(t) // this machine: sslmode=disable is fine
	f = StandaloneFacts(testCtx(t), set, credentials.NewMemoryKeychain())
	expect(t, item(t, f, "database-tls"), checklist.Pass, "PostgreSQL on this machine")
	if !f.Traffic.Read {
		t.Errorf("the PostgreSQL store was not read: %+v", f.Traffic)
	}
}

func TestFactsDatabasePrivileges(t *testing.T) {
	set := testSettings(t)
	expect(t, item(t, StandaloneFacts(testCtx(t), set, credentials.NewMemoryKeychain()), "database-privileges"), checklist.Pass, "embedded SQLite")

	dbURL, name := freshDatabase(t, testDatabaseURL(t))
	set.DatabaseURL = dbURL
	e := openEngine(t, set, nil)
	expect(t, item(t, e.Facts(testCtx(t)), "database-privileges"), checklist.Warn,
		"CONNECT granted to PUBLIC", "REVOKE CONNECT ON DATABASE "+name+" FROM PUBLIC")

	execSQL(t, dbURL, `REVOKE CONNECT ON DATABASE `+name+` FROM PUBLIC`, `GRANT CONNECT ON DATABASE `+name+` TO CURRENT_USER`)
	it := item(t, e.Facts(testCtx(t)), "database-privileges")
	if super := isSuperuser(t, dbURL); super {
		expect(t, it, checklist.Warn, "is a superuser")
	} else {
		expect(t, it, checklist.Pass, "is not a superuser", "only roles granted it may connect to database "+name)
	}

	// The app's role a superuser: needs a superuser's URL, which the test role cannot make.
	superURL := os.Getenv("NEXUS_TEST_SUPERUSER_DATABASE_URL")
	if superURL == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("NEXUS_TEST_SUPERUSER_DATABASE_URL is not set: .ci/run sets it")
		}
		t.Log("NEXUS_TEST_SUPERUSER_DATABASE_URL is not set: the superuser case is not run")
		return
	}
	dbURL, name = freshDatabase(t, superURL)
	execSQL(t, dbURL, `REVOKE CONNECT ON DATABASE `+name+` FROM PUBLIC`)
	set = testSettings(t)
	set.DatabaseURL = dbURL
	expect(t, item(t, openEngine(t, set, nil).Facts(testCtx(t)), "database-privileges"), checklist.Warn, "is a superuser", "without SUPERUSER")
}

func isSuperuser(t *testing.T, dbURL string) bool {
	t.Helper()
	conn, err := pgx.Connect(testCtx(t), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var on string
	if err := conn.QueryRow(testCtx(t), `SHOW is_superuser`).Scan(&on); err != nil {
		t.Fatal(err)
	}
	return on == "on"
}
