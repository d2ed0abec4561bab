package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"nexus/credentials"
)

// requireTestSession skips t unless it runs inside scripts/test-session.sh (a private D-Bus
// session with an unlocked gnome-keyring): these commands use the OS keychain's Nexus service
// and would otherwise change the user's own accounts and client key. In CI a skip would hide
// a missing test, so there it fails.
func requireTestSession(t *testing.T) {
	t.Helper()
	if os.Getenv("NEXUS_TEST_SESSION") != "" && os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return
	}
	msg := "needs a real Secret Service: run inside scripts/test-session.sh (make test does)"
	if os.Getenv("CI") != "" {
		t.Fatal(msg + "; CI must run it")
	}
	t.Skip(msg)
}

var clientKeyLine = regexp.MustCompile(`^cnp_live_[A-Za-z0-9_-]{43}\n$`)

func TestCredentialCommandsReal(t *testing.T) {
	requireTestSession(t)
	isolate(t)
	unique := fmt.Sprintf("%d-%d", os.Getpid(), time.Now().UnixNano())
	a, b := "cli-test-a-"+unique, "cli-test-b-"+unique
	keyA := "sk-ant-api03-" + strings.Repeat("A", 30) + unique + "-tailA"
	keyB := "sk-ant-api03-" + strings.Repeat("B", 30) + unique + "-tailB"

	vault := func() *credentials.Vault {
		t.Helper()
		v, err := credentials.OpenVault(credentials.SystemKeychain{})
		if err != nil {
			t.Fatalf("OpenVault: %v", err)
		}
		return v
	}
	before := vault()
	hadDefault := before.DefaultAccount() != ""
	// Put the session's client key back afterwards, for the tests that share the session.
	oldClientKey, oldClientKeyErr := before.ClientKey(credentials.MainClientKey)
	t.Cleanup(func() {
		v, err := credentials.OpenVault(credentials.SystemKeychain{})
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		for _, name := range []string{a, b} {
			if err := v.Remove(name); err != nil && !errors.Is(err, credentials.ErrNoAccount) {
				t.Errorf("cleanup: removing %s: %v", name, err)
			}
		}
		if oldClientKeyErr == nil {
			if err := v.ImportClientKey(credentials.MainClientKey, "", oldClientKey); err != nil {
				t.Errorf("cleanup: restoring the client key: %v", err)
			}
		}
	})

	// add-key reads the key from stdin; nothing secret on stdout or stderr.
	for name, key := range map[string]string{a: keyA, b: keyB} {
		r := run(t, key+"\n", "credentials", "add-key", name)
		if r.code != 0 {
			t.Fatalf("add-key %s: exit %d, stderr %s", name, r.code, r.stderr)
		}
		if strings.Contains(r.stdout+r.stderr, key) {
			t.Errorf("add-key printed the key:\n%s%s", r.stdout, r.stderr)
		}
	}
	if r := run(t, "not-a-key\n", "credentials", "add-key", "cli-test-bad-"+unique); r.code != 1 {
		t.Errorf("add-key of a malformed key: exit %d, want 1", r.code)
	}
	if r := run(t, keyA+"\n", "credentials", "add-key", "has space"); r.code != 1 {
		t.Errorf("add-key with a bad name: exit %d, want 1", r.code)
	}
	if !hadDefault {
		if d := vault().DefaultAccount(); d != a && d != b {
			t.Errorf("default after the first add-key = %q, want one of ours", d)
		}
	}

	list := func() map[string]map[string]any {
		t.Helper()
		r := run(t, "", "credentials", "list", "--json")
		if r.code != 0 {
			t.Fatalf("list --json: exit %d, stderr %s", r.code, r.stderr)
		}
		for _, key := range []string{keyA, keyB} {
			if strings.Contains(r.stdout, key[12:len(key)-4]) {
				t.Fatalf("list --json shows a secret:\n%s", r.stdout)
			}
		}
		var doc struct {
			Accounts []map[string]any `json:"accounts"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatalf("list --json is not JSON: %v\n%s", err, r.stdout)
		}
		byName := map[string]map[string]any{}
		for _, acct := range doc.Accounts {
			for _, k := range []string{"name", "kind", "masked", "expires_at", "default"} {
				if _, ok := acct[k]; !ok {
					t.Errorf("account %v has no %q field", acct["name"], k)
				}
			}
			byName[acct["name"].(string)] = acct
		}
		return byName
	}

	if r := run(t, "", "credentials", "default", b); r.code != 0 {
		t.Fatalf("default %s: exit %d, stderr %s", b, r.code, r.stderr)
	}
	accts := list()
	for name, key := range map[string]string{a: keyA, b: keyB} {
		acct, ok := accts[name]
		if !ok {
			t.Fatalf("list --json lacks %s", name)
		}
		if acct["kind"] != "api_key" || acct["masked"] != credentials.Mask(key) || acct["expires_at"] != nil {
			t.Errorf("%s listed as %v", name, acct)
		}
	}
	if accts[a]["default"] != false || accts[b]["default"] != true {
		t.Errorf("default flags a=%v b=%v after `default b`", accts[a]["default"], accts[b]["default"])
	}
	if r := run(t, "", "credentials", "default", "cli-test-nobody-"+unique); r.code != 1 {
		t.Errorf("default of a missing account: exit %d, want 1", r.code)
	}

	// The table: a header, masked keys, no secret.
	r := run(t, "", "credentials", "list")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "NAME") || !strings.Contains(r.stdout, credentials.Mask(keyA)) {
		t.Errorf("list: exit %d, stdout:\n%s", r.code, r.stdout)
	}
	if strings.Contains(r.stdout, keyA[12:len(keyA)-4]) {
		t.Errorf("list shows a secret:\n%s", r.stdout)
	}

	// remove: the account goes, its secret with it.
	if r := run(t, "", "credentials", "remove", b); r.code != 0 {
		t.Fatalf("remove %s: exit %d, stderr %s", b, r.code, r.stderr)
	}
	accts = list()
	if _, ok := accts[b]; ok {
		t.Errorf("%s still listed after remove", b)
	}
	if _, ok := accts[a]; !ok {
		t.Errorf("%s gone after removing %s", a, b)
	}
	if !hadDefault && accts[a]["default"] != true {
		t.Errorf("%s is not the default after the default was removed", a)
	}
	if _, err := (credentials.SystemKeychain{}).Get("account:" + b); !errors.Is(err, credentials.ErrNotFound) {
		t.Errorf("the removed account's secret: %v, want ErrNotFound", err)
	}
	if r := run(t, "", "credentials", "remove", b); r.code != 1 {
		t.Errorf("remove of a removed account: exit %d, want 1", r.code)
	}

	// client-key show prints the key alone, the same each time.
	show := run(t, "", "client-key", "show")
	if show.code != 0 || !clientKeyLine.MatchString(show.stdout) {
		t.Fatalf("client-key show: exit %d, stdout %q, stderr %s", show.code, show.stdout, show.stderr)
	}
	if again := run(t, "", "client-key", "show"); again.stdout != show.stdout {
		t.Errorf("client-key show changed the key: %q → %q", show.stdout, again.stdout)
	}
	rot := run(t, "", "client-key", "rotate")
	if rot.code != 0 || !clientKeyLine.MatchString(rot.stdout) {
		t.Fatalf("client-key rotate: exit %d, stdout %q, stderr %s", rot.code, rot.stdout, rot.stderr)
	}
	if rot.stdout == show.stdout {
		t.Error("client-key rotate printed the old key")
	}
	if after := run(t, "", "client-key", "show"); after.stdout != rot.stdout {
		t.Errorf("client-key show after rotate = %q, want the rotated key %q", after.stdout, rot.stdout)
	}
	v := vault()
	if _, _, ok := v.Authenticate(strings.TrimSpace(show.stdout)); ok {
		t.Error("the rotated-away key still authenticates")
	}
	if id, _, ok := v.Authenticate(strings.TrimSpace(rot.stdout)); !ok || id != credentials.MainClientKey {
		t.Errorf("the new key: %q, %v", id, ok)
	}
}
