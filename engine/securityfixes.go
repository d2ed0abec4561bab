package engine

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"nexus/credentials"
	"nexus/store/sqlite"
)

// The one-click fixes of the security checklist that act on credentials and files. Each
// works on paths from the settings, never on a path a caller hands in, and reports what it
// changed in words for the user.

// RotateClientKey replaces the main client key: clients holding the old one get 401 from now
// on, until they are given the new one.
func (e *Engine) RotateClientKey() error {
	if err := e.vault.RotateClientKey(credentials.MainClientKey); err != nil {
		return fmt.Errorf("rotating the client key: %w", err)
	}
	e.changed()
	return nil
}

// TightenDataModes makes the data dir 0700 and the SQLite database and its journal files
// 0600, and says what it changed.
func (e *Engine) TightenDataModes() ([]string, error) {
	dir := e.set.DataDir
	targets := []struct {
		path string
		mode fs.FileMode
	}{{dir, 0o700}}
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		targets = append(targets, struct {
			path string
			mode fs.FileMode
		}{filepath.Join(dir, sqlite.FileName+suffix), 0o600})
	}
	var changed []string
	for _, t := range targets {
		c, err := tighten(t.path, t.mode)
		if err != nil {
			return changed, err
		}
		if c != "" {
			changed = append(changed, c)
		}
	}
	return changed, nil
}

// TightenCredentialFiles makes CREDENTIALS_DIR 0700 and its legacy credential files 0600.
func (e *Engine) TightenCredentialFiles() ([]string, error) {
	dir := e.set.CredentialsDir
	if dir == "" {
		return nil, errors.New("CREDENTIALS_DIR is not set")
	}
	var changed []string
	c, err := tighten(dir, 0o700)
	if err != nil {
		return nil, err
	}
	if c != "" {
		changed = append(changed, c)
	}
	files, err := credentials.LegacyFiles(dir)
	if err != nil {
		return changed, err
	}
	for _, f := range files {
		c, err := tighten(f, 0o600)
		if err != nil {
			return changed, err
		}
		if c != "" {
			changed = append(changed, c)
		}
	}
	return changed, nil
}

// tighten removes the group and other bits of path's mode (down to want), unless path is
// missing or a symbolic link; it returns what it changed, or "".
func tighten(path string, want fs.FileMode) (string, error) {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", nil
	case err != nil:
		return "", err
	case fi.Mode()&fs.ModeSymlink != 0:
		return "", fmt.Errorf("%s is a symbolic link: not changing it", path)
	}
	perm := fi.Mode().Perm()
	if perm&^want == 0 {
		return "", nil
	}
	if err := os.Chmod(path, perm&want); err != nil {
		return "", fmt.Errorf("securing %s: %w", path, err)
	}
	return fmt.Sprintf("%s %04o → %04o", path, perm, perm&want), nil
}

// ImportedCredentialFiles lists the legacy credential files in CREDENTIALS_DIR whose content
// the keychain holds already (imported, and unchanged since): deleting them loses nothing.
func (e *Engine) ImportedCredentialFiles() []string {
	dir := e.set.CredentialsDir
	if dir == "" || e.kcErr != nil {
		return nil
	}
	files, err := credentials.LegacyFiles(dir)
	if err != nil {
		return nil
	}
	return importedLegacyFiles(e.vault, files)
}

// importedLegacyFiles returns those of files whose account v holds, imported from the same
// content.
func importedLegacyFiles(v *credentials.Vault, files []string) []string {
	digests := map[string]string{}
	for _, a := range v.Accounts() {
		digests[a.Name] = a.LegacyDigest
	}
	var out []string
	for _, f := range files {
		a, err := readLegacy(f)
		if err != nil || a.Digest == "" || digests[a.Name] != a.Digest {
			continue
		}
		if _, _, _, err := v.Secret(a.Name); err != nil {
			continue
		}
		out = append(out, f)
	}
	return out
}

// DeleteImportedCredentialFiles deletes the files ImportedCredentialFiles lists and returns
// them.
func (e *Engine) DeleteImportedCredentialFiles() ([]string, error) {
	var deleted []string
	for _, f := range e.ImportedCredentialFiles() {
		if err := os.Remove(f); err != nil {
			return deleted, fmt.Errorf("deleting %s: %w", f, err)
		}
		deleted = append(deleted, f)
	}
	return deleted, nil
}

// readLegacy parses the regular file at path (not following a symbolic link).
func readLegacy(path string) (credentials.LegacyAccount, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return credentials.LegacyAccount{}, err
	}
	if !fi.Mode().IsRegular() {
		return credentials.LegacyAccount{}, fmt.Errorf("%s is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return credentials.LegacyAccount{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return credentials.LegacyAccount{}, err
	}
	return credentials.ParseLegacyFile(filepath.Base(path), data)
}
