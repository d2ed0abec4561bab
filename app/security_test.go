package app

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"nexus/checklist"
	"nexus/credentials"
	"nexus/engine"
	"nexus/settings"
)

func findItem(t *testing.T, r SecurityReport, id string) SecurityItem {
	t.Helper()
	for _, it := range r.Items {
		if it.ID == id {
			return it
		}
	}
	t.Fatalf("no item %s in %+v", id, r)
	return SecurityItem{}
}

func hasAction(it SecurityItem, id string) bool {
	for _, a := range it.Actions {
		if a.ID == id {
			return true
		}
	}
	return false
}

func recheck(t *testing.T, a *App) SecurityReport {
	t.Helper()
	r, err := a.RecheckSecurity()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSecurityReportShape(t *testing.T) {
	a, _, _, key := newTestApp(t)
	r, err := a.SecurityChecklist()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := time.Parse(time.RFC3339, r.CheckedAt); err != nil {
		t.Errorf("checked_at %q is not RFC 3339: %v", r.CheckedAt, err)
	}
	if len(r.Items) != len(checklist.Run(checklist.Facts{})) {
		t.Errorf("%d items", len(r.Items))
	}
	raw, _ := json.Marshal(r)
	if strings.Contains(string(raw), key) || strings.Contains(string(raw), key[len(key)-16:]) {
		t.Fatalf("the report sent to the window contains the client key: %s", raw)
	}
	var doc struct {
		Items []map[string]any `json:"items"`
	}
	json.Unmarshal(raw, &doc)
	for _, it := range doc.Items {
		for _, k := range []string{"id", "title", "status", "critical", "evidence", "fix", "actions", "pending"} {
			if _, ok := it[k]; !ok {
				t.Errorf("item %v has no %q", it["id"], k)
			}
		}
		if it["actions"] == nil {
			t.Errorf("item %v: actions is null, want []", it["id"])
		}
	}
}

func TestFixNotOfferedIsRefused(t *testing.T) {
	a, _, _, _ := newTestApp(t)
	for _, id := range []string{fixDataModes, fixRotateKey, "rm -rf /"} {
		if _, err := a.ApplySecurityFix(id); err == nil || !strings.Contains(err.Error(), "not offered") {
			t.Errorf("ApplySecurityFix(%q) on a healthy install: %v", id, err)
		}
	}
}

func TestFixTightenDataFiles(t *testing.T) {
	a, e, _, _ := newTestApp(t)
	db := filepath.Join(e.Settings().DataDir, "nexus.db")
	if err := os.Chmod(db, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(e.Settings().DataDir, 0o755); err != nil {
		t.Fatal(err)
	}
	it := findItem(t, recheck(t, a), "data-file-modes")
	if it.Status != checklist.Fail || !hasAction(it, fixDataModes) {
		t.Fatalf("data-file-modes: %+v", it)
	}
	res, err := a.ApplySecurityFix(fixDataModes)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Message, "0644 → 0600") || !strings.Contains(res.Message, "0755 → 0700") {
		t.Errorf("message %q", res.Message)
	}
	if fi, _ := os.Stat(db); fi.Mode().Perm() != 0o600 {
		t.Errorf("database mode %v after the fix", fi.Mode())
	}
	if it := findItem(t, res.Report, "data-file-modes"); it.Status != checklist.Pass || len(it.Actions) != 0 {
		t.Errorf("after the fix: %+v", it)
	}
}

// legacyDirApp is an app whose CREDENTIALS_DIR holds a Claude Nexus Proxy file with mode.
func legacyDirApp(t *testing.T, mode os.FileMode) (*App, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "credentials")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "team.credentials.json")
	body := fmt.Sprintf(`{"type":"api_key","api_key":"sk-ant-api03-%s"}`, strings.Repeat("q", 40))
	if err := os.WriteFile(file, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	os.Chmod(file, mode)
	a, _, _, _ := newTestAppWith(t, func(s *settings.Settings) { s.CredentialsDir = dir })
	return a, file
}

// waitImported waits for the engine's watcher to import the legacy files.
func waitImported(t *testing.T, a *App) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(a.engine.ImportedCredentialFiles()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the legacy file was not imported")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestFixDeleteImportedCredentialFiles(t *testing.T) {
	a, file := legacyDirApp(t, 0o600)
	waitImported(t, a)
	it := findItem(t, recheck(t, a), "legacy-credential-files")
	if it.Status != checklist.Warn || !hasAction(it, fixDeleteImported) || hasAction(it, fixCredentialModes) {
		t.Fatalf("legacy-credential-files: %+v", it)
	}
	if it.Actions[0].Confirm == "" || !strings.Contains(it.Actions[0].Confirm, "team.credentials.json") {
		t.Errorf("deleting needs a confirmation naming the file: %+v", it.Actions)
	}
	res, err := a.ApplySecurityFix(fixDeleteImported)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("the file is still there: %v", err)
	}
	if !strings.Contains(res.Message, "team.credentials.json") {
		t.Errorf("message %q", res.Message)
	}
	if it := findItem(t, res.Report, "legacy-credential-files"); it.Status != checklist.Pass {
		t.Errorf("after the fix: %+v", it)
	}
	if _, _, _, err := a.engine.Refresher().Credential(a.context(), "team"); err != nil {
		t.Errorf("the account went with the file: %v", err)
	}
}

func TestFixTightenCredentialFiles(t *testing.T) {
	a, file := legacyDirApp(t, 0o644)
	waitImported(t, a)
	it := findItem(t, recheck(t, a), "legacy-credential-files")
	if it.Status != checklist.Fail || !hasAction(it, fixCredentialModes) {
		t.Fatalf("legacy-credential-files: %+v", it)
	}
	if _, err := a.ApplySecurityFix(fixCredentialModes); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v after the fix", fi.Mode())
	}
	// Still a plaintext file: a warning, and deleting it is offered.
	it = findItem(t, recheck(t, a), "legacy-credential-files")
	if it.Status != checklist.Warn || !hasAction(it, fixDeleteImported) || hasAction(it, fixCredentialModes) {
		t.Errorf("after the fix: %+v", it)
	}
}

func TestFixRotateClientKeyAfterAuthBurst(t *testing.T) {
	a, e, _, key := newTestApp(t)
	st, err := a.SetProxyRunning(true)
	if err != nil {
		t.Fatal(err)
	}
	before := e.Recorded()
	for range 11 {
		req, _ := http.NewRequest("POST", st.Address+"/v1/messages", strings.NewReader(`{}`))
		req.Header.Set("x-api-key", "cnp_live_guessed-"+strings.Repeat("g", 30))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	for deadline := time.Now().Add(10 * time.Second); e.Recorded()-before < 11; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the refusals were not recorded")
		}
	}
	it := findItem(t, recheck(t, a), "auth-failure-burst")
	if it.Status != checklist.Warn || !hasAction(it, fixRotateKey) || it.Actions[0].Confirm == "" {
		t.Fatalf("auth-failure-burst: %+v", it)
	}
	res, err := a.ApplySecurityFix(fixRotateKey)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Message, "Rotated") {
		t.Errorf("message %q", res.Message)
	}
	newKey, _ := e.ClientKey()
	if newKey == key || !strings.HasPrefix(newKey, credentials.ClientKeyPrefix) {
		t.Errorf("the client key did not change")
	}
	req, _ := http.NewRequest("POST", st.Address+"/v1/messages", strings.NewReader(`{}`))
	req.Header.Set("x-api-key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the old key still works: %d", resp.StatusCode)
	}
}

// settingsApp is an app whose settings file (and running settings) is s after edit.
func settingsApp(t *testing.T, edit func(*settings.Settings), env map[string]string) (*App, string) {
	t.Helper()
	a, e, _, _ := newTestAppWith(t, edit)
	path := filepath.Join(t.TempDir(), "settings.json")
	if err := settings.Save(path, e.Settings()); err != nil {
		t.Fatal(err)
	}
	a.settingsPath = path
	a.getenv = func(k string) string { return env[k] }
	return a, path
}

func TestFixStoreBodies(t *testing.T) {
	off := func(s *settings.Settings) { s.StorageEnabled = false }
	a, _ := settingsApp(t, off, map[string]string{"STORAGE_ENABLED": "false"})
	if it := findItem(t, recheck(t, a), "body-storage"); hasAction(it, fixStoreBodies) {
		t.Errorf("STORAGE_ENABLED=false wins over the settings file, yet turning storage on is offered: %+v", it)
	}

	a, path := settingsApp(t, off, nil)
	it := findItem(t, recheck(t, a), "body-storage")
	if it.Status != checklist.Pass || !hasAction(it, fixStoreBodies) || it.Pending != "" {
		t.Fatalf("body-storage: %+v", it)
	}
	res, err := a.ApplySecurityFix(fixStoreBodies)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := settings.Load(path)
	if !s.StorageEnabled {
		t.Error("storage_enabled was not saved")
	}
	it = findItem(t, res.Report, "body-storage")
	if hasAction(it, fixStoreBodies) || !strings.Contains(it.Pending, "next start") {
		t.Errorf("after the fix: %+v", it)
	}
}

func TestFixLimitRetention(t *testing.T) {
	a, path := settingsApp(t, func(s *settings.Settings) { s.RetentionDays, s.RetentionMaxMB = 0, 0 }, nil)
	it := findItem(t, recheck(t, a), "body-storage")
	if it.Status != checklist.Warn || !hasAction(it, fixLimitRetention) {
		t.Fatalf("body-storage: %+v", it)
	}
	if _, err := a.ApplySecurityFix(fixLimitRetention); err != nil {
		t.Fatal(err)
	}
	if s, _ := settings.Load(path); s.RetentionDays != 90 {
		t.Errorf("retention_days %d after the fix", s.RetentionDays)
	}
}

// newTestAppWith is newTestApp with the settings edited first.
func newTestAppWith(t *testing.T, edit func(*settings.Settings)) (*App, *engine.Engine, *fakeRuntime, string) {
	t.Helper()
	return newTestAppSettings(t, edit)
}
