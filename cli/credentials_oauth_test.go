package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"nexus/credentials"
)

const cliLegacyKey = "sk-ant-api03-cli-legacy-" + "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ"

func TestLoginAndImportWithoutKeychain(t *testing.T) {
	isolate(t)
	noKeychain(t)
	r := run(t, "code#state\n", "credentials", "login", "work")
	if r.code != 1 || !strings.Contains(r.stderr, "keychain unavailable") || !strings.Contains(r.stderr, "D-Bus") {
		t.Errorf("login without a keychain: exit %d, stderr %s", r.code, r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("login sent the user to log in although nothing could be stored: %q", r.stdout)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "host.credentials.json")
	if err := os.WriteFile(p, []byte(`{"type":"api_key","api_key":"`+cliLegacyKey+`"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	r = run(t, "", "credentials", "import", dir, "--delete-after-import")
	if r.code != 1 || !strings.Contains(r.stderr, "keychain unavailable") {
		t.Errorf("import without a keychain: exit %d, stderr %s", r.code, r.stderr)
	}
	if _, err := os.Stat(p); err != nil {
		t.Error("the file was deleted although it was not stored")
	}
	if strings.Contains(r.stdout+r.stderr, cliLegacyKey) {
		t.Error("import printed the key")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("something was written next to the file: %v", entries)
	}
}

func TestImportUsage(t *testing.T) {
	isolate(t)
	for _, args := range [][]string{{"credentials", "import"}, {"credentials", "import", "a", "b"}, {"credentials", "import", "--bogus", "a"}} {
		if r := run(t, "", args...); r.code != 2 {
			t.Errorf("%v: exit %d, want 2", args, r.code)
		}
	}
	if r := run(t, "", "credentials", "import", t.TempDir()); r.code != 1 || !strings.Contains(r.stderr, "no *.credentials.json files") {
		t.Errorf("empty dir: exit %d %s", r.code, r.stderr)
	}
}

func TestImportReal(t *testing.T) {
	requireTestSession(t)
	isolate(t)
	unique := fmt.Sprintf("cli-import-%d", time.Now().UnixNano())
	dir := t.TempDir()
	clientKey := "cnp_live_" + strings.Repeat("c", 30) + fmt.Sprint(time.Now().UnixNano())
	access, refresh := "sk-ant-oat01-cli-"+unique, "sk-ant-ort01-cli-"+unique
	files := map[string]string{
		unique + "-key":   fmt.Sprintf(`{"type":"api_key","api_key":%q,"client_api_key":%q}`, cliLegacyKey+unique, clientKey),
		unique + "-oauth": fmt.Sprintf(`{"type":"oauth","oauth":{"accessToken":%q,"refreshToken":%q,"expiresAt":%d,"scopes":["user:inference"]}}`, access, refresh, time.Now().Add(time.Hour).UnixMilli()),
		unique + "-bad":   `{"type":"oauth","oauth":{"accessToken":"` + access + `"}}`,
	}
	for n, data := range files {
		if err := os.WriteFile(filepath.Join(dir, n+".credentials.json"), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for n := range files {
			run(t, "", "credentials", "remove", n)
		}
	})
	r := run(t, "", "credentials", "import", dir, "--delete-after-import")
	if r.code != 1 || !strings.Contains(r.stderr, unique+"-bad.credentials.json") || !strings.Contains(r.stderr, "1 of 3 files not imported") {
		t.Errorf("import: exit %d\n%s", r.code, r.stderr)
	}
	for _, s := range []string{cliLegacyKey, clientKey, access, refresh} {
		if strings.Contains(r.stdout+r.stderr, s) {
			t.Errorf("import printed a secret:\n%s", r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, unique+"-key.credentials.json")); !os.IsNotExist(err) {
		t.Error("--delete-after-import left the imported file")
	}
	if _, err := os.Stat(filepath.Join(dir, unique+"-bad.credentials.json")); err != nil {
		t.Error("the malformed file was deleted")
	}
	l := run(t, "", "credentials", "list", "--json")
	var doc struct {
		Accounts []map[string]any `json:"accounts"`
	}
	if err := json.Unmarshal([]byte(l.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	found := map[string]map[string]any{}
	for _, a := range doc.Accounts {
		found[a["name"].(string)] = a
	}
	if a := found[unique+"-oauth"]; a == nil || a["kind"] != "oauth" || a["expires_at"] == nil {
		t.Errorf("oauth account listed as %v", a)
	} else if _, err := time.Parse(time.RFC3339, a["expires_at"].(string)); err != nil {
		t.Errorf("expires_at %v is not RFC 3339", a["expires_at"])
	}
	if a := found[unique+"-key"]; a == nil || a["kind"] != "api_key" || a["expires_at"] != nil {
		t.Errorf("api key account listed as %v", a)
	}
	if _, ok := found[unique+"-bad"]; ok {
		t.Error("the malformed file became an account")
	}
	v, err := credentials.OpenVault(credentials.SystemKeychain{})
	if err != nil {
		t.Fatal(err)
	}
	if id, acct, ok := v.Authenticate(clientKey); !ok || id != "legacy:"+unique+"-key" || acct != unique+"-key" {
		t.Errorf("the imported client key: %q %q %v", id, acct, ok)
	}
}
