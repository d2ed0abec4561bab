package credentials

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Imported is what importing one legacy file did. It holds no secret.
type Imported struct {
	Path      string
	Account   string
	Kind      Kind
	ClientKey string // id of the imported client key, "" if the file had none
	Changed   bool   // false when the account already held this file's content
	Mode      fs.FileMode
	Deleted   bool // the file was removed after the keychain write
}

// Readable reports whether the plaintext file can be read by its group or by others.
func (im Imported) Readable() bool { return im.Mode&0o044 != 0 }

// Warning tells the user the plaintext file is still there, or that it was deleted.
func (im Imported) Warning() string {
	if im.Deleted {
		return fmt.Sprintf("deleted the plaintext file %s after storing it in the keychain", im.Path)
	}
	who := "only you can read it"
	if im.Readable() {
		who = "other users on this machine can read it"
	}
	return fmt.Sprintf("the plaintext file %s (mode %04o: %s) still holds the secret: delete it now that the keychain has it (or import with --delete-after-import)",
		im.Path, im.Mode.Perm(), who)
}

// ImportLegacyFile reads, validates and imports the legacy credential file at path into v,
// deleting it afterwards when deleteAfter is set. Nothing is stored unless the whole file is
// valid.
func ImportLegacyFile(v *Vault, path string, deleteAfter bool) (Imported, error) {
	f, err := os.Open(path)
	if err != nil {
		return Imported{}, fmt.Errorf("reading legacy credential file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Imported{}, fmt.Errorf("reading legacy credential file: %w", err)
	}
	if !st.Mode().IsRegular() {
		return Imported{}, fmt.Errorf("legacy credential file %s is not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxLegacyFile+1))
	if err != nil {
		return Imported{}, fmt.Errorf("reading legacy credential file %s: %w", path, err)
	}
	a, err := ParseLegacyFile(filepath.Base(path), data)
	if err != nil {
		return Imported{}, fmt.Errorf("%v (in %s)", err, filepath.Dir(path))
	}
	im := Imported{Path: path, Account: a.Name, Kind: a.Kind, Mode: st.Mode()}
	if a.ClientKey != "" {
		im.ClientKey = LegacyClientKeyID(a.Name)
	}
	if im.Changed, err = v.ImportLegacy(a); err != nil {
		return im, err
	}
	if deleteAfter {
		if err := os.Remove(path); err != nil {
			return im, fmt.Errorf("imported account %q, but deleting %s failed: %w", a.Name, path, err)
		}
		im.Deleted = true
	}
	return im, nil
}

// LegacyFiles lists the legacy credential files directly in dir, sorted.
func LegacyFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading the credentials directory: %w", err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), LegacySuffix) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	return out, nil
}
