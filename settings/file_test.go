package settings

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s has mode %#o, want %#o", path, got, want)
	}
}

// full is a Settings with every field away from its default.
func full() Settings {
	return Settings{
		Host:              "::1",
		Port:              4123,
		DataDir:           "/srv/nexus",
		Upstream:          "http://127.0.0.1:9000",
		OAuthTokenURL:     "http://127.0.0.1:9001/token",
		StorageEnabled:    false,
		ClientAuth:        false,
		CredentialsDir:    "/legacy",
		ProxyEnabled:      false,
		RequestTimeout:    Duration(time.Minute),
		StreamIdleTimeout: Duration(30 * time.Second),
		MaxRetries:        5,
		Window:            Window{X: 10, Y: 20, Width: 800, Height: 600},
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nexus", "settings.json")
	want := full()
	if err := Save(path, want); err != nil {
		t.Fatalf("Save: %v", err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Load after Save gave\n%+v\nwant\n%+v", got, want)
	}
}

func TestSaveModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "config", "nexus")
	path := filepath.Join(dir, "settings.json")
	if err := Save(path, Defaults()); err != nil {
		t.Fatalf("Save: %v", err)
	}
	assertMode(t, path, 0o600)
	assertMode(t, dir, 0o700)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "settings.json" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("dir holds %v after Save, want only settings.json (no temp files left)", names)
	}
}

func TestSaveTightensLooserFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "settings.json")
	if err := os.WriteFile(path, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o666); err != nil { // past the umask
		t.Fatal(err)
	}
	if err := Save(path, Defaults()); err != nil {
		t.Fatalf("Save: %v", err)
	}
	assertMode(t, path, 0o600)
}

func TestSaveNeverWritesSecrets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "settings.json")
	s := Defaults()
	s.DatabaseURL = "postgres://nexus:db-password-123@db.example.com/nexus"
	s.DashboardAPIKey = "dashboard-secret-456"
	if err := Save(path, s); err != nil {
		t.Fatalf("Save: %v", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, secret := range []string{"db-password-123", "db.example.com", "dashboard-secret-456", "database_url", "DatabaseURL", "DashboardAPIKey"} {
		if strings.Contains(text, secret) {
			t.Errorf("settings file contains %q:\n%s", secret, text)
		}
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.DatabaseURL != "" || got.DashboardAPIKey != "" {
		t.Errorf("Load gave database %q, dashboard key %q; want both empty", got.DatabaseURL, got.DashboardAPIKey)
	}
}

func TestLoadIgnoresSecretsInFile(t *testing.T) {
	// A hand-edited file must not be a way to keep a password on disk.
	path := filepath.Join(t.TempDir(), "settings.json")
	text := `{"port": 1111, "DatabaseURL": "postgres://u:p@h/db", "database_url": "postgres://u:p@h/db",
	          "DashboardAPIKey": "k", "dashboard_api_key": "k", "-": "x"}`
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got.Port != 1111 {
		t.Errorf("port %d, want 1111", got.Port)
	}
	if got.DatabaseURL != "" || got.DashboardAPIKey != "" {
		t.Errorf("Load read database %q, dashboard key %q from the file", got.DatabaseURL, got.DashboardAPIKey)
	}
}

func TestSaveFailingRenameKeepsOldFile(t *testing.T) {
	parent := t.TempDir()
	// The target is a directory: the temp file is written, but renaming it over the target
	// fails. Whatever was there must survive, and no temp file may be left behind.
	target := filepath.Join(parent, "settings.json")
	if err := os.Mkdir(target, 0o700); err != nil {
		t.Fatal(err)
	}
	keep := filepath.Join(target, "keep")
	if err := os.WriteFile(keep, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := Save(target, Defaults())
	if err == nil {
		t.Fatal("Save over a directory succeeded")
	}
	if !strings.Contains(err.Error(), target) {
		t.Errorf("error %q does not name %s", err, target)
	}
	if b, err := os.ReadFile(keep); err != nil || string(b) != "old" {
		t.Errorf("old content after a failed Save: %q, %v", b, err)
	}
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("parent holds %v after a failed Save, want only the target (temp file removed)", names)
	}
}

func TestSaveReplacesOldFileWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "settings.json")
	// A long old file: a non-truncating write of the shorter new one would leave a tail.
	old := Defaults()
	old.CredentialsDir = strings.Repeat("x", 4096)
	if err := Save(path, old); err != nil {
		t.Fatal(err)
	}
	if err := Save(path, Defaults()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s Settings
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("file after second Save is not JSON: %v\n%s", err, b)
	}
	if !reflect.DeepEqual(s, Defaults()) {
		t.Errorf("file after second Save = %+v", s)
	}
}

func TestLoadMissingFileGivesDefaults(t *testing.T) {
	got, err := Load(filepath.Join(t.TempDir(), "nope", "settings.json"))
	if err != nil {
		t.Fatalf("Load of a missing file: %v", err)
	}
	if !reflect.DeepEqual(got, Defaults()) {
		t.Errorf("Load of a missing file = %+v, want defaults", got)
	}
}

func TestLoadPartialFileKeepsDefaults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "settings.json")
	if err := os.WriteFile(path, []byte(`{"port": 1111}`), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := Defaults()
	want.Port = 1111
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Load = %+v, want defaults with port 1111", got)
	}
}

func TestLoadCorruptFileNamesPath(t *testing.T) {
	for name, text := range map[string]string{
		"truncated":     `{"port": 11`,
		"not json":      "port = 1111\n",
		"wrong type":    `{"port": "1111"}`,
		"bad duration":  `{"request_timeout": "ten minutes"}`,
		"array instead": `[]`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "settings.json")
			if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			if err == nil {
				t.Fatalf("Load(%q) = nil error", text)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name %s", err, path)
			}
		})
	}
}

func TestLoadUnreadableNamesPath(t *testing.T) {
	path := t.TempDir() // a directory cannot be read as a file
	_, err := Load(path)
	if err == nil {
		t.Fatal("Load of a directory = nil error")
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name %s", err, path)
	}
}

func TestEnsureDataDir(t *testing.T) {
	t.Run("creates 0700", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "a", "nexus")
		if err := EnsureDataDir(dir); err != nil {
			t.Fatal(err)
		}
		assertMode(t, dir, 0o700)
	})
	t.Run("tightens an existing 0755 dir", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "nexus")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, 0o755); err != nil { // whatever the umask
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "nexus.db"), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := EnsureDataDir(dir); err != nil {
			t.Fatal(err)
		}
		assertMode(t, dir, 0o700)
		if b, err := os.ReadFile(filepath.Join(dir, "nexus.db")); err != nil || string(b) != "x" {
			t.Errorf("contents changed: %q, %v", b, err)
		}
	})
	t.Run("a file in the way is an error", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "nexus")
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := EnsureDataDir(path); err == nil {
			t.Error("EnsureDataDir over a file = nil error")
		}
	})
}

func TestDefaultPaths(t *testing.T) {
	cfg, data := t.TempDir(), t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("XDG_DATA_HOME", data)
	p, err := DefaultPath()
	if err != nil || p != filepath.Join(cfg, "nexus", "settings.json") {
		t.Errorf("DefaultPath() = %q, %v", p, err)
	}
	d, err := DefaultDataDir()
	if err != nil || d != filepath.Join(data, "nexus") {
		t.Errorf("DefaultDataDir() = %q, %v", d, err)
	}
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "/home/someone")
	d, err = DefaultDataDir()
	if err != nil || d != "/home/someone/.local/share/nexus" {
		t.Errorf("DefaultDataDir() without XDG_DATA_HOME = %q, %v", d, err)
	}
}
