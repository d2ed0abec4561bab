package credentials

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
)

// itemDataKey is the keychain item holding the body-encryption key, base64. Stored; DO NOT
// change: without this item every stored body is unreadable.
const itemDataKey = "data-key"

// dataKeySize is the length of the data key: an AES-256 key.
const dataKeySize = 32

// DataKey returns the 32-byte key stored bodies are encrypted with, creating it (crypto/rand)
// and saving it in kc when kc has none. A keychain that cannot be used gives an error
// wrapping ErrUnavailable, and callers then store metadata only: the key is never kept
// anywhere else. An item that is not a valid key is an error, never replaced: data sealed
// under the lost key would become unreadable without a word.
func DataKey(kc Keychain) ([]byte, error) {
	return dataKey(kc, true)
}

// ReadDataKey is DataKey for a reader: it never creates the key, and gives an error wrapping
// ErrNotFound when kc has none. Only the process that records bodies creates it, so that a
// command reading the store at the same moment cannot save a second key over the first.
func ReadDataKey(kc Keychain) ([]byte, error) {
	return dataKey(kc, false)
}

func dataKey(kc Keychain, create bool) ([]byte, error) {
	s, err := kc.Get(itemDataKey)
	if errors.Is(err, ErrNotFound) && create {
		key := make([]byte, dataKeySize)
		rand.Read(key)
		if err := kc.Set(itemDataKey, base64.StdEncoding.EncodeToString(key)); err != nil {
			return nil, fmt.Errorf("saving a new data key: %w", err)
		}
		// Read it back: when two processes create the key at once, the last one saved wins,
		// and both use it.
		s, err = kc.Get(itemDataKey)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the data key: %w", err)
	}
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(key) != dataKeySize {
		// Not repeated in the message: it may be a secret.
		return nil, fmt.Errorf("the keychain item %q of service %q is not a %d-byte base64 key; "+
			"it was not replaced, as bodies stored under it would become unreadable", itemDataKey, Service, dataKeySize)
	}
	return key, nil
}
