// Package credentials keeps every secret in the OS keychain: upstream accounts (API keys and,
// later, OAuth tokens) and the client keys that clients present to the proxy. Nothing secret
// is ever written anywhere else.
package credentials

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/zalando/go-keyring"
)

// Service is the keychain service name all Nexus items live under.
const Service = "nexus-desktop"

// ErrNotFound means the keychain has no such item.
var ErrNotFound = errors.New("not in the keychain")

// ErrUnavailable means no usable keychain answered: no Secret Service, a locked collection, or
// a call that hung. Errors wrapping it say which, and how to fix it.
var ErrUnavailable = errors.New("keychain unavailable")

// Keychain stores secrets by item name.
type Keychain interface {
	// Get returns the secret of item, or ErrNotFound.
	Get(item string) (string, error)
	// Set creates or replaces item.
	Set(item, secret string) error
	// Delete removes item; a missing item is ErrNotFound.
	Delete(item string) error
}

// SystemKeychain is the OS keychain through go-keyring. Every call is raced against Timeout
// because a Secret Service can hang (a locked collection waiting for a prompt).
type SystemKeychain struct {
	Timeout time.Duration // default 3 s
	// Service is the keychain service the items live under; empty means Service. Tests set
	// their own so that they never meet the user's (or another test's) accounts.
	Service string
}

func (k SystemKeychain) service() string {
	if k.Service == "" {
		return Service
	}
	return k.Service
}

func (k SystemKeychain) Get(item string) (string, error) {
	var v string
	err := k.call(func() (err error) { v, err = keyring.Get(k.service(), item); return err })
	return v, err
}

func (k SystemKeychain) Set(item, secret string) error {
	return k.call(func() error { return keyring.Set(k.service(), item, secret) })
}

func (k SystemKeychain) Delete(item string) error {
	return k.call(func() error { return keyring.Delete(k.service(), item) })
}

func (k SystemKeychain) call(fn func() error) error {
	if err := sessionBusPresent(); err != nil {
		return err
	}
	timeout := k.Timeout
	if timeout <= 0 {
		timeout = 3 * time.Second
	}
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return mapKeyringError(err)
	case <-time.After(timeout):
		return fmt.Errorf("%w: the keychain did not answer within %s (is it locked, waiting for a password prompt?)", ErrUnavailable, timeout)
	}
}

// mapKeyringError turns go-keyring's errors into ours, with a fix the user can act on.
func mapKeyringError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return ErrNotFound
	}
	// Any other error means no usable Secret Service (see notes/wails-on-debian.md). The
	// causes are D-Bus and keyring messages; none of them contains a secret.
	return fmt.Errorf("%w: %v (on Linux, install and unlock a Secret Service such as gnome-keyring or KWallet)", ErrUnavailable, err)
}

// sessionBusPresent checks, on Linux, that a D-Bus session bus is configured before the
// Secret Service is called. Without one, godbus would start a stray dbus-daemon (and a locked
// keyring with it) through dbus-launch.
func sessionBusPresent() error {
	if runtime.GOOS != "linux" || os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return nil
	}
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "bus")); err == nil {
			return nil
		}
	}
	return fmt.Errorf("%w: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset); start Nexus inside your desktop session", ErrUnavailable)
}
