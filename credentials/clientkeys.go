package credentials

import (
	"errors"
	"fmt"
)

// EnsureClientKey creates client key id (bound to account, "" for the default) when it does
// not exist yet, or when its keychain item has gone, and reports whether it did.
func (v *Vault) EnsureClientKey(id, account string) (bool, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.reloadLocked(); err != nil {
		return false, err
	}
	for _, k := range v.keys {
		if k.id == id {
			if k.loaded {
				return false, nil
			}
			account = k.account // recreated with its binding
		}
	}
	return true, v.putClientKeyLocked(id, account, NewClientKey())
}

// RotateClientKey replaces client key id with a new one; the old key stops working at once.
func (v *Vault) RotateClientKey(id string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.reloadLocked(); err != nil {
		return err
	}
	for _, k := range v.idx.ClientKeys {
		if k.ID == id {
			return v.putClientKeyLocked(id, k.Account, NewClientKey())
		}
	}
	return fmt.Errorf("no client key %q", id)
}

// ImportClientKey stores an existing key (from a legacy credential file) bound to account.
func (v *Vault) ImportClientKey(id, account, key string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.reloadLocked(); err != nil {
		return err
	}
	return v.putClientKeyLocked(id, account, key)
}

func (v *Vault) putClientKeyLocked(id, account, key string) error {
	if err := v.kc.Set(clientKeyItem(id), key); err != nil {
		return fmt.Errorf("saving client key %q: %w", id, err)
	}
	idx := v.copyIndexLocked()
	info := ClientKeyInfo{ID: id, Account: account, Created: v.now().UTC(), Masked: Mask(key)}
	replaced := false
	for i := range idx.ClientKeys {
		if idx.ClientKeys[i].ID == id {
			idx.ClientKeys[i], replaced = info, true
		}
	}
	if !replaced {
		idx.ClientKeys = append(idx.ClientKeys, info)
	}
	if err := v.saveIndexLocked(idx); err != nil {
		return err
	}
	v.reloadKeysLocked()
	// The new key's digest replaces the old one: the old key no longer authenticates.
	for i := range v.keys {
		if v.keys[i].id == id {
			v.keys[i].digest, v.keys[i].loaded = keyDigest(key), true
		}
	}
	return nil
}

// reloadKeysLocked rebuilds the client key table's bindings from the index, keeping digests.
func (v *Vault) reloadKeysLocked() {
	old := make(map[string]loadedKey, len(v.keys))
	for _, k := range v.keys {
		old[k.id] = k
	}
	keys := make([]loadedKey, 0, len(v.idx.ClientKeys))
	for _, k := range v.idx.ClientKeys {
		o := old[k.ID]
		keys = append(keys, loadedKey{id: k.ID, account: k.Account, digest: o.digest, loaded: o.loaded})
	}
	v.keys = keys
}

// ClientKey reads client key id from the keychain (for `nexus client-key show` and copying).
func (v *Vault) ClientKey(id string) (string, error) {
	s, err := v.kc.Get(clientKeyItem(id))
	if errors.Is(err, ErrNotFound) {
		return "", fmt.Errorf("no client key %q", id)
	}
	return s, err
}

// ClientKeyInfo returns client key id's description.
func (v *Vault) ClientKeyInfo(id string) (ClientKeyInfo, bool) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	for _, k := range v.idx.ClientKeys {
		if k.ID == id {
			return k, true
		}
	}
	return ClientKeyInfo{}, false
}

// Authenticate implements the proxy's ClientKeys: it compares presented with every client key
// in constant time and returns the matching key's id and account.
func (v *Vault) Authenticate(presented string) (id, account string, ok bool) {
	d := keyDigest(presented)
	v.mu.RLock()
	defer v.mu.RUnlock()
	for _, k := range v.keys {
		if digestsEqual(d, k.digest) && k.loaded && !ok {
			id, account, ok = k.id, k.account, true
		}
	}
	return id, account, ok
}
