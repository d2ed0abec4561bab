package credentials

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// LegacySuffix ends the name of every Claude Nexus Proxy credential file.
const LegacySuffix = ".credentials.json"

// maxLegacyFile bounds what is read of a legacy file; real ones are well under 4 KiB.
const maxLegacyFile = 1 << 20

// LegacyAccount is a fully validated Claude Nexus Proxy credential file.
type LegacyAccount struct {
	Name      string       // from the file name
	Kind      Kind         // KindAPIKey or KindOAuth
	APIKey    string       // for KindAPIKey
	OAuth     *OAuthTokens // for KindOAuth
	ClientKey string       // "" when the file has none
	// Digest identifies the file's secrets, so that re-reading an unchanged file is a no-op.
	Digest string
}

// LegacyClientKeyID is the id of the client key imported with account name.
func LegacyClientKeyID(name string) string { return "legacy:" + name }

// legacyFile is the format of Claude Nexus Proxy's credentials/<name>.credentials.json.
type legacyFile struct {
	Type      string `json:"type"`
	AccountID string `json:"accountId"`
	APIKey    string `json:"api_key"`
	OAuth     *struct {
		AccessToken  string   `json:"accessToken"`
		RefreshToken string   `json:"refreshToken"`
		ExpiresAt    int64    `json:"expiresAt"`
		Scopes       []string `json:"scopes"`
		IsMax        bool     `json:"isMax"`
	} `json:"oauth"`
	ClientAPIKey string `json:"client_api_key"`
}

// LegacyName returns the account name of a legacy file name (a base name ending in
// LegacySuffix), validated.
func LegacyName(base string) (string, error) {
	name, ok := strings.CutSuffix(base, LegacySuffix)
	if !ok || name == "" {
		return "", fmt.Errorf("%q is not a legacy credential file (NAME%s)", base, LegacySuffix)
	}
	if err := ValidateName(name); err != nil {
		return "", fmt.Errorf("%q: %w", base, err)
	}
	return name, nil
}

// ParseLegacyFile parses and fully validates the content of legacy file base (its base name).
// It returns an account ready to store, or an error naming the file; errors never repeat a
// secret.
func ParseLegacyFile(base string, data []byte) (LegacyAccount, error) {
	name, err := LegacyName(base)
	if err != nil {
		return LegacyAccount{}, err
	}
	fail := func(format string, args ...any) (LegacyAccount, error) {
		return LegacyAccount{}, fmt.Errorf("legacy credential file %s: %s", base, fmt.Sprintf(format, args...))
	}
	if len(data) > maxLegacyFile {
		return fail("larger than %d bytes", maxLegacyFile)
	}
	var f legacyFile
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&f); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fail("field %q has the wrong type", te.Field)
		}
		// Not the decoder's message: a syntax error can quote a character of a secret.
		return fail("not valid JSON")
	}
	if dec.More() {
		return fail("more than one JSON value")
	}
	acct := LegacyAccount{Name: name}
	switch f.Type {
	case "api_key":
		key := strings.TrimSpace(f.APIKey)
		if err := validateAPIKey(key); err != nil {
			return fail("api_key: %v", err)
		}
		acct.Kind, acct.APIKey = KindAPIKey, key
	case "oauth":
		if f.OAuth == nil {
			return fail(`type is "oauth" but there is no "oauth" object`)
		}
		t := OAuthTokens{AccessToken: f.OAuth.AccessToken, RefreshToken: f.OAuth.RefreshToken,
			ExpiresAt: f.OAuth.ExpiresAt, Scopes: f.OAuth.Scopes}
		if err := t.validate(); err != nil {
			return fail("oauth: %v", err)
		}
		if t.Scopes == nil {
			t.Scopes = []string{}
		}
		acct.Kind, acct.OAuth = KindOAuth, &t
	case "":
		return fail(`no "type" (want "api_key" or "oauth")`)
	default:
		return fail(`unknown "type" (want "api_key" or "oauth")`)
	}
	if f.ClientAPIKey != "" {
		ck := f.ClientAPIKey
		if !strings.HasPrefix(ck, ClientKeyPrefix) || len(ck) < len(ClientKeyPrefix)+16 || !headerSafe(ck) {
			return fail("client_api_key does not look like a client key (cnp_live_ and at least 16 characters)")
		}
		acct.ClientKey = ck
	}
	h := sha256.New()
	for _, s := range []string{string(acct.Kind), acct.APIKey, acct.ClientKey} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	if acct.OAuth != nil {
		fmt.Fprintf(h, "%s\x00%s\x00%d\x00", acct.OAuth.AccessToken, acct.OAuth.RefreshToken, acct.OAuth.ExpiresAt)
	}
	acct.Digest = hex.EncodeToString(h.Sum(nil))
	return acct, nil
}

// secret is what the keychain item of the account holds.
func (a LegacyAccount) secret() (string, error) {
	if a.Kind == KindOAuth {
		b, err := json.Marshal(a.OAuth)
		return string(b), err
	}
	return a.APIKey, nil
}

// ImportLegacy stores account a and its client key (bound to it), unless the account was
// already imported from the same content. It reports whether it changed anything. All secrets
// are written before the index lists any of them, so that a failure leaves no partial account.
func (v *Vault) ImportLegacy(a LegacyAccount) (bool, error) {
	secret, err := a.secret()
	if err != nil {
		return false, err
	}
	masked := Mask(a.APIKey)
	var expires int64
	if a.OAuth != nil {
		masked, expires = Mask(a.OAuth.AccessToken), a.OAuth.ExpiresAt
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.reloadLocked(); err != nil {
		return false, err
	}
	idx := v.copyIndexLocked()
	keyID := LegacyClientKeyID(a.Name)
	if i := indexOfAccount(idx.Accounts, a.Name); i >= 0 && idx.Accounts[i].LegacyDigest == a.Digest {
		if _, ok := v.secrets[a.Name]; ok && (a.ClientKey == "" || v.hasKeyLocked(keyID, a.ClientKey)) {
			return false, nil
		}
	}
	if err := v.kc.Set(accountItem(a.Name), secret); err != nil {
		return false, fmt.Errorf("saving account %q: %w", a.Name, err)
	}
	if a.ClientKey != "" {
		if err := v.kc.Set(clientKeyItem(keyID), a.ClientKey); err != nil {
			return false, fmt.Errorf("saving client key %q: %w", keyID, err)
		}
	}
	now := v.now().UTC()
	acct := Account{Name: a.Name, Kind: a.Kind, Created: now, Masked: masked, ExpiresAt: expires, LegacyDigest: a.Digest}
	if i := indexOfAccount(idx.Accounts, a.Name); i >= 0 {
		idx.Accounts[i] = acct
	} else {
		idx.Accounts = append(idx.Accounts, acct)
	}
	if idx.Default == "" {
		idx.Default = a.Name
	}
	if a.ClientKey != "" {
		info := ClientKeyInfo{ID: keyID, Account: a.Name, Created: now, Masked: Mask(a.ClientKey)}
		replaced := false
		for i := range idx.ClientKeys {
			if idx.ClientKeys[i].ID == keyID {
				idx.ClientKeys[i], replaced = info, true
			}
		}
		if !replaced {
			idx.ClientKeys = append(idx.ClientKeys, info)
		}
	}
	if err := v.saveIndexLocked(idx); err != nil {
		return false, err
	}
	v.secrets[a.Name] = secret
	v.reloadKeysLocked()
	if a.ClientKey != "" {
		for i := range v.keys {
			if v.keys[i].id == keyID {
				v.keys[i].digest, v.keys[i].loaded = keyDigest(a.ClientKey), true
			}
		}
	}
	return true, nil
}

// hasKeyLocked reports whether client key id is loaded and equals key.
func (v *Vault) hasKeyLocked(id, key string) bool {
	for _, k := range v.keys {
		if k.id == id {
			return k.loaded && digestsEqual(k.digest, keyDigest(key))
		}
	}
	return false
}
