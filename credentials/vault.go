package credentials

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// MainClientKey is the id of the client key bound to the default account.
const MainClientKey = "main"

// Kind is how an account authenticates upstream. Stored; DO NOT change the values.
type Kind string

const (
	KindAPIKey Kind = "api_key"
	KindOAuth  Kind = "oauth"
)

// Account is an upstream account's non-secret description.
type Account struct {
	Name    string    `json:"name"`
	Kind    Kind      `json:"kind"`
	Created time.Time `json:"created"`
	// Masked is the recognisable part of the secret, saved with the account so listing never
	// reads a secret.
	Masked string `json:"masked"`
	// ExpiresAt is when an OAuth account's access token expires, in Unix milliseconds; 0 for
	// API keys.
	ExpiresAt int64 `json:"expires_at,omitempty"`
	// RefreshError is why the last OAuth refresh failed ("" after a success). Never a secret.
	RefreshError string `json:"refresh_error,omitempty"`
	// NeedsLogin is set when the token endpoint rejected the refresh token (invalid_grant):
	// only `nexus credentials login NAME` (or a new import) brings the account back.
	NeedsLogin bool `json:"needs_login,omitempty"`
	// LegacyDigest identifies the content of the legacy credential file the account was
	// imported from, so that an unchanged file is not imported again over refreshed tokens.
	LegacyDigest string `json:"legacy_digest,omitempty"`
}

// ClientKeyInfo describes a client key; the key itself is a separate keychain item.
type ClientKeyInfo struct {
	ID      string    `json:"id"`
	Account string    `json:"account"` // "" means the default account
	Created time.Time `json:"created"`
	Masked  string    `json:"masked"`
}

// index is the keychain item listing accounts and client keys. It holds no secret; it lives in
// the keychain so that the list and the secrets can never disagree across files.
type index struct {
	Accounts   []Account       `json:"accounts"`
	ClientKeys []ClientKeyInfo `json:"client_keys"`
	Default    string          `json:"default"`
}

// Keychain item names. Stored; DO NOT change.
const itemIndex = "index"

func accountItem(name string) string { return "account:" + name }
func clientKeyItem(id string) string { return "client-key:" + id }

// ErrNoAccount means no account applies (none added, or the named one does not exist).
var ErrNoAccount = errors.New("no such account")

// Vault is the set of accounts and client keys, backed by a Keychain and cached in memory so
// that the proxy's hot path never waits for the keychain.
type Vault struct {
	kc  Keychain
	now func() time.Time

	mu      sync.RWMutex      // guards the fields below
	idx     index             // as last saved
	secrets map[string]string // account name → secret
	keys    []loadedKey       // client keys, for Authenticate
	reloads int               // reloads so far; every fullReloadEvery-th rereads every item
	// unsaved holds refreshed OAuth tokens the keychain would not take (saveRefreshed):
	// the endpoint has already spent the refresh token the keychain holds, so these are the
	// only good ones. They are served from memory and saved again at each reload.
	unsaved map[string]unsavedTokens
}

// unsavedTokens is a refreshed OAuth secret waiting to be saved, and the index entry of its
// account when it was refreshed: when that entry changes (a new login), the keychain wins.
type unsavedTokens struct {
	secret string
	tokens OAuthTokens
	entry  Account
}

type loadedKey struct {
	id, account string
	digest      [32]byte
	// loaded is false when the index lists the key but the keychain has no such item: it
	// authenticates nothing, and EnsureClientKey makes a new one.
	loaded bool
}

// OpenVault loads the index, the client keys and the account secrets from kc. It fails with
// an error wrapping ErrUnavailable when the keychain cannot be used.
func OpenVault(kc Keychain) (*Vault, error) {
	v := &Vault{kc: kc, now: time.Now, secrets: map[string]string{}}
	if err := v.Reload(); err != nil {
		return nil, err
	}
	return v, nil
}

// Reload reads the index again and the secrets of accounts and client keys that are new or
// changed since the last read, so that changes made by another process (the CLI while the
// app runs) take effect. A rotated client key stops working here once Reload has run.
func (v *Vault) Reload() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.reloadLocked()
}

func (v *Vault) reloadLocked() error {
	var idx index
	raw, err := v.kc.Get(itemIndex)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal([]byte(raw), &idx); err != nil {
			return fmt.Errorf("reading the keychain's account index: %w", err)
		}
	}
	// Items whose index entry did not change are not read again, but every so often all are:
	// one deleted outside Nexus (another tool, a keychain reset) then stops working here too.
	full := v.reloads%fullReloadEvery == 0
	v.reloads++
	known := make(map[string]Account, len(v.idx.Accounts))
	for _, a := range v.idx.Accounts {
		if !full {
			known[a.Name] = a
		}
	}
	secrets := make(map[string]string, len(idx.Accounts))
	for _, a := range idx.Accounts {
		if old, ok := known[a.Name]; ok && old == a {
			if s, ok := v.secrets[a.Name]; ok {
				secrets[a.Name] = s
				continue
			}
		}
		s, err := v.kc.Get(accountItem(a.Name))
		if errors.Is(err, ErrNotFound) {
			// Deleted behind the index's back: the account stays listed, without a secret,
			// so that the others keep working and the user can add it again or remove it.
			continue
		}
		if err != nil {
			return fmt.Errorf("reading account %q from the keychain: %w", a.Name, err)
		}
		secrets[a.Name] = s
	}
	oldKeys := make(map[string]ClientKeyInfo, len(v.idx.ClientKeys))
	for _, k := range v.idx.ClientKeys {
		if !full {
			oldKeys[k.ID] = k
		}
	}
	loaded := make(map[string][32]byte, len(v.keys))
	for _, k := range v.keys {
		if k.loaded {
			loaded[k.id] = k.digest
		}
	}
	keys := make([]loadedKey, 0, len(idx.ClientKeys))
	for _, k := range idx.ClientKeys {
		lk := loadedKey{id: k.ID, account: k.Account}
		lk.digest, lk.loaded = loaded[k.ID]
		if old, known := oldKeys[k.ID]; !lk.loaded || !known || old != k {
			s, err := v.kc.Get(clientKeyItem(k.ID))
			switch {
			case errors.Is(err, ErrNotFound):
				lk.digest, lk.loaded = [32]byte{}, false
			case err != nil:
				return fmt.Errorf("reading client key %q from the keychain: %w", k.ID, err)
			default:
				lk.digest, lk.loaded = keyDigest(s), true
			}
		}
		keys = append(keys, lk)
	}
	v.idx, v.secrets, v.keys = idx, secrets, keys
	v.saveUnsavedLocked()
	return nil
}

// fullReloadEvery: one reload in this many rereads every item from the keychain (the
// engine reloads every 3 s, so an item deleted outside Nexus stops working within 30 s).
const fullReloadEvery = 10

func (v *Vault) saveIndexLocked(idx index) error {
	b, err := json.Marshal(idx)
	if err != nil {
		return err
	}
	if err := v.kc.Set(itemIndex, string(b)); err != nil {
		return fmt.Errorf("saving the account index: %w", err)
	}
	v.idx = idx
	return nil
}

func (v *Vault) copyIndexLocked() index {
	idx := v.idx
	idx.Accounts = append([]Account(nil), v.idx.Accounts...)
	idx.ClientKeys = append([]ClientKeyInfo(nil), v.idx.ClientKeys...)
	return idx
}

var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// ValidateName checks an account name: 1-64 letters, digits, '.', '_', '@' or '-', and not a
// key (names are listed in the clear).
func ValidateName(name string) error {
	if strings.HasPrefix(name, "sk-ant-") || strings.HasPrefix(name, ClientKeyPrefix) {
		// Not repeated in the message: it is a secret.
		return errors.New("the account name looks like a key: keys are read from stdin, never from the command line " +
			"(where other users can see them); if that was a real key, rotate it, as it is now in your shell history")
	}
	if !validName.MatchString(name) {
		return fmt.Errorf("account name %q: use 1-64 letters, digits, '.', '_', '@' or '-'", name)
	}
	return nil
}

// AddAPIKey stores an Anthropic API key as account name, replacing a previous secret of that
// name. The first account added becomes the default.
func (v *Vault) AddAPIKey(name, key string) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	key = strings.TrimSpace(key)
	if err := validateAPIKey(key); err != nil {
		return err
	}
	return v.addAccount(Account{Name: name, Kind: KindAPIKey, Created: v.now().UTC(), Masked: Mask(key)}, key)
}

// validateAPIKey checks that key looks like an Anthropic API key. Its errors never repeat
// the key.
func validateAPIKey(key string) error {
	if !strings.HasPrefix(key, "sk-ant-") || len(key) < 20 {
		return errors.New("that does not look like an Anthropic API key (they start with sk-ant-)")
	}
	if !headerSafe(key) {
		// A space, a line break or a control character inside means a bad paste (two keys,
		// a wrapped line); such a key could never be sent as a header.
		return errors.New("that does not look like an Anthropic API key: it contains spaces, line breaks or other characters keys never have")
	}
	return nil
}

// headerSafe reports whether s is made of printable ASCII without spaces, as every token
// sent in a header must be.
func headerSafe(s string) bool {
	for _, c := range []byte(s) {
		if c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

func (v *Vault) addAccount(a Account, secret string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.reloadLocked(); err != nil {
		return err
	}
	if err := v.kc.Set(accountItem(a.Name), secret); err != nil {
		return fmt.Errorf("saving account %q: %w", a.Name, err)
	}
	idx := v.copyIndexLocked()
	replaced := false
	for i := range idx.Accounts {
		if idx.Accounts[i].Name == a.Name {
			idx.Accounts[i], replaced = a, true
		}
	}
	if !replaced {
		idx.Accounts = append(idx.Accounts, a)
	}
	if idx.Default == "" {
		idx.Default = a.Name
	}
	if err := v.saveIndexLocked(idx); err != nil {
		return err
	}
	v.secrets[a.Name] = secret
	return nil
}

// Remove deletes account name and its secret. Client keys bound to it fall back to the
// default account; if it was the default, the oldest remaining account becomes the default.
func (v *Vault) Remove(name string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.reloadLocked(); err != nil {
		return err
	}
	idx := v.copyIndexLocked()
	i := indexOfAccount(idx.Accounts, name)
	if i < 0 {
		return fmt.Errorf("%w: %q", ErrNoAccount, name)
	}
	idx.Accounts = append(idx.Accounts[:i], idx.Accounts[i+1:]...)
	if idx.Default == name {
		idx.Default = ""
		if len(idx.Accounts) > 0 {
			idx.Default = idx.Accounts[0].Name
		}
	}
	// A client key imported with the account goes with it: it was that account's key, and
	// falling back to the default would hand the default account to whoever holds it.
	var dropped []string
	keys := idx.ClientKeys[:0]
	for _, k := range idx.ClientKeys {
		switch {
		case k.ID == LegacyClientKeyID(name):
			dropped = append(dropped, k.ID)
			continue
		case k.Account == name:
			k.Account = ""
		}
		keys = append(keys, k)
	}
	idx.ClientKeys = keys
	if err := v.saveIndexLocked(idx); err != nil {
		return err
	}
	for _, id := range dropped {
		if err := v.kc.Delete(clientKeyItem(id)); err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("deleting client key %q: %w", id, err)
		}
	}
	// The account is gone from the index: memory follows before the secret is deleted, so
	// that a failure there leaves only an unlisted item, not a Vault at odds with its index.
	delete(v.secrets, name)
	v.reloadKeysLocked()
	if err := v.kc.Delete(accountItem(name)); err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("deleting account %q's secret: %w", name, err)
	}
	return nil
}

// SetDefault makes name the default account.
func (v *Vault) SetDefault(name string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.reloadLocked(); err != nil {
		return err
	}
	idx := v.copyIndexLocked()
	if indexOfAccount(idx.Accounts, name) < 0 {
		return fmt.Errorf("%w: %q", ErrNoAccount, name)
	}
	idx.Default = name
	return v.saveIndexLocked(idx)
}

// AccountView is an account as listed: never a secret.
type AccountView struct {
	Account
	Default bool `json:"default"`
}

// Accounts lists the accounts by name.
func (v *Vault) Accounts() []AccountView {
	v.mu.RLock()
	defer v.mu.RUnlock()
	out := make([]AccountView, 0, len(v.idx.Accounts))
	for _, a := range v.idx.Accounts {
		out = append(out, AccountView{Account: a, Default: a.Name == v.idx.Default})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// DefaultAccount is the default account's name, or "".
func (v *Vault) DefaultAccount() string {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.idx.Default
}

// Secret returns the kind and secret of account, or of the default account when account is
// "". It returns ErrNoAccount when there is none, and an error wrapping ErrNotFound when the
// account is listed but its secret has gone from the keychain. It reads the in-memory cache
// only.
func (v *Vault) Secret(account string) (string, Kind, string, error) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	name := account
	if name == "" {
		name = v.idx.Default
	}
	i := indexOfAccount(v.idx.Accounts, name)
	if i < 0 {
		if account == "" {
			return "", "", "", ErrNoAccount
		}
		return "", "", "", fmt.Errorf("%w: %q", ErrNoAccount, account)
	}
	secret, ok := v.secrets[name]
	if !ok {
		return "", "", "", fmt.Errorf("account %q: its secret is %w (add it again, or remove the account)", name, ErrNotFound)
	}
	return name, v.idx.Accounts[i].Kind, secret, nil
}

func indexOfAccount(as []Account, name string) int {
	for i, a := range as {
		if a.Name == name {
			return i
		}
	}
	return -1
}
