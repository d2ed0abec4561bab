package credentials

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"nexus/internal/syncbuf"
)

const (
	legacyAPIKey    = "sk-ant-api03-legacy-" + "KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK" + "-tail"
	legacyClientKey = "cnp_live_" + "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC"
	legacyAccess    = "sk-ant-oat01-legacy-access-AAAAAAAAAAAAAAAAAAAAAAAA"
	legacyRefresh   = "sk-ant-ort01-legacy-refresh-RRRRRRRRRRRRRRRRRRRRRRR"
)

func apiKeyFile(key, clientKey string) string {
	return fmt.Sprintf(`{"type":"api_key","accountId":"acc_1","api_key":%q,"client_api_key":%q,"slack":{"webhook_url":""}}`, key, clientKey)
}

func oauthFile(access, refresh string, expiresAt int64) string {
	return fmt.Sprintf(`{"type":"oauth","accountId":"acc_2","oauth":{"accessToken":%q,"refreshToken":%q,"expiresAt":%d,"scopes":["user:inference","user:profile"],"isMax":true}}`,
		access, refresh, expiresAt)
}

func TestParseLegacyFile(t *testing.T) {
	exp := time.Now().Add(time.Hour).UnixMilli()
	good := []struct {
		name, file, data string
		kind             Kind
		clientKey        string
	}{
		{"api key with client key", "host.example.com.credentials.json", apiKeyFile(legacyAPIKey, legacyClientKey), KindAPIKey, legacyClientKey},
		{"api key alone", "work.credentials.json", `{"type":"api_key","api_key":"` + legacyAPIKey + `"}`, KindAPIKey, ""},
		{"oauth", "max.credentials.json", oauthFile(legacyAccess, legacyRefresh, exp), KindOAuth, ""},
		{"oauth without scopes", "m.credentials.json", `{"type":"oauth","oauth":{"accessToken":"` + legacyAccess + `","refreshToken":"` + legacyRefresh + `","expiresAt":5}}`, KindOAuth, ""},
	}
	for _, c := range good {
		t.Run(c.name, func(t *testing.T) {
			a, err := ParseLegacyFile(c.file, []byte(c.data))
			if err != nil {
				t.Fatalf("ParseLegacyFile: %v", err)
			}
			if a.Name != strings.TrimSuffix(c.file, LegacySuffix) || a.Kind != c.kind || a.ClientKey != c.clientKey || a.Digest == "" {
				t.Errorf("got %+v", a)
			}
			if c.kind == KindAPIKey && a.APIKey != legacyAPIKey {
				t.Errorf("api key %q", a.APIKey)
			}
			if c.kind == KindOAuth && (a.OAuth == nil || a.OAuth.AccessToken != legacyAccess || a.OAuth.RefreshToken != legacyRefresh) {
				t.Errorf("oauth %+v", a.OAuth)
			}
		})
	}
	bad := []struct {
		name, file, data, want string
	}{
		{"not json", "a.credentials.json", `{"type":"api_key","api_key":"` + legacyAPIKey, "not valid JSON"},
		{"trailing value", "a.credentials.json", apiKeyFile(legacyAPIKey, legacyClientKey) + `{}`, "more than one"},
		{"wrong type of field", "a.credentials.json", `{"type":"api_key","api_key":12}`, `"api_key"`},
		{"no type", "a.credentials.json", `{"api_key":"` + legacyAPIKey + `"}`, `no "type"`},
		{"unknown type", "a.credentials.json", `{"type":"password","api_key":"` + legacyAPIKey + `"}`, `unknown "type"`},
		{"bad api key", "a.credentials.json", apiKeyFile("sk-proj-"+strings.Repeat("x", 40), ""), "api_key"},
		{"api key with a space", "a.credentials.json", apiKeyFile("sk-ant-api03-aaaaaaaaaa bbbbbbbbbbbbbbbb", ""), "api_key"},
		{"oauth without object", "a.credentials.json", `{"type":"oauth"}`, `no "oauth" object`},
		{"oauth without refresh token", "a.credentials.json", oauthFile(legacyAccess, "", exp), "refresh token"},
		{"oauth without expiry", "a.credentials.json", oauthFile(legacyAccess, legacyRefresh, 0), "expiry"},
		{"bad client key", "a.credentials.json", apiKeyFile(legacyAPIKey, "cnp_test_abc"), "client_api_key"},
		{"client key with newline", "a.credentials.json", apiKeyFile(legacyAPIKey, legacyClientKey+"\nX"), "client_api_key"},
		{"bad name", "my host.credentials.json", apiKeyFile(legacyAPIKey, ""), "account name"},
		{"name is a key", "sk-ant-api03-xyz.credentials.json", apiKeyFile(legacyAPIKey, ""), "looks like a key"},
		{"no suffix", "a.json", apiKeyFile(legacyAPIKey, ""), "not a legacy credential file"},
		{"empty name", ".credentials.json", apiKeyFile(legacyAPIKey, ""), "not a legacy credential file"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			a, err := ParseLegacyFile(c.file, []byte(c.data))
			if err == nil {
				t.Fatalf("ParseLegacyFile = %+v, want an error", a)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.file) {
				t.Errorf("error %q should name the file and say %q", err, c.want)
			}
			for _, s := range []string{legacyAPIKey, legacyClientKey, legacyAccess, legacyRefresh, "KKKKKKKK", "CCCCCCCC"} {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error %q repeats a secret", err)
				}
			}
		})
	}
}

func FuzzParseLegacyFile(f *testing.F) {
	f.Add("host.credentials.json", []byte(apiKeyFile(legacyAPIKey, legacyClientKey)))
	f.Add("max.credentials.json", []byte(oauthFile(legacyAccess, legacyRefresh, 1700000000000)))
	f.Add("x.credentials.json", []byte(`{"type":"oauth","oauth":null}`))
	f.Add("y.credentials.json", []byte(`{"type":"api_key","api_key":"sk-ant-\u0000"}`))
	f.Fuzz(func(t *testing.T, base string, data []byte) {
		a, err := ParseLegacyFile(base, data)
		if err != nil {
			return
		}
		// A fully valid account: everything ImportLegacy and the proxy rely on.
		if ValidateName(a.Name) != nil || a.Name+LegacySuffix != base || a.Digest == "" {
			t.Fatalf("invalid name or digest: %+v", a)
		}
		switch a.Kind {
		case KindAPIKey:
			if validateAPIKey(a.APIKey) != nil || a.OAuth != nil {
				t.Fatalf("invalid api key account")
			}
		case KindOAuth:
			if a.OAuth == nil || a.OAuth.validate() != nil || a.APIKey != "" {
				t.Fatalf("invalid oauth account")
			}
		default:
			t.Fatalf("kind %q", a.Kind)
		}
		if a.ClientKey != "" && (!strings.HasPrefix(a.ClientKey, ClientKeyPrefix) || !headerSafe(a.ClientKey)) {
			t.Fatalf("invalid client key")
		}
		if _, err := a.secret(); err != nil {
			t.Fatal(err)
		}
	})
}

func writeFile(t *testing.T, path, data string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func TestImportLegacyFile(t *testing.T) {
	dir := t.TempDir()
	kc := NewMemoryKeychain()
	v := openMem(t, kc)
	p := filepath.Join(dir, "host.credentials.json")
	writeFile(t, p, apiKeyFile(legacyAPIKey, legacyClientKey), 0o644)
	im, err := ImportLegacyFile(v, p, false)
	if err != nil {
		t.Fatal(err)
	}
	if !im.Changed || im.Account != "host" || im.ClientKey != "legacy:host" || !im.Readable() {
		t.Errorf("Imported = %+v", im)
	}
	if w := im.Warning(); !strings.Contains(w, p) || !strings.Contains(w, "0644") || !strings.Contains(w, "other users") {
		t.Errorf("warning %q should give the path, the mode and who can read it", w)
	}
	if name, kind, secret := secretOf(t, v, ""); name != "host" || kind != KindAPIKey || secret != legacyAPIKey {
		t.Errorf("default account = %s %s", name, kind)
	}
	if id, acct, ok := v.Authenticate(legacyClientKey); !ok || id != "legacy:host" || acct != "host" {
		t.Errorf("Authenticate(client key) = %q %q %v", id, acct, ok)
	}
	// A second vault on the same keychain sees it all.
	if id, _, ok := openMem(t, kc).Authenticate(legacyClientKey); !ok || id != "legacy:host" {
		t.Error("the client key is not in the keychain")
	}
	// Unchanged: nothing written.
	if im, err := ImportLegacyFile(v, p, false); err != nil || im.Changed {
		t.Errorf("re-import of an unchanged file: %+v, %v", im, err)
	}
	// --delete-after-import removes the file once stored.
	q := filepath.Join(dir, "max.credentials.json")
	writeFile(t, q, oauthFile(legacyAccess, legacyRefresh, time.Now().Add(time.Hour).UnixMilli()), 0o600)
	im, err = ImportLegacyFile(v, q, true)
	if err != nil || !im.Deleted || im.Readable() {
		t.Fatalf("import with delete: %+v, %v", im, err)
	}
	if _, err := os.Stat(q); !os.IsNotExist(err) {
		t.Errorf("the file is still there: %v", err)
	}
	if _, kind, secret := secretOf(t, v, "max"); kind != KindOAuth || !strings.Contains(secret, legacyRefresh) {
		t.Errorf("max: %s", kind)
	}
}

func TestImportLegacyFileMalformedStoresNothing(t *testing.T) {
	dir := t.TempDir()
	kc := NewMemoryKeychain()
	v := openMem(t, kc)
	p := filepath.Join(dir, "bad.credentials.json")
	// Valid client key, bad api key: nothing may be stored, not even the client key.
	writeFile(t, p, apiKeyFile("sk-ant-x", legacyClientKey), 0o600)
	if _, err := ImportLegacyFile(v, p, true); err == nil || !strings.Contains(err.Error(), "bad.credentials.json") {
		t.Fatalf("ImportLegacyFile = %v, want an error naming the file", err)
	}
	if len(kc.items) != 0 || len(v.Accounts()) != 0 {
		t.Errorf("a malformed file stored %d items", len(kc.items))
	}
	if _, err := os.Stat(p); err != nil {
		t.Error("a malformed file was deleted")
	}
}

func TestImportLegacyKeepsRefreshedTokens(t *testing.T) {
	// A re-read of the unchanged file must not put back tokens that were since rotated.
	dir := t.TempDir()
	v := openMem(t, NewMemoryKeychain())
	p := filepath.Join(dir, "max.credentials.json")
	writeFile(t, p, oauthFile(legacyAccess, legacyRefresh, time.Now().Add(time.Hour).UnixMilli()), 0o600)
	if _, err := ImportLegacyFile(v, p, false); err != nil {
		t.Fatal(err)
	}
	rotated := OAuthTokens{AccessToken: "sk-ant-oat01-rotated-0123456789", RefreshToken: "sk-ant-ort01-rotated-0123456789",
		ExpiresAt: time.Now().Add(8 * time.Hour).UnixMilli()}
	if err := v.saveRefreshed("max", legacyRefresh, rotated); err != nil {
		t.Fatal(err)
	}
	if im, err := ImportLegacyFile(v, p, false); err != nil || im.Changed {
		t.Fatalf("re-import: %+v, %v", im, err)
	}
	if _, _, secret := secretOf(t, v, "max"); !strings.Contains(secret, rotated.RefreshToken) {
		t.Error("re-import of the unchanged file replaced the rotated tokens")
	}
}

// watch runs a DirWatcher over dir and returns a channel of its import results.
func watch(t *testing.T, v *Vault, dir string, logs *syncbuf.Buffer) <-chan Imported {
	t.Helper()
	w := NewDirWatcher(v, dir, testLogger(logs))
	ch := make(chan Imported, 16)
	var mu sync.Mutex
	w.OnImport = func(im Imported, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			im.Account = "error: " + err.Error()
		}
		ch <- im
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return ch
}

func waitImport(t *testing.T, ch <-chan Imported, within time.Duration) (Imported, time.Duration) {
	t.Helper()
	start := time.Now()
	select {
	case im := <-ch:
		return im, time.Since(start)
	case <-time.After(within):
		t.Fatalf("nothing imported within %s", within)
		return Imported{}, 0
	}
}

func TestDirWatcher(t *testing.T) {
	dir := t.TempDir()
	// A file already there is imported at start.
	writeFile(t, filepath.Join(dir, "first.credentials.json"), apiKeyFile(testKey("first"), ""), 0o600)
	kc := NewMemoryKeychain()
	v := openMem(t, kc)
	var logs syncbuf.Buffer
	ch := watch(t, v, dir, &logs)
	if im, _ := waitImport(t, ch, time.Second); im.Account != "first" || !im.Changed {
		t.Fatalf("at start: %+v", im)
	}

	// A new file is imported within a second.
	start := time.Now()
	writeFile(t, filepath.Join(dir, "host.credentials.json"), apiKeyFile(legacyAPIKey, legacyClientKey), 0o644)
	im, _ := waitImport(t, ch, time.Second)
	took := time.Since(start)
	if im.Account != "host" || !im.Changed {
		t.Fatalf("dropped file: %+v", im)
	}
	t.Logf("drop → imported in %s", took)
	if _, acct, ok := v.Authenticate(legacyClientKey); !ok || acct != "host" {
		t.Error("the dropped file's client key does not authenticate")
	}

	// Rewritten by rename (as editors save): re-imported with the new key.
	newKey := "sk-ant-api03-legacy-renamed-" + strings.Repeat("N", 30)
	tmp := filepath.Join(dir, ".host.credentials.json.tmp")
	writeFile(t, tmp, apiKeyFile(newKey, legacyClientKey), 0o600)
	if err := os.Rename(tmp, filepath.Join(dir, "host.credentials.json")); err != nil {
		t.Fatal(err)
	}
	im, _ = waitImport(t, ch, time.Second)
	if im.Account != "host" || !im.Changed {
		t.Fatalf("renamed file: %+v", im)
	}
	if _, _, secret := secretOf(t, v, "host"); secret != newKey {
		t.Error("the renamed file's key was not imported")
	}

	// A malformed file: an error logged, nothing stored.
	before := len(v.Accounts())
	writeFile(t, filepath.Join(dir, "broken.credentials.json"), `{"type":"api_key","api_key":"`+legacyAPIKey, 0o600)
	im, _ = waitImport(t, ch, time.Second)
	if !strings.HasPrefix(im.Account, "error: ") || !strings.Contains(im.Account, "broken.credentials.json") {
		t.Fatalf("malformed file: %+v", im)
	}
	if len(v.Accounts()) != before {
		t.Error("a malformed file added an account")
	}
	if _, err := kc.Get(accountItem("broken")); err != ErrNotFound {
		t.Error("a malformed file reached the keychain")
	}
	time.Sleep(50 * time.Millisecond)
	l := logs.String()
	if !strings.Contains(l, "broken.credentials.json") || !strings.Contains(l, "level=ERROR") {
		t.Errorf("the malformed file was not logged as an error:\n%s", l)
	}
	if !strings.Contains(l, "still holds the secret") || !strings.Contains(l, "group_or_world_readable=true") {
		t.Errorf("the plaintext warning was not logged:\n%s", l)
	}
	for _, s := range []string{legacyAPIKey, legacyClientKey, newKey, testKey("first")} {
		if strings.Contains(l, s) {
			t.Errorf("a secret reached the log:\n%s", l)
		}
	}
}

func TestRemoveDropsLegacyClientKey(t *testing.T) {
	dir := t.TempDir()
	kc := NewMemoryKeychain()
	v := openMem(t, kc)
	mustAdd(t, v, "main", testKey("main"))
	p := filepath.Join(dir, "host.credentials.json")
	writeFile(t, p, apiKeyFile(legacyAPIKey, legacyClientKey), 0o600)
	if _, err := ImportLegacyFile(v, p, false); err != nil {
		t.Fatal(err)
	}
	if err := v.Remove("host"); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := v.Authenticate(legacyClientKey); ok {
		t.Error("the removed account's legacy client key still authenticates (it would use the default account)")
	}
	if _, err := kc.Get(clientKeyItem("legacy:host")); err != ErrNotFound {
		t.Errorf("legacy client key item: %v, want deleted", err)
	}
}
