package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"nexus/checklist"
	"nexus/credentials"
)

func TestTightenDataModes(t *testing.T) {
	set := testSettings(t)
	e := openEngine(t, set, nil)
	db := filepath.Join(set.DataDir, "nexus.db")
	os.Chmod(set.DataDir, 0o755)
	os.Chmod(db, 0o664)
	changed, err := e.TightenDataModes()
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(changed, "; ")
	if !strings.Contains(got, set.DataDir+" 0755 → 0700") || !strings.Contains(got, db+" 0664 → 0600") {
		t.Errorf("changed %q", got)
	}
	expect(t, item(t, e.Facts(testCtx(t)), "data-file-modes"), checklist.Pass, "is 0700", "is 0600")
	if changed, err := e.TightenDataModes(); err != nil || len(changed) != 0 {
		t.Errorf("a second run changed %v, %v", changed, err)
	}
}

func TestTightenRefusesSymlinks(t *testing.T) {
	set := testSettings(t)
	set.CredentialsDir = filepath.Join(t.TempDir(), "credentials")
	os.Mkdir(set.CredentialsDir, 0o700)
	elsewhere := filepath.Join(t.TempDir(), "shared.txt")
	os.WriteFile(elsewhere, []byte("x"), 0o644)
	os.Chmod(elsewhere, 0o644)
	if err := os.Symlink(elsewhere, filepath.Join(set.CredentialsDir, "x.credentials.json")); err != nil {
		t.Fatal(err)
	}
	e := openEngine(t, set, nil)
	if _, err := e.TightenCredentialFiles(); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("tightening through a symbolic link: %v", err)
	}
	if fi, _ := os.Stat(elsewhere); fi.Mode().Perm() != 0o644 {
		t.Errorf("the link's target was changed: %v", fi.Mode())
	}
}

func TestDeleteImportedCredentialFilesKeepsWhatTheKeychainLacks(t *testing.T) {
	set := testSettings(t)
	set.CredentialsDir = filepath.Join(t.TempDir(), "credentials")
	os.Mkdir(set.CredentialsDir, 0o700)
	imported := legacyFile(t, set.CredentialsDir, "imported", 0o600)
	kc := credentials.NewMemoryKeychain()
	v, _ := credentials.OpenVault(kc)
	if _, err := credentials.ImportLegacyFile(v, imported, false); err != nil {
		t.Fatal(err)
	}
	// Not a valid file: nothing of it reaches the keychain, so it is not deleted.
	broken := filepath.Join(set.CredentialsDir, "broken.credentials.json")
	os.WriteFile(broken, []byte("{"), 0o600)

	e := openEngine(t, set, kc)
	// The engine's watcher imports what it can from the folder; wait for it to settle.
	deadline := time.Now().Add(5 * time.Second)
	for len(e.ImportedCredentialFiles()) < 1 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	deleted, err := e.DeleteImportedCredentialFiles()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range deleted {
		if p == broken {
			t.Errorf("deleted %s, which the keychain never held", p)
		}
	}
	if _, err := os.Stat(imported); !os.IsNotExist(err) {
		t.Errorf("%s was imported and should be gone: %v", imported, err)
	}
	if _, err := os.Stat(broken); err != nil {
		t.Errorf("%s is gone: %v", broken, err)
	}
}
