package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nexus/settings"
)

// contractEnv is every environment variable the commands read (DESIGN.md, "Commands").
var contractEnv = []string{"HOST", "PORT", "NEXUS_DATA_DIR", "CLAUDE_API_BASE_URL", "CLAUDE_OAUTH_TOKEN_URL",
	"DATABASE_URL", "STORAGE_ENABLED", "ENABLE_CLIENT_AUTH", "DASHBOARD_API_KEY", "CREDENTIALS_DIR"}

// env is a test's private environment: its own config and data dirs, and none of the
// contract's variables from the machine running the test.
type env struct {
	config  string // XDG_CONFIG_HOME
	dataDir string // NEXUS_DATA_DIR
}

func isolate(t *testing.T) env {
	t.Helper()
	for _, name := range contractEnv {
		t.Setenv(name, "")
	}
	root := t.TempDir()
	e := env{config: filepath.Join(root, "config"), dataDir: filepath.Join(root, "data")}
	t.Setenv("XDG_CONFIG_HOME", e.config)
	t.Setenv("XDG_DATA_HOME", filepath.Join(root, "xdg-data"))
	t.Setenv("NEXUS_DATA_DIR", e.dataDir)
	return e
}

// settingsPath is where the commands look for the settings file in e.
func (e env) settingsPath() string { return filepath.Join(e.config, "nexus", "settings.json") }

// noKeychain makes any keychain call fail at once, for tests that must not reach one.
func noKeychain(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
}

type result struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return runWith(t, stdin, func(Config, *slog.Logger) error {
		t.Error("the desktop app was started")
		return nil
	}, args...)
}

func runWith(t *testing.T, stdin string, desktop Desktop, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), args, IO{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut}, desktop)
	return result{code, out.String(), errOut.String()}
}

func TestUnknownCommand(t *testing.T) {
	isolate(t)
	r := run(t, "", "frobnicate")
	if r.code != 2 {
		t.Errorf("exit %d, want 2", r.code)
	}
	if !strings.Contains(r.stderr, `unknown command "frobnicate"`) || !strings.Contains(r.stderr, "Usage:") {
		t.Errorf("stderr should name the command and show the usage:\n%s", r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("stdout = %q, want nothing", r.stdout)
	}
}

func TestUsageErrors(t *testing.T) {
	isolate(t)
	noKeychain(t)
	for _, args := range [][]string{
		{"requests", "--nope"},
		{"requests", "--limit", "many"},
		{"requests", "--limit", "0"},
		{"requests", "--limit", "-3"},
		{"requests", "json"}, // a flag without its dashes
		{"conversations", "--json", "extra"},
		{"check", "extra"},
		{"serve", "--nope"},
		{"--nope"},
		{"credentials"},
		{"credentials", "frobnicate"},
		{"credentials", "add-key"},
		{"credentials", "add-key", "a", "b"},
		{"credentials", "add-key", "--json"},
		{"credentials", "remove"},
		{"credentials", "default"},
		{"credentials", "list", "--nope"},
		{"client-key"},
		{"client-key", "show", "extra"},
	} {
		r := run(t, "", args...)
		if r.code != 2 {
			t.Errorf("nexus %s: exit %d, want 2 (stderr %q)", strings.Join(args, " "), r.code, r.stderr)
		}
	}
}

func TestHelp(t *testing.T) {
	isolate(t)
	r := run(t, "", "help")
	if r.code != 0 || !strings.Contains(r.stdout, "Usage:") {
		t.Errorf("nexus help: exit %d, stdout %q", r.code, r.stdout)
	}
	for _, cmd := range []string{"nexus serve", "nexus requests", "nexus credentials add-key NAME", "nexus client-key show|rotate"} {
		if !strings.Contains(r.stdout, cmd) {
			t.Errorf("usage does not mention %q", cmd)
		}
	}
}

func TestDesktopGetsResolvedConfig(t *testing.T) {
	e := isolate(t)
	var got Config
	called := false
	r := runWith(t, "", func(cfg Config, log *slog.Logger) error {
		called, got = true, cfg
		if log == nil {
			t.Error("no logger")
		}
		return nil
	}, "--port", "4444")
	if r.code != 0 || !called {
		t.Fatalf("nexus --port 4444: exit %d, desktop called %v, stderr %q", r.code, called, r.stderr)
	}
	if got.Settings.Port != 4444 || got.Settings.DataDir != e.dataDir || got.SettingsPath != e.settingsPath() {
		t.Errorf("desktop got port %d, data dir %q, settings %q", got.Settings.Port, got.Settings.DataDir, got.SettingsPath)
	}

	// The desktop's error is the command's.
	r = runWith(t, "", func(Config, *slog.Logger) error { return errors.New("no display") })
	if r.code != 1 || !strings.Contains(r.stderr, "no display") {
		t.Errorf("failing desktop: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestServeRefusesNonLoopbackHost(t *testing.T) {
	e := isolate(t)
	noKeychain(t)
	for _, host := range []string{"0.0.0.0", "::", "192.168.1.1"} {
		t.Setenv("HOST", host)
		// Cancelled already: should serve start anyway, it returns at once with exit 0
		// instead of hanging the test.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var out, errOut bytes.Buffer
		code := Run(ctx, []string{"serve"}, IO{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut}, nil)
		if code != 1 {
			t.Errorf("HOST=%s nexus serve: exit %d, want 1", host, code)
		}
		if !strings.Contains(errOut.String(), "loopback") || !strings.Contains(errOut.String(), host) {
			t.Errorf("HOST=%s: stderr should name the host and say loopback:\n%s", host, errOut.String())
		}
		if _, err := os.Stat(e.dataDir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("HOST=%s: the data dir was created (%v): serve got past validation", host, err)
		}
	}
}

func TestResolvePrecedence(t *testing.T) {
	e := isolate(t)
	file := settings.Defaults()
	file.Port = 1111
	file.DataDir = filepath.Join(t.TempDir(), "from-file")
	file.Upstream = "http://127.0.0.1:1111"
	if err := settings.Save(e.settingsPath(), file); err != nil {
		t.Fatal(err)
	}
	flagDir, envDir := filepath.Join(t.TempDir(), "from-flag"), filepath.Join(t.TempDir(), "from-env")
	flags := commonFlags{port: "3333", dataDir: flagDir, upstream: "http://127.0.0.1:3333"}

	for _, tc := range []struct {
		name     string
		env      bool
		flags    commonFlags
		port     int
		dataDir  string
		upstream string
	}{
		{"flags win over env", true, flags, 3333, flagDir, "http://127.0.0.1:3333"},
		{"env wins over the file", true, commonFlags{}, 2222, envDir, "http://127.0.0.1:2222"},
		{"the file without env or flags", false, commonFlags{}, 1111, file.DataDir, "http://127.0.0.1:1111"},
		{"flags win over the file", false, flags, 3333, flagDir, "http://127.0.0.1:3333"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env {
				t.Setenv("PORT", "2222")
				t.Setenv("NEXUS_DATA_DIR", envDir)
				t.Setenv("CLAUDE_API_BASE_URL", "http://127.0.0.1:2222")
			} else {
				t.Setenv("PORT", "")
				t.Setenv("NEXUS_DATA_DIR", "")
				t.Setenv("CLAUDE_API_BASE_URL", "")
			}
			cfg, err := tc.flags.resolve()
			if err != nil {
				t.Fatalf("resolve: %v", err)
			}
			s := cfg.Settings
			if s.Port != tc.port || s.DataDir != tc.dataDir || s.Upstream != tc.upstream {
				t.Errorf("resolved port %d, data dir %q, upstream %q; want %d, %q, %q",
					s.Port, s.DataDir, s.Upstream, tc.port, tc.dataDir, tc.upstream)
			}
			if cfg.SettingsPath != e.settingsPath() {
				t.Errorf("settings path %q, want %q", cfg.SettingsPath, e.settingsPath())
			}
		})
	}
}

func TestResolveDefaults(t *testing.T) {
	isolate(t)
	t.Setenv("NEXUS_DATA_DIR", "")
	xdgData := t.TempDir()
	t.Setenv("XDG_DATA_HOME", xdgData)
	cfg, err := (&commonFlags{}).resolve()
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Settings
	if s.Port != settings.DefaultPort || s.Upstream != settings.DefaultUpstream || s.DataDir != filepath.Join(xdgData, "nexus") {
		t.Errorf("defaults resolved to port %d, upstream %q, data dir %q", s.Port, s.Upstream, s.DataDir)
	}
}

func TestResolveErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		env   map[string]string
		flags commonFlags
		want  string
	}{
		{"bad --port", nil, commonFlags{port: "http"}, "--port"},
		{"bad PORT", map[string]string{"PORT": "http"}, commonFlags{}, "PORT"},
		{"port out of range", nil, commonFlags{port: "70000"}, "70000"},
		{"bad --upstream", nil, commonFlags{upstream: "api.anthropic.com"}, "upstream"},
		{"bad STORAGE_ENABLED", map[string]string{"STORAGE_ENABLED": "sometimes"}, commonFlags{}, "STORAGE_ENABLED"},
		{"non-loopback HOST", map[string]string{"HOST": "0.0.0.0"}, commonFlags{}, "loopback"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			isolate(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			_, err := tc.flags.resolve()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("resolve = %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
	t.Run("corrupt settings file", func(t *testing.T) {
		e := isolate(t)
		if err := os.MkdirAll(filepath.Dir(e.settingsPath()), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(e.settingsPath(), []byte("{"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := (&commonFlags{}).resolve()
		if err == nil || !strings.Contains(err.Error(), e.settingsPath()) {
			t.Errorf("resolve = %v, want an error naming %s", err, e.settingsPath())
		}
	})
}

func TestAddKeyReadsStdinOnly(t *testing.T) {
	isolate(t)
	noKeychain(t)
	for name, stdin := range map[string]string{"empty": "", "blank lines": "\n  \n", "spaces": "   "} {
		r := run(t, stdin, "credentials", "add-key", "work")
		if r.code != 1 {
			t.Errorf("%s stdin: exit %d, want 1", name, r.code)
		}
		if !strings.Contains(r.stderr, "stdin") || strings.Contains(r.stderr, "keychain unavailable") {
			t.Errorf("%s stdin: stderr should say the key is read from stdin, before any keychain call:\n%s", name, r.stderr)
		}
	}
}

func TestAddKeyRefusesKeyAsName(t *testing.T) {
	// `nexus credentials add-key sk-ant-…` puts the key in argv: it must not be stored as an
	// account name (listed in the clear) and the user must learn the key was exposed.
	isolate(t)
	noKeychain(t)
	key := "sk-ant-api03-" + strings.Repeat("k", 40)
	r := run(t, key+"\n", "credentials", "add-key", key)
	if r.code == 0 {
		t.Fatal("add-key accepted an API key as the account name")
	}
	if !strings.Contains(r.stderr, "stdin") || strings.Contains(r.stderr, "keychain unavailable") {
		t.Errorf("stderr should say keys are read from stdin, before any keychain call:\n%s", r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, key) {
		t.Errorf("the key was printed back:\n%s", r.stderr)
	}
}

func TestReadSecret(t *testing.T) {
	for in, want := range map[string]string{
		"sk-ant-x\n":              "sk-ant-x",
		"  sk-ant-x  \r\n":        "sk-ant-x",
		"sk-ant-x":                "sk-ant-x",
		"sk-ant-x\nsecond line\n": "sk-ant-x",
	} {
		got, err := readSecret(strings.NewReader(in))
		if err != nil || got != want {
			t.Errorf("readSecret(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := readSecret(failingReader{}); err == nil {
		t.Error("readSecret of a failing reader = nil error")
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, io.ErrClosedPipe }

// A malformed --port is a usage error (exit 2), and a malformed PORT that --port overrides is
// not read at all.
func TestPortFlagErrors(t *testing.T) {
	isolate(t)
	noKeychain(t)
	for _, port := range []string{"abc", "99999", "-5"} {
		if r := run(t, "", "requests", "--port", port); r.code != 2 || !strings.Contains(r.stderr, "--port") {
			t.Errorf("--port %s: exit %d, stderr %q; want 2 naming --port", port, r.code, r.stderr)
		}
	}
	t.Setenv("PORT", "abc")
	if r := run(t, "", "requests", "--port", "3731"); r.code != 0 {
		t.Errorf("PORT=abc --port 3731: exit %d, stderr %q; want 0 (the flag wins)", r.code, r.stderr)
	}
	if r := run(t, "", "requests"); r.code == 0 || !strings.Contains(r.stderr, "PORT") {
		t.Errorf("PORT=abc alone: exit %d, stderr %q; want an error naming PORT", r.code, r.stderr)
	}
}

// `nexus --help` lists the commands, as `nexus help` does.
func TestTopLevelHelpListsCommands(t *testing.T) {
	isolate(t)
	for _, flag := range []string{"--help", "-h"} {
		r := run(t, "", flag)
		if r.code != 0 || !strings.Contains(r.stdout, "nexus serve") || !strings.Contains(r.stdout, "nexus client-key") {
			t.Errorf("nexus %s: exit %d, stdout %q", flag, r.code, r.stdout)
		}
	}
}

// A flag the flag package refuses is reported once, with the command's flags, not again with
// the whole usage.
func TestUnknownFlagReportedOnce(t *testing.T) {
	isolate(t)
	r := run(t, "", "requests", "--bogus")
	if r.code != 2 || strings.Count(r.stderr, "-bogus") != 1 || !strings.Contains(r.stderr, "-limit") ||
		strings.Contains(r.stderr, "nexus credentials add-key") {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
}
