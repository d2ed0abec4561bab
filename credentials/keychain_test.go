package credentials

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// childEnv marks a re-run of this test binary that may replace go-keyring's provider.
const childEnv = "NEXUS_KEYRING_MOCK_CHILD"

// inMockChild reports whether the calling test runs in a child process, where it may call
// keyring.MockInit. go-keyring's mock replaces a package-level provider that cannot be put
// back, so a test that mocks it runs in a fresh copy of this binary, and the real-keychain
// test in this process never meets the mock. In the parent, inMockChild runs the child, fails
// t if the child fails, and returns false.
func inMockChild(t *testing.T) bool {
	t.Helper()
	if os.Getenv(childEnv) == t.Name() {
		// The mock never dials D-Bus, but SystemKeychain checks a session bus is configured.
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/nexus-mock-bus")
		return true
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), childEnv+"="+t.Name())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s in a child process: %v\n%s", t.Name(), err, out)
	}
	if !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("%s did not run in the child process:\n%s", t.Name(), out)
	}
	t.Logf("child process:\n%s", out)
	return false
}

func TestSystemKeychainMock(t *testing.T) {
	if !inMockChild(t) {
		return
	}
	keyring.MockInit()
	k := SystemKeychain{}

	if _, err := k.Get("missing"); err != ErrNotFound {
		t.Errorf("Get(missing) = %v, want exactly ErrNotFound", err)
	}
	if err := k.Delete("missing"); err != ErrNotFound {
		t.Errorf("Delete(missing) = %v, want exactly ErrNotFound", err)
	}
	if err := k.Set("item", "s3cret"); err != nil {
		t.Fatal(err)
	}
	if v, err := k.Get("item"); err != nil || v != "s3cret" {
		t.Errorf("Get(item) = %q, %v", v, err)
	}
	// Items live under the Nexus service name.
	if v, err := keyring.Get(Service, "item"); err != nil || v != "s3cret" {
		t.Errorf("keyring.Get(%q, item) = %q, %v", Service, v, err)
	}
	if err := k.Delete("item"); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Get("item"); err != ErrNotFound {
		t.Errorf("Get after Delete = %v, want ErrNotFound", err)
	}

	// A Vault through SystemKeychain on the mock.
	v, err := OpenVault(k)
	if err != nil {
		t.Fatal(err)
	}
	mustAdd(t, v, "work", testKey("w"))
	v2, err := OpenVault(k)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, s := secretOf(t, v2, "work"); s != testKey("w") {
		t.Errorf("secret through a new Vault = %q", s)
	}
}

func TestSystemKeychainMockErrors(t *testing.T) {
	if !inMockChild(t) {
		return
	}
	t.Run("not found", func(t *testing.T) {
		keyring.MockInitWithError(keyring.ErrNotFound)
		k := SystemKeychain{}
		if _, err := k.Get("x"); err != ErrNotFound {
			t.Errorf("Get = %v, want ErrNotFound", err)
		}
		if err := k.Delete("x"); err != ErrNotFound {
			t.Errorf("Delete = %v, want ErrNotFound", err)
		}
	})
	// The errors go-keyring returns when no usable Secret Service exists
	// (notes/wails-on-debian.md, section 6).
	for _, cause := range []string{
		"The name org.freedesktop.secrets was not provided by any .service files",
		"failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'",
		"dial unix /run/user/0/bus: connect: no such file or directory",
	} {
		t.Run(cause, func(t *testing.T) {
			keyring.MockInitWithError(errors.New(cause))
			k := SystemKeychain{}
			_, getErr := k.Get("x")
			for op, err := range map[string]error{"Get": getErr, "Set": k.Set("x", "y"), "Delete": k.Delete("x")} {
				if !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrNotFound) {
					t.Errorf("%s = %v, want ErrUnavailable", op, err)
					continue
				}
				if msg := err.Error(); !strings.Contains(msg, cause) || !strings.Contains(msg, "gnome-keyring") {
					t.Errorf("%s = %q, want the cause and how to fix it", op, msg)
				}
			}
			if _, err := OpenVault(k); !errors.Is(err, ErrUnavailable) {
				t.Errorf("OpenVault = %v, want ErrUnavailable", err)
			}
		})
	}
}

func TestSystemKeychainTimeout(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/nexus-test-bus")
	k := SystemKeychain{Timeout: 20 * time.Millisecond}
	release := make(chan struct{})
	defer close(release) // let the abandoned call end
	start := time.Now()
	err := k.call(func() error { <-release; return nil })
	elapsed := time.Since(start)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("call of a hanging keychain = %v, want ErrUnavailable", err)
	}
	if !strings.Contains(err.Error(), "did not answer within 20ms") || !strings.Contains(err.Error(), "locked") {
		t.Errorf("error %q should say it timed out, after how long, and suggest why", err)
	}
	if elapsed > 2*time.Second {
		t.Errorf("call took %s with a 20ms timeout", elapsed)
	}

	// An answer within the timeout is passed through, mapped.
	if err := k.call(func() error { return nil }); err != nil {
		t.Errorf("call of a quick success = %v", err)
	}
	if err := k.call(func() error { return keyring.ErrNotFound }); err != ErrNotFound {
		t.Errorf("call returning keyring.ErrNotFound = %v, want ErrNotFound", err)
	}
}

func TestSessionBusPresent(t *testing.T) {
	t.Run("no bus address, no bus socket", func(t *testing.T) {
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
		t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
		err := sessionBusPresent()
		if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "DBUS_SESSION_BUS_ADDRESS") {
			t.Fatalf("sessionBusPresent = %v, want ErrUnavailable naming DBUS_SESSION_BUS_ADDRESS", err)
		}
		// And no keychain call is attempted: the error comes back at once, before go-keyring
		// could spawn a stray dbus-daemon.
		var called bool
		if err := (SystemKeychain{}).call(func() error { called = true; return nil }); !errors.Is(err, ErrUnavailable) {
			t.Errorf("call = %v, want ErrUnavailable", err)
		}
		if called {
			t.Error("the keychain was called without a session bus")
		}
		if _, err := (SystemKeychain{}).Get("x"); !errors.Is(err, ErrUnavailable) {
			t.Errorf("Get = %v, want ErrUnavailable", err)
		}
	})
	t.Run("no bus address, no runtime dir", func(t *testing.T) {
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
		t.Setenv("XDG_RUNTIME_DIR", "")
		if err := sessionBusPresent(); !errors.Is(err, ErrUnavailable) {
			t.Errorf("sessionBusPresent = %v, want ErrUnavailable", err)
		}
	})
	t.Run("bus socket in the runtime dir", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "bus"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
		t.Setenv("XDG_RUNTIME_DIR", dir)
		if err := sessionBusPresent(); err != nil {
			t.Errorf("sessionBusPresent = %v", err)
		}
	})
	t.Run("bus address set", func(t *testing.T) {
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/1000/bus")
		t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
		if err := sessionBusPresent(); err != nil {
			t.Errorf("sessionBusPresent = %v", err)
		}
	})
}

// requireTestSession skips t unless it runs inside scripts/test-session.sh (a private D-Bus
// session with an unlocked gnome-keyring): never against the user's own keychain. In CI a
// skip would hide a missing test, so there it fails.
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

func TestSystemKeychainReal(t *testing.T) {
	requireTestSession(t)
	unique := fmt.Sprintf("%d-%d", os.Getpid(), time.Now().UnixNano())

	t.Run("items", func(t *testing.T) {
		k := SystemKeychain{}
		item := "test-item:" + unique
		t.Cleanup(func() { k.Delete(item) })
		if _, err := k.Get(item); err != ErrNotFound {
			t.Fatalf("Get of a new item = %v, want ErrNotFound", err)
		}
		secret := "sk-ant-api03-" + unique + " ünïcödé\nsecond line"
		if err := k.Set(item, secret); err != nil {
			t.Fatalf("Set: %v", err)
		}
		if v, err := k.Get(item); err != nil || v != secret {
			t.Fatalf("Get = %q, %v; want %q", v, err, secret)
		}
		if err := k.Set(item, "replaced"); err != nil {
			t.Fatalf("Set (replace): %v", err)
		}
		if v, err := k.Get(item); err != nil || v != "replaced" {
			t.Fatalf("Get after replace = %q, %v", v, err)
		}
		if err := k.Delete(item); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if _, err := k.Get(item); err != ErrNotFound {
			t.Errorf("Get after Delete = %v, want ErrNotFound", err)
		}
		if err := k.Delete(item); err != ErrNotFound {
			t.Errorf("Delete of a deleted item = %v, want ErrNotFound", err)
		}
	})

	t.Run("vault", func(t *testing.T) {
		// Its own service, so that the test neither sees nor changes the session's Nexus
		// accounts, which other packages' tests use at the same time.
		k := SystemKeychain{Service: Service + "-test-" + unique}
		t.Cleanup(func() {
			for _, item := range []string{itemIndex, accountItem("work"), clientKeyItem(MainClientKey)} {
				k.Delete(item)
			}
		})
		v, err := OpenVault(k)
		if err != nil {
			t.Fatalf("OpenVault: %v", err)
		}
		mustAdd(t, v, "work", testKey(unique))
		if _, err := v.EnsureClientKey(MainClientKey, ""); err != nil {
			t.Fatal(err)
		}
		clientKey, err := v.ClientKey(MainClientKey)
		if err != nil {
			t.Fatal(err)
		}

		reopened, err := OpenVault(k)
		if err != nil {
			t.Fatalf("OpenVault again: %v", err)
		}
		if name, _, s := secretOf(t, reopened, ""); name != "work" || s != testKey(unique) {
			t.Errorf("reopened Secret(\"\") = %q, %q", name, s)
		}
		if id, _, ok := reopened.Authenticate(clientKey); !ok || id != MainClientKey {
			t.Errorf("reopened Authenticate(client key) = %q, %v", id, ok)
		}
		if err := reopened.Remove("work"); err != nil {
			t.Fatalf("Remove: %v", err)
		}
		if _, err := k.Get(accountItem("work")); err != ErrNotFound {
			t.Errorf("the account's secret after Remove: %v, want ErrNotFound", err)
		}
		last, err := OpenVault(k)
		if err != nil {
			t.Fatal(err)
		}
		if as := last.Accounts(); len(as) != 0 {
			t.Errorf("accounts after Remove = %+v", as)
		}
	})
}
