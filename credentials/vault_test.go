package credentials

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// testKey returns a well-formed, recognisable, fake Anthropic API key.
func testKey(tag string) string {
	return "sk-ant-api03-" + tag + "-" + strings.Repeat("Q", 40) + "-END" + tag
}

func openMem(t *testing.T, kc Keychain) *Vault {
	t.Helper()
	v, err := OpenVault(kc)
	if err != nil {
		t.Fatalf("OpenVault: %v", err)
	}
	return v
}

func mustAdd(t *testing.T, v *Vault, name, key string) {
	t.Helper()
	if err := v.AddAPIKey(name, key); err != nil {
		t.Fatalf("AddAPIKey(%q): %v", name, err)
	}
}

// secretOf returns account's secret through Secret, failing the test on an error.
func secretOf(t *testing.T, v *Vault, account string) (string, Kind, string) {
	t.Helper()
	name, kind, secret, err := v.Secret(account)
	if err != nil {
		t.Fatalf("Secret(%q): %v", account, err)
	}
	return name, kind, secret
}

func TestOpenVaultEmpty(t *testing.T) {
	v := openMem(t, NewMemoryKeychain())
	if as := v.Accounts(); len(as) != 0 {
		t.Errorf("Accounts() = %v, want none", as)
	}
	if d := v.DefaultAccount(); d != "" {
		t.Errorf("DefaultAccount() = %q, want none", d)
	}
}

func TestAddAPIKeyValidatesName(t *testing.T) {
	for _, name := range []string{"", " ", "my work", "a/b", "../x", "a\\b", "-lead", ".hidden", "a\nb", "é", strings.Repeat("a", 65)} {
		kc := NewMemoryKeychain()
		v := openMem(t, kc)
		if err := v.AddAPIKey(name, testKey("a")); err == nil {
			t.Errorf("AddAPIKey(%q) = nil, want a name error", name)
		}
		if len(v.Accounts()) != 0 || len(kc.items) != 0 {
			t.Errorf("AddAPIKey(%q) was refused but stored something: %v", name, v.Accounts())
		}
	}
	for _, name := range []string{"a", "work", "me@example.com", "team.ci_2-b", strings.Repeat("a", 64)} {
		v := openMem(t, NewMemoryKeychain())
		if err := v.AddAPIKey(name, testKey("a")); err != nil {
			t.Errorf("AddAPIKey(%q) = %v", name, err)
		}
	}
}

func TestAddAPIKeyValidatesKey(t *testing.T) {
	for name, key := range map[string]string{
		"empty":           "",
		"OpenAI key":      "sk-proj-" + strings.Repeat("a", 40),
		"no sk- prefix":   "ant-api03-" + strings.Repeat("a", 40),
		"upper case":      "SK-ANT-API03-" + strings.Repeat("a", 40),
		"prefix only":     "sk-ant-",
		"too short":       "sk-ant-abc",
		"client key":      NewClientKey(),
		"inner space":     "sk-ant-api03-" + strings.Repeat("a", 20) + " " + strings.Repeat("b", 20),
		"inner newline":   "sk-ant-api03-" + strings.Repeat("a", 20) + "\n" + strings.Repeat("b", 20),
		"control char":    "sk-ant-api03-" + strings.Repeat("a", 20) + "\x00" + strings.Repeat("b", 20),
		"non-ASCII":       "sk-ant-api03-" + strings.Repeat("a", 20) + "é" + strings.Repeat("b", 20),
		"two keys pasted": testKey("a") + "\t" + testKey("b"),
	} {
		kc := NewMemoryKeychain()
		v := openMem(t, kc)
		err := v.AddAPIKey("work", key)
		if err == nil {
			t.Errorf("%s: AddAPIKey accepted %q", name, key)
			continue
		}
		if len(key) > 12 && strings.Contains(err.Error(), key) {
			t.Errorf("%s: the error repeats the key: %v", name, err)
		}
		if len(v.Accounts()) != 0 || len(kc.items) != 0 {
			t.Errorf("%s: refused key but stored something", name)
		}
	}
}

func TestAddAPIKeyTrimsSurroundingSpace(t *testing.T) {
	v := openMem(t, NewMemoryKeychain())
	key := testKey("a")
	mustAdd(t, v, "work", "  "+key+"\r\n")
	if _, _, s := secretOf(t, v, "work"); s != key {
		t.Errorf("secret = %q, want %q", s, key)
	}
}

func TestFirstAccountIsDefault(t *testing.T) {
	v := openMem(t, NewMemoryKeychain())
	mustAdd(t, v, "work", testKey("w"))
	mustAdd(t, v, "home", testKey("h"))
	if d := v.DefaultAccount(); d != "work" {
		t.Fatalf("DefaultAccount() = %q, want the first account, work", d)
	}
	name, kind, secret := secretOf(t, v, "")
	if name != "work" || kind != KindAPIKey || secret != testKey("w") {
		t.Errorf("Secret(\"\") = %q, %q, %q; want work's", name, kind, secret)
	}
	as := v.Accounts()
	if len(as) != 2 || as[0].Name != "home" || as[1].Name != "work" {
		t.Fatalf("Accounts() = %+v, want home and work by name", as)
	}
	if as[0].Default || !as[1].Default {
		t.Errorf("Default flags = %v, %v; want only work", as[0].Default, as[1].Default)
	}
	if as[1].Kind != KindAPIKey || as[1].Masked != Mask(testKey("w")) || as[1].Created.IsZero() {
		t.Errorf("work = %+v", as[1])
	}
}

func TestSetDefault(t *testing.T) {
	v := openMem(t, NewMemoryKeychain())
	mustAdd(t, v, "work", testKey("w"))
	mustAdd(t, v, "home", testKey("h"))
	if err := v.SetDefault("home"); err != nil {
		t.Fatal(err)
	}
	if name, _, secret := secretOf(t, v, ""); name != "home" || secret != testKey("h") {
		t.Errorf("Secret(\"\") = %q, %q after SetDefault(home)", name, secret)
	}
	err := v.SetDefault("nobody")
	if !errors.Is(err, ErrNoAccount) || !strings.Contains(err.Error(), "nobody") {
		t.Errorf("SetDefault(nobody) = %v, want ErrNoAccount naming it", err)
	}
	if d := v.DefaultAccount(); d != "home" {
		t.Errorf("a failed SetDefault changed the default to %q", d)
	}
}

func TestAddAPIKeyReplacesSecret(t *testing.T) {
	v := openMem(t, NewMemoryKeychain())
	mustAdd(t, v, "work", testKey("old"))
	mustAdd(t, v, "home", testKey("h"))
	mustAdd(t, v, "work", testKey("new"))
	if as := v.Accounts(); len(as) != 2 {
		t.Errorf("Accounts() = %+v, want 2", as)
	}
	if _, _, s := secretOf(t, v, "work"); s != testKey("new") {
		t.Errorf("secret = %q, want the new key", s)
	}
	if d := v.DefaultAccount(); d != "work" {
		t.Errorf("default = %q, want work still", d)
	}
}

func TestSecretErrors(t *testing.T) {
	v := openMem(t, NewMemoryKeychain())
	if _, _, _, err := v.Secret(""); !errors.Is(err, ErrNoAccount) {
		t.Errorf("Secret(\"\") with no accounts = %v, want ErrNoAccount", err)
	}
	mustAdd(t, v, "work", testKey("w"))
	_, _, secret, err := v.Secret("nobody")
	if !errors.Is(err, ErrNoAccount) || !strings.Contains(err.Error(), "nobody") {
		t.Errorf("Secret(nobody) = %v, want ErrNoAccount naming it", err)
	}
	if secret != "" {
		t.Errorf("Secret(nobody) returned a secret %q", secret)
	}
}

func TestRemove(t *testing.T) {
	kc := NewMemoryKeychain()
	v := openMem(t, kc)
	// Added in this order; by name they sort differently, so "oldest" is not "first by name".
	mustAdd(t, v, "zed", testKey("z"))
	mustAdd(t, v, "alpha", testKey("a"))
	mustAdd(t, v, "mid", testKey("m"))
	if err := v.SetDefault("mid"); err != nil {
		t.Fatal(err)
	}
	ciKey := NewClientKey()
	if err := v.ImportClientKey("ci", "mid", ciKey); err != nil {
		t.Fatal(err)
	}
	if id, acct, ok := v.Authenticate(ciKey); !ok || id != "ci" || acct != "mid" {
		t.Fatalf("Authenticate(ci) = %q, %q, %v", id, acct, ok)
	}

	if err := v.Remove("mid"); err != nil {
		t.Fatalf("Remove(mid): %v", err)
	}
	if d := v.DefaultAccount(); d != "zed" {
		t.Errorf("default after removing it = %q, want the oldest remaining, zed", d)
	}
	if _, err := kc.Get(accountItem("mid")); !errors.Is(err, ErrNotFound) {
		t.Errorf("mid's secret is still in the keychain: %v", err)
	}
	if _, _, _, err := v.Secret("mid"); !errors.Is(err, ErrNoAccount) {
		t.Errorf("Secret(mid) after Remove = %v", err)
	}
	// The client key bound to mid now uses the default account.
	if id, acct, ok := v.Authenticate(ciKey); !ok || id != "ci" || acct != "" {
		t.Errorf("Authenticate(ci) after Remove(mid) = %q, %q, %v; want ci bound to the default", id, acct, ok)
	}
	if info, _ := v.ClientKeyInfo("ci"); info.Account != "" {
		t.Errorf("ClientKeyInfo(ci).Account = %q, want \"\"", info.Account)
	}

	if err := v.Remove("alpha"); err != nil { // not the default: the default stays
		t.Fatal(err)
	}
	if d := v.DefaultAccount(); d != "zed" {
		t.Errorf("default = %q after removing another account", d)
	}
	if err := v.Remove("zed"); err != nil {
		t.Fatal(err)
	}
	if d := v.DefaultAccount(); d != "" {
		t.Errorf("default = %q with no accounts left", d)
	}
	if _, _, _, err := v.Secret(""); !errors.Is(err, ErrNoAccount) {
		t.Errorf("Secret(\"\") with no accounts left = %v", err)
	}
	if err := v.Remove("zed"); !errors.Is(err, ErrNoAccount) {
		t.Errorf("Remove of a missing account = %v, want ErrNoAccount", err)
	}
}

// deleteFails is a keychain whose Delete always fails, as a Secret Service can.
type deleteFails struct{ *MemoryKeychain }

func (deleteFails) Delete(string) error { return errors.New("the keychain is locked") }

func TestRemoveWithFailingDeleteKeepsMemoryConsistent(t *testing.T) {
	kc := deleteFails{NewMemoryKeychain()}
	v := openMem(t, kc)
	mustAdd(t, v, "work", testKey("w"))
	mustAdd(t, v, "ci", testKey("c"))
	key := NewClientKey()
	if err := v.ImportClientKey("ci", "ci", key); err != nil {
		t.Fatal(err)
	}
	if err := v.Remove("ci"); err == nil {
		t.Error("Remove = nil though the secret could not be deleted")
	}
	// The index no longer lists the account, so neither may the in-memory state: what this
	// Vault answers must match what a fresh one would.
	fresh := openMem(t, kc)
	for _, vv := range []*Vault{v, fresh} {
		if _, _, _, err := vv.Secret("ci"); !errors.Is(err, ErrNoAccount) {
			t.Errorf("Secret(ci) = %v, want ErrNoAccount", err)
		}
		if _, acct, ok := vv.Authenticate(key); !ok || acct != "" {
			t.Errorf("Authenticate = %q, %v; want the key bound to the default account", acct, ok)
		}
	}
}

func TestAccountsNeverHoldSecrets(t *testing.T) {
	kc := NewMemoryKeychain()
	v := openMem(t, kc)
	keys := map[string]string{"work": testKey("w"), "home": testKey("h")}
	for name, key := range keys {
		mustAdd(t, v, name, key)
	}
	if _, err := v.EnsureClientKey(MainClientKey, ""); err != nil {
		t.Fatal(err)
	}
	clientKey, err := v.ClientKey(MainClientKey)
	if err != nil {
		t.Fatal(err)
	}
	listed, err := json.Marshal(v.Accounts())
	if err != nil {
		t.Fatal(err)
	}
	info, _ := v.ClientKeyInfo(MainClientKey)
	infoJSON, err := json.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	index, err := kc.Get(itemIndex)
	if err != nil {
		t.Fatal(err)
	}
	for what, text := range map[string]string{"Accounts()": string(listed), "ClientKeyInfo": string(infoJSON), "the index item": index} {
		for _, secret := range []string{keys["work"], keys["home"], clientKey} {
			// The middle of a secret is what Mask never shows.
			middle := secret[12 : len(secret)-4]
			if strings.Contains(text, middle) {
				t.Errorf("%s holds a secret: %s", what, text)
			}
		}
	}
}

func TestMask(t *testing.T) {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
	for n := 0; n <= 200; n++ {
		secret := strings.Repeat(alphabet, 4)[:n]
		m := Mask(secret)
		head, tail, ok := strings.Cut(m, "…")
		if !ok {
			t.Fatalf("Mask(len %d) = %q: no ellipsis", n, m)
		}
		if !strings.HasPrefix(secret, head) || !strings.HasSuffix(secret, tail) {
			t.Fatalf("Mask(len %d) = %q is not a prefix … suffix of the secret", n, m)
		}
		if len(head) > 12 || len(tail) > 4 {
			t.Errorf("Mask(len %d) = %q reveals more than 12 leading and 4 trailing characters", n, m)
		}
		// Never enough to use: at least two thirds of the secret stays hidden.
		if revealed := len(head) + len(tail); revealed*3 > n {
			t.Errorf("Mask(len %d) = %q reveals %d of %d characters", n, m, revealed, n)
		}
	}
	for _, short := range []string{"", "a", "password", "hunter2hunter", "sk-ant-12345678"} {
		if m := Mask(short); m != "…" {
			t.Errorf("Mask(%q) = %q, want it masked fully", short, m)
		}
	}
	key := "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH-WXYZ"
	if m := Mask(key); m != "sk-ant-api03…WXYZ" {
		t.Errorf("Mask(API key) = %q, want sk-ant-api03…WXYZ", m)
	}
}

func TestValidateNameRefusesKeys(t *testing.T) {
	for _, name := range []string{"sk-ant-api03-" + strings.Repeat("k", 40), NewClientKey()} {
		err := ValidateName(name)
		if err == nil {
			t.Errorf("ValidateName accepted the key %q as a name", name)
			continue
		}
		if strings.Contains(err.Error(), name) {
			t.Errorf("the error repeats the key: %v", err)
		}
		if !strings.Contains(err.Error(), "stdin") {
			t.Errorf("the error should say keys come from stdin: %v", err)
		}
	}
	if err := ValidateName("sk-ant"); err != nil { // a name, not a key
		t.Errorf("ValidateName(sk-ant) = %v", err)
	}
}

// An account or client key deleted from the keychain outside Nexus stops working within
// fullReloadEvery reloads (30 s in a running engine), not only after a restart.
func TestItemsDeletedOutsideNexusStopWorking(t *testing.T) {
	kc := NewMemoryKeychain()
	v := openMem(t, kc)
	if err := v.AddAPIKey("work", "sk-ant-api03-0123456789abcdefghij"); err != nil {
		t.Fatal(err)
	}
	if _, err := v.EnsureClientKey(MainClientKey, ""); err != nil {
		t.Fatal(err)
	}
	key, err := v.ClientKey(MainClientKey)
	if err != nil {
		t.Fatal(err)
	}
	kc.Delete(accountItem("work"))
	kc.Delete(clientKeyItem(MainClientKey))
	for range fullReloadEvery {
		if err := v.Reload(); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, _, err := v.Secret("work"); err == nil {
		t.Error("the deleted account's secret is still served")
	}
	if _, _, ok := v.Authenticate(key); ok {
		t.Error("the deleted client key still authenticates")
	}
}
