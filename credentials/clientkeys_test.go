package credentials

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

func TestNewClientKeyFormat(t *testing.T) {
	format := regexp.MustCompile(`^cnp_live_[A-Za-z0-9_-]{43}$`)
	seen := map[string]bool{}
	for range 1000 {
		k := NewClientKey()
		if !format.MatchString(k) {
			t.Fatalf("NewClientKey() = %q, want cnp_live_ and 43 base64url characters", k)
		}
		if seen[k] {
			t.Fatalf("NewClientKey() repeated %q", k)
		}
		seen[k] = true
	}
}

func TestEnsureClientKeyCreatesOnce(t *testing.T) {
	v := openMem(t, NewMemoryKeychain())
	created, err := v.EnsureClientKey(MainClientKey, "")
	if err != nil || !created {
		t.Fatalf("first EnsureClientKey = %v, %v; want created", created, err)
	}
	first, err := v.ClientKey(MainClientKey)
	if err != nil {
		t.Fatal(err)
	}
	created, err = v.EnsureClientKey(MainClientKey, "")
	if err != nil || created {
		t.Fatalf("second EnsureClientKey = %v, %v; want not created", created, err)
	}
	if again, _ := v.ClientKey(MainClientKey); again != first {
		t.Errorf("EnsureClientKey changed an existing key: %q → %q", first, again)
	}
	info, ok := v.ClientKeyInfo(MainClientKey)
	if !ok || info.ID != MainClientKey || info.Account != "" || info.Masked != Mask(first) || info.Created.IsZero() {
		t.Errorf("ClientKeyInfo = %+v, %v", info, ok)
	}
	if _, err := v.ClientKey("nope"); err == nil {
		t.Error("ClientKey(nope) = nil error")
	}
	if _, ok := v.ClientKeyInfo("nope"); ok {
		t.Error("ClientKeyInfo(nope) found something")
	}
}

func TestAuthenticate(t *testing.T) {
	v := openMem(t, NewMemoryKeychain())
	mustAdd(t, v, "work", testKey("w"))
	mustAdd(t, v, "ci", testKey("c"))
	if _, err := v.EnsureClientKey(MainClientKey, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := v.EnsureClientKey("pipeline", "ci"); err != nil {
		t.Fatal(err)
	}
	main, _ := v.ClientKey(MainClientKey)
	pipeline, _ := v.ClientKey("pipeline")
	if main == pipeline {
		t.Fatal("two client keys are equal")
	}
	for _, tc := range []struct {
		presented   string
		id, account string
		ok          bool
	}{
		{main, MainClientKey, "", true},
		{pipeline, "pipeline", "ci", true},
		{"", "", "", false},
		{main + "x", "", "", false},
		{main[:len(main)-1], "", "", false},
		{NewClientKey(), "", "", false},
		{testKey("w"), "", "", false}, // an account's secret is not a client key
	} {
		id, account, ok := v.Authenticate(tc.presented)
		if id != tc.id || account != tc.account || ok != tc.ok {
			t.Errorf("Authenticate(%q) = %q, %q, %v; want %q, %q, %v", tc.presented, id, account, ok, tc.id, tc.account, tc.ok)
		}
	}
}

func TestRotateClientKey(t *testing.T) {
	v := openMem(t, NewMemoryKeychain())
	mustAdd(t, v, "ci", testKey("c"))
	if _, err := v.EnsureClientKey("pipeline", "ci"); err != nil {
		t.Fatal(err)
	}
	old, _ := v.ClientKey("pipeline")
	if err := v.RotateClientKey("pipeline"); err != nil {
		t.Fatal(err)
	}
	fresh, err := v.ClientKey("pipeline")
	if err != nil {
		t.Fatal(err)
	}
	if fresh == old {
		t.Fatal("RotateClientKey kept the key")
	}
	if _, _, ok := v.Authenticate(old); ok {
		t.Error("the old key still authenticates after RotateClientKey")
	}
	if id, account, ok := v.Authenticate(fresh); !ok || id != "pipeline" || account != "ci" {
		t.Errorf("Authenticate(new key) = %q, %q, %v; want pipeline bound to ci still", id, account, ok)
	}
	if info, _ := v.ClientKeyInfo("pipeline"); info.Masked != Mask(fresh) {
		t.Errorf("masked %q, want the new key's %q", info.Masked, Mask(fresh))
	}
	if err := v.RotateClientKey("nope"); err == nil {
		t.Error("RotateClientKey(nope) = nil error")
	}
}

// TestTwoVaultsSeeEachOther is how the CLI reaches a running app: both open the same
// keychain, and the app's Reload picks up what the CLI changed.
func TestTwoVaultsSeeEachOther(t *testing.T) {
	kc := NewMemoryKeychain()
	app := openMem(t, kc)
	cli := openMem(t, kc)
	reload := func() {
		t.Helper()
		if err := app.Reload(); err != nil {
			t.Fatalf("Reload: %v", err)
		}
	}

	// An account added by the CLI.
	mustAdd(t, cli, "work", testKey("w"))
	reload()
	if name, kind, secret := secretOf(t, app, ""); name != "work" || kind != KindAPIKey || secret != testKey("w") {
		t.Errorf("after Reload, Secret(\"\") = %q, %q, %q", name, kind, secret)
	}

	// A key replaced under the same name.
	mustAdd(t, cli, "work", testKey("w2"))
	reload()
	if _, _, secret := secretOf(t, app, "work"); secret != testKey("w2") {
		t.Errorf("after Reload, work's secret = %q, want the replaced key", secret)
	}

	// A change made by the app is not lost when the CLI, holding an older index, changes
	// something else: every change starts from the keychain's current index.
	mustAdd(t, app, "home", testKey("h"))
	mustAdd(t, cli, "ci", testKey("c"))
	reload()
	if got := len(app.Accounts()); got != 3 {
		t.Errorf("accounts = %+v, want work, home and ci", app.Accounts())
	}

	// The default chosen by the CLI.
	if err := cli.SetDefault("home"); err != nil {
		t.Fatal(err)
	}
	reload()
	if d := app.DefaultAccount(); d != "home" {
		t.Errorf("after Reload, default = %q, want home", d)
	}

	// A client key created by the app, rotated by the CLI.
	if _, err := app.EnsureClientKey(MainClientKey, ""); err != nil {
		t.Fatal(err)
	}
	old, _ := app.ClientKey(MainClientKey)
	if err := cli.RotateClientKey(MainClientKey); err != nil {
		t.Fatal(err)
	}
	fresh, _ := cli.ClientKey(MainClientKey)
	reload()
	if _, _, ok := app.Authenticate(old); ok {
		t.Error("after Reload, the rotated-away key still authenticates")
	}
	if id, _, ok := app.Authenticate(fresh); !ok || id != MainClientKey {
		t.Errorf("after Reload, the new key: %q, %v", id, ok)
	}

	// An account removed by the CLI.
	if err := cli.Remove("home"); err != nil {
		t.Fatal(err)
	}
	reload()
	if _, _, _, err := app.Secret("home"); !errors.Is(err, ErrNoAccount) {
		t.Errorf("after Reload, Secret(home) = %v, want ErrNoAccount", err)
	}
	if d := app.DefaultAccount(); d != "work" {
		t.Errorf("after Reload, default = %q, want work (the oldest left)", d)
	}
}

func TestReloadKeepsCacheUntilCalled(t *testing.T) {
	// The proxy's hot path reads memory only: a change elsewhere shows after Reload, not before.
	kc := NewMemoryKeychain()
	app := openMem(t, kc)
	cli := openMem(t, kc)
	mustAdd(t, cli, "work", testKey("w"))
	if _, _, _, err := app.Secret("work"); !errors.Is(err, ErrNoAccount) {
		t.Errorf("Secret before Reload = %v, want ErrNoAccount", err)
	}
	if err := app.Reload(); err != nil {
		t.Fatal(err)
	}
	secretOf(t, app, "work")
}

// An item deleted behind the index's back (in Seahorse, say) must not lock the user out of
// every other account, nor out of repairing it with the CLI.
func TestMissingAccountSecret(t *testing.T) {
	kc := NewMemoryKeychain()
	v := openMem(t, kc)
	mustAdd(t, v, "work", testKey("w"))
	mustAdd(t, v, "home", testKey("h"))
	if err := kc.Delete(accountItem("work")); err != nil {
		t.Fatal(err)
	}
	v2, err := OpenVault(kc)
	if err != nil {
		t.Fatalf("OpenVault with one secret missing: %v", err)
	}
	if _, _, s := secretOf(t, v2, "home"); s != testKey("h") {
		t.Errorf("home's secret = %q", s)
	}
	if got := len(v2.Accounts()); got != 2 {
		t.Errorf("Accounts() = %+v, want both listed", v2.Accounts())
	}
	_, _, secret, err := v2.Secret("work")
	if !errors.Is(err, ErrNotFound) || secret != "" || !strings.Contains(err.Error(), "work") {
		t.Errorf("Secret(work) = %q, %v; want an error wrapping ErrNotFound naming work", secret, err)
	}
	// Repair by adding the key again, or by removing the account.
	mustAdd(t, v2, "work", testKey("w2"))
	if _, _, s := secretOf(t, v2, "work"); s != testKey("w2") {
		t.Errorf("work's secret after adding it again = %q", s)
	}
	if err := kc.Delete(accountItem("work")); err != nil {
		t.Fatal(err)
	}
	if err := v2.Reload(); err != nil {
		t.Fatal(err)
	}
	if err := v2.Remove("work"); err != nil {
		t.Errorf("Remove of an account whose secret is missing: %v", err)
	}
}

func TestMissingClientKeyIsRecreated(t *testing.T) {
	kc := NewMemoryKeychain()
	v := openMem(t, kc)
	if _, err := v.EnsureClientKey(MainClientKey, ""); err != nil {
		t.Fatal(err)
	}
	old, _ := v.ClientKey(MainClientKey)
	if err := kc.Delete(clientKeyItem(MainClientKey)); err != nil {
		t.Fatal(err)
	}
	v2, err := OpenVault(kc)
	if err != nil {
		t.Fatalf("OpenVault with the client key missing: %v", err)
	}
	if _, _, ok := v2.Authenticate(old); ok {
		t.Error("a client key missing from the keychain still authenticates")
	}
	created, err := v2.EnsureClientKey(MainClientKey, "")
	if err != nil || !created {
		t.Fatalf("EnsureClientKey = %v, %v; want a new key created", created, err)
	}
	fresh, err := v2.ClientKey(MainClientKey)
	if err != nil {
		t.Fatal(err)
	}
	if id, _, ok := v2.Authenticate(fresh); !ok || id != MainClientKey {
		t.Errorf("Authenticate(recreated key) = %q, %v", id, ok)
	}
}

func TestReloadFailsWhenKeychainFails(t *testing.T) {
	kc := NewMemoryKeychain()
	v := openMem(t, kc)
	mustAdd(t, v, "work", testKey("w"))
	broken := getFails{kc}
	if _, err := OpenVault(broken); !errors.Is(err, ErrUnavailable) {
		t.Errorf("OpenVault on a failing keychain = %v, want ErrUnavailable", err)
	}
}

// getFails is a keychain that cannot be read.
type getFails struct{ *MemoryKeychain }

func (getFails) Get(string) (string, error) { return "", fmt.Errorf("%w: locked", ErrUnavailable) }

func TestReloadCorruptIndex(t *testing.T) {
	kc := NewMemoryKeychain()
	if err := kc.Set(itemIndex, "{not json"); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenVault(kc); err == nil {
		t.Error("OpenVault with a corrupt index = nil error")
	}
}
