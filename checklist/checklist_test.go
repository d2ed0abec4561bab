package checklist

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// good is a fact set every check passes.
func good() Facts {
	return Facts{
		Now:        time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC),
		ClientAuth: true,
		Upstream:   "https://api.anthropic.com",
	}
}

// stat describes path as the CLI does, from a real file.
func stat(t *testing.T, path string) File {
	t.Helper()
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return File{Path: path}
	}
	if err != nil {
		t.Fatal(err)
	}
	return File{Path: path, Exists: true, Mode: fi.Mode()}
}

func mkdir(t *testing.T, path string, mode fs.FileMode) {
	t.Helper()
	if err := os.MkdirAll(path, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, path string, mode fs.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte("{}"), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // past the umask
		t.Fatal(err)
	}
}

type checkCase struct {
	name   string
	facts  func(t *testing.T) Facts
	status string
	// want is a piece of the evidence (or fix) the item must show.
	want string
}

func runCases(t *testing.T, check func(Facts) Item, cases []checkCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			it := check(c.facts(t))
			if it.Status != c.status {
				t.Errorf("status %s, want %s (evidence: %s)", it.Status, c.status, it.Evidence)
			}
			if !strings.Contains(it.Evidence+" | "+it.Fix, c.want) {
				t.Errorf("evidence %q / fix %q should mention %q", it.Evidence, it.Fix, c.want)
			}
			if it.Status != Pass && it.Fix == "" {
				t.Errorf("a %s item needs a fix", it.Status)
			}
			if it.ID == "" || it.Title == "" || it.Evidence == "" {
				t.Errorf("item incomplete: %+v", it)
			}
		})
	}
}

func with(edit func(*Facts)) func(*testing.T) Facts {
	return func(*testing.T) Facts { f := good(); edit(&f); return f }
}

func TestClientAuth(t *testing.T) {
	runCases(t, clientAuth, []checkCase{
		{"on", with(func(*Facts) {}), Pass, "ENABLE_CLIENT_AUTH=true"},
		{"off", with(func(f *Facts) { f.ClientAuth = false }), Fail, "ENABLE_CLIENT_AUTH=false"},
	})
}

func TestLoopbackOnly(t *testing.T) {
	sockets := func(scope string, list ...Socket) func(*testing.T) Facts {
		return with(func(f *Facts) { f.Sockets = Sockets{Scope: scope, List: list} })
	}
	runCases(t, loopbackOnly, []checkCase{
		{"default, nothing listening", with(func(*Facts) {}), Pass, "127.0.0.1 and ::1"},
		{"localhost", with(func(f *Facts) { f.Host, f.HostLoopback = "localhost", true }), Pass, "localhost"},
		{"configured for all interfaces", with(func(f *Facts) { f.Host = "0.0.0.0" }), Fail, `"0.0.0.0"`},
		{"loopback listeners", sockets("this process", Socket{Addr: "127.0.0.1:3731"}, Socket{Addr: "[::1]:3731"}),
			Pass, "127.0.0.1:3731, [::1]:3731"},
		{"wildcard listener", sockets("port 3731", Socket{Addr: "127.0.0.1:3731", Owner: "nexus (pid 9)"}, Socket{Addr: "0.0.0.0:3731", Owner: "python3 (pid 12)"}),
			Fail, "0.0.0.0:3731 (python3 (pid 12))"},
		{"wildcard v6", sockets("this process", Socket{Addr: "[::]:8080"}), Fail, "[::]:8080"},
		{"lan address", sockets("this process", Socket{Addr: "192.168.1.5:3731"}), Fail, "192.168.1.5:3731"},
		{"os unreadable", with(func(f *Facts) { f.Sockets.Err = "not supported on darwin" }), Pass, "could not be read"},
	})
}

func TestDashboardExposure(t *testing.T) {
	probes := func(ps ...Probe) func(*testing.T) Facts {
		return with(func(f *Facts) { f.Probes = ps })
	}
	runCases(t, dashboardExposure, []checkCase{
		{"none", with(func(*Facts) {}), Pass, "no network UI"},
		{"leftover key", with(func(f *Facts) { f.DashboardKeySet = true }), Warn, "no effect"},
		{"refused", probes(Probe{URL: "http://127.0.0.1:3731/dashboard", Status: 404}, Probe{URL: "http://127.0.0.1:3731/", Status: 401}),
			Pass, "127.0.0.1:3731/dashboard → 404, 127.0.0.1:3731/ → 401"},
		{"a page", probes(Probe{URL: "http://127.0.0.1:3001/dashboard", Status: 200, HTML: true}, Probe{URL: "http://127.0.0.1:3001/", Status: 404}),
			Fail, "127.0.0.1:3001/dashboard → 200, a web page"},
		{"json without auth", probes(Probe{URL: "http://127.0.0.1:3731/", Status: 200}), Warn, "not a web page"},
		{"no answer", probes(Probe{URL: "http://127.0.0.1:3731/", Err: "connection refused"}), Warn, "connection refused"},
	})
}

func TestKeychain(t *testing.T) {
	runCases(t, keychain, []checkCase{
		{"open", with(func(f *Facts) { f.Accounts = []Credential{{Name: "a", Kind: "api_key"}} }), Pass, "1 account"},
		{"unavailable", with(func(f *Facts) { f.KeychainErr = "keychain unavailable: no D-Bus session bus" }), Fail, "no D-Bus"},
	})
}

func TestLegacyCredentialFiles(t *testing.T) {
	dir := func(t *testing.T, dirMode, fileMode fs.FileMode, names ...string) Facts {
		root := filepath.Join(t.TempDir(), "creds")
		mkdir(t, root, 0o700)
		var files []File
		for _, n := range names {
			write(t, filepath.Join(root, n), fileMode)
			files = append(files, stat(t, filepath.Join(root, n)))
		}
		if err := os.Chmod(root, dirMode); err != nil {
			t.Fatal(err)
		}
		f := good()
		f.CredentialsDir = &Dir{File: stat(t, root), Files: files}
		return f
	}
	runCases(t, legacyCredentialFiles, []checkCase{
		{"unset", with(func(*Facts) {}), Pass, "not set"},
		{"empty", func(t *testing.T) Facts { return dir(t, 0o700, 0o600) }, Pass, "no *.credentials.json"},
		{"missing", func(t *testing.T) Facts {
			f := good()
			f.CredentialsDir = &Dir{File: stat(t, filepath.Join(t.TempDir(), "gone"))}
			return f
		}, Pass, "does not exist"},
		{"private files", func(t *testing.T) Facts { return dir(t, 0o700, 0o600, "a.credentials.json", "b.credentials.json") },
			Warn, "a.credentials.json, b.credentials.json"},
		{"world-readable file", func(t *testing.T) Facts { return dir(t, 0o700, 0o644, "a.credentials.json") },
			Fail, "a.credentials.json (0644)"},
		{"open dir", func(t *testing.T) Facts { return dir(t, 0o755, 0o600, "a.credentials.json") }, Fail, "chmod 700"},
		{"imported", func(t *testing.T) Facts {
			f := dir(t, 0o700, 0o600, "a.credentials.json")
			f.CredentialsDir.Imported = []string{f.CredentialsDir.Files[0].Path}
			return f
		}, Warn, "delete them: `rm "},
	})
}

func TestDataFileModes(t *testing.T) {
	data := func(t *testing.T, dirMode, dbMode fs.FileMode, db bool) Facts {
		root := filepath.Join(t.TempDir(), "data")
		mkdir(t, root, 0o700)
		if db {
			write(t, filepath.Join(root, "nexus.db"), dbMode)
		}
		if err := os.Chmod(root, dirMode); err != nil {
			t.Fatal(err)
		}
		f := good()
		f.DataDir, f.Database = stat(t, root), stat(t, filepath.Join(root, "nexus.db"))
		return f
	}
	runCases(t, dataFileModes, []checkCase{
		{"not created", func(t *testing.T) Facts {
			f := good()
			f.DataDir = stat(t, filepath.Join(t.TempDir(), "data"))
			return f
		}, Pass, "does not exist yet"},
		{"private", func(t *testing.T) Facts { return data(t, 0o700, 0o600, true) }, Pass, "0600"},
		{"no database yet", func(t *testing.T) Facts { return data(t, 0o700, 0, false) }, Pass, "0700"},
		{"open dir", func(t *testing.T) Facts { return data(t, 0o755, 0o600, true) }, Fail, "chmod 700"},
		{"readable database", func(t *testing.T) Facts { return data(t, 0o700, 0o644, true) }, Fail, "nexus.db is 0644"},
	})
}

func TestDatabaseTLS(t *testing.T) {
	pg := func(mode string, hosts ...string) func(*testing.T) Facts {
		return with(func(f *Facts) { f.DB = Database{Set: true, Postgres: true, Hosts: hosts, SSLMode: mode} })
	}
	runCases(t, databaseTLS, []checkCase{
		{"sqlite", with(func(*Facts) {}), Pass, "embedded SQLite"},
		{"local", pg("disable", "localhost"), Pass, "this machine"},
		{"socket", pg(""), Pass, "Unix socket"},
		{"remote verify-full", pg("verify-full", "db.example.com"), Pass, "verify-full"},
		{"remote require", pg("require", "db.example.com"), Warn, "verify-full"},
		{"remote verify-ca", pg("verify-ca", "db.example.com"), Warn, "verify-full"},
		{"remote plain", pg("disable", "db.example.com"), Fail, "db.example.com"},
		{"remote default", pg("", "10.0.0.5"), Fail, "prefer"},
		{"one remote of two", pg("disable", "127.0.0.1", "db.example.com"), Fail, "db.example.com"},
		{"not postgres", with(func(f *Facts) { f.DB = Database{Set: true} }), Fail, "postgres://"},
	})
}

func TestUpstreamTLS(t *testing.T) {
	up := func(u string) func(*testing.T) Facts { return with(func(f *Facts) { f.Upstream = u }) }
	runCases(t, upstreamTLS, []checkCase{
		{"https", up("https://api.anthropic.com"), Pass, "https://api.anthropic.com"},
		{"local http", up("http://127.0.0.1:8080"), Warn, "tests"},
		{"remote http", up("http://proxy.example.com"), Fail, "not HTTPS"},
		{"userinfo hidden", up("http://user:hunter2@proxy.example.com/x?k=v"), Fail, "http://proxy.example.com "},
	})
	it := upstreamTLS(Facts{Upstream: "http://user:hunter2@proxy.example.com"})
	if strings.Contains(it.Evidence+it.Fix, "hunter2") {
		t.Errorf("the upstream's password was shown: %s", it.Evidence)
	}
}

func TestCredentialAge(t *testing.T) {
	now := good().Now
	runCases(t, credentialAge, []checkCase{
		{"fresh", with(func(f *Facts) {
			f.Accounts = []Credential{{Name: "work", Kind: "api_key", Created: now.Add(-10 * 24 * time.Hour)}}
			f.ClientKeys = []Credential{{Name: "main", Kind: "client_key", Created: now.Add(-89 * 24 * time.Hour)}}
		}), Pass, "2 key(s)"},
		{"old", with(func(f *Facts) {
			f.Accounts = []Credential{
				{Name: "work", Kind: "api_key", Created: now.Add(-100 * 24 * time.Hour)},
				{Name: "sub", Kind: "oauth", Created: now.Add(-400 * 24 * time.Hour)},
			}
			f.ClientKeys = []Credential{{Name: "main", Kind: "client_key", Created: now.Add(-91 * 24 * time.Hour)}}
		}), Warn, "account work (100 days), client key main (91 days)"},
		{"keychain closed", with(func(f *Facts) { f.KeychainErr = "locked" }), Warn, "unknown"},
	})
}

func TestRunGivesEveryItemOnceAsJSON(t *testing.T) {
	items := Run(good())
	seen := map[string]bool{}
	for _, it := range items {
		if seen[it.ID] {
			t.Errorf("item %s twice", it.ID)
		}
		seen[it.ID] = true
		b, _ := json.Marshal(it)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"id", "title", "status", "critical", "evidence", "fix"} {
			if _, ok := m[k]; !ok {
				t.Errorf("%s: no %q in %s", it.ID, k, b)
			}
		}
	}
	if len(items) != 15 {
		t.Errorf("%d items, want 15", len(items))
	}
	if CriticalFailed(items) {
		t.Errorf("good facts fail a critical item: %+v", items)
	}
	f := good()
	f.ClientAuth = false
	if !CriticalFailed(Run(f)) {
		t.Error("client auth off should fail a critical item")
	}
}
