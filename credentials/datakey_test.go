package credentials

import (
	"bytes"
	"encoding/base64"
	"errors"
	"testing"
)

func TestDataKeyCreatesThenReuses(t *testing.T) {
	kc := NewMemoryKeychain()
	first, err := DataKey(kc)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 32 {
		t.Fatalf("key is %d bytes, want 32", len(first))
	}
	stored, err := kc.Get(itemDataKey)
	if err != nil {
		t.Fatalf("key not saved: %v", err)
	}
	if raw, _ := base64.StdEncoding.DecodeString(stored); !bytes.Equal(raw, first) {
		t.Fatal("saved key differs from the returned one")
	}
	again, err := DataKey(kc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, again) {
		t.Fatal("second call made a new key")
	}
	other, _ := DataKey(NewMemoryKeychain())
	if bytes.Equal(first, other) {
		t.Fatal("two keychains got the same key")
	}
}

func TestDataKeyCorruptItemIsAnErrorAndKept(t *testing.T) {
	for name, value := range map[string]string{
		"not base64": "not base64!",
		"too short":  base64.StdEncoding.EncodeToString(make([]byte, 16)),
		"too long":   base64.StdEncoding.EncodeToString(make([]byte, 33)),
		"empty":      "",
	} {
		t.Run(name, func(t *testing.T) {
			kc := NewMemoryKeychain()
			kc.Set(itemDataKey, value)
			if _, err := DataKey(kc); err == nil {
				t.Fatal("no error")
			}
			if got, _ := kc.Get(itemDataKey); got != value {
				t.Fatalf("item replaced by %q", got)
			}
		})
	}
}

// dataKeyKeychain fails as told (a locked or read-only keychain).
type dataKeyKeychain struct{ setErr, getErr error }

func (f dataKeyKeychain) Get(string) (string, error) { return "", f.getErr }
func (f dataKeyKeychain) Set(string, string) error   { return f.setErr }
func (f dataKeyKeychain) Delete(string) error        { return f.getErr }

func TestDataKeyUnavailableKeychain(t *testing.T) {
	for name, kc := range map[string]Keychain{
		"locked":       dataKeyKeychain{getErr: ErrUnavailable, setErr: ErrUnavailable},
		"read only":    dataKeyKeychain{getErr: ErrNotFound, setErr: ErrUnavailable},
		"lost on save": dataKeyKeychain{getErr: ErrNotFound},
	} {
		t.Run(name, func(t *testing.T) {
			key, err := DataKey(kc)
			if err == nil || key != nil {
				t.Fatalf("got a key (%v), want an error", err)
			}
			if name != "lost on save" && !errors.Is(err, ErrUnavailable) {
				t.Fatalf("error %v does not wrap ErrUnavailable", err)
			}
		})
	}
}

// A reader never makes the data key: without one it gets ErrNotFound and the keychain
// stays empty, so a command reading the store cannot save a key over the recorder's.
func TestReadDataKeyDoesNotCreate(t *testing.T) {
	kc := NewMemoryKeychain()
	if _, err := ReadDataKey(kc); !errors.Is(err, ErrNotFound) {
		t.Fatalf("ReadDataKey on an empty keychain: %v", err)
	}
	if _, err := kc.Get(itemDataKey); !errors.Is(err, ErrNotFound) {
		t.Fatal("ReadDataKey saved a key")
	}
	made, err := DataKey(kc)
	if err != nil {
		t.Fatal(err)
	}
	read, err := ReadDataKey(kc)
	if err != nil || string(read) != string(made) {
		t.Errorf("ReadDataKey after DataKey: %v", err)
	}
}
