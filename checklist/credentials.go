package checklist

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// MaxCredentialAge is how old an API key or client key may grow before credential-age warns.
const MaxCredentialAge = 90 * 24 * time.Hour

// keychain checks that the OS keychain opens: every secret lives there and nowhere else.
func keychain(f Facts) Item {
	it := Item{ID: "keychain", Title: "Secrets are kept in the OS keychain"}
	if f.KeychainErr != "" {
		// The keychain's errors already say how to fix them.
		it.Status, it.Evidence = Fail, f.KeychainErr
		it.Fix = "make a Secret Service (gnome-keyring, KWallet) or the OS keychain available and unlocked"
		return it
	}
	it.Status = Pass
	it.Evidence = fmt.Sprintf("the OS keychain opened; %d account(s) stored", len(f.Accounts))
	return it
}

// legacyCredentialFiles looks at CREDENTIALS_DIR: plaintext *.credentials.json files there
// should be imported into the keychain and deleted; readable by others, they are a leak.
func legacyCredentialFiles(f Facts) Item {
	it := Item{ID: "legacy-credential-files", Title: "No plaintext credential files"}
	d := f.CredentialsDir
	switch {
	case d == nil:
		it.Status, it.Evidence = Pass, "CREDENTIALS_DIR is not set"
		return it
	case d.Err != "":
		it.Status, it.Evidence = Warn, fmt.Sprintf("cannot read CREDENTIALS_DIR %s: %s", d.Path, d.Err)
		it.Fix = "check the path in CREDENTIALS_DIR, or unset it"
		return it
	case !d.Exists:
		it.Status, it.Evidence = Pass, fmt.Sprintf("CREDENTIALS_DIR %s does not exist", d.Path)
		return it
	case len(d.Files) == 0:
		it.Status, it.Evidence = Pass, fmt.Sprintf("no *.credentials.json files in %s", d.Path)
		return it
	}
	var names, loose []string
	for _, file := range d.Files {
		names = append(names, baseName(file.Path))
		if file.Mode.Perm()&0o077 != 0 {
			loose = append(loose, fmt.Sprintf("%s (%04o)", baseName(file.Path), file.Mode.Perm()))
		}
	}
	it.Evidence = fmt.Sprintf("%d plaintext credential file(s) in %s: %s", len(names), d.Path, strings.Join(names, ", "))
	it.Status = Warn
	it.Fix = fmt.Sprintf("import them with `nexus credentials import %s --delete-after-import`", d.Path)
	if len(d.Imported) == len(d.Files) {
		it.Evidence += "; the keychain holds their content already"
		it.Fix = "delete them: `rm " + strings.Join(d.Imported, " ") + "`"
	} else if len(d.Imported) > 0 {
		it.Evidence += fmt.Sprintf("; the keychain holds %d of them already", len(d.Imported))
	}
	var chmods []string
	if perm := d.Mode.Perm(); perm&0o077 != 0 {
		it.Status = Fail
		it.Evidence += fmt.Sprintf("; the directory is %04o, want 0700", perm)
		chmods = append(chmods, fmt.Sprintf("chmod 700 %s", d.Path))
	}
	if len(loose) > 0 {
		it.Status = Fail
		it.Evidence += "; readable by other users: " + strings.Join(loose, ", ")
		chmods = append(chmods, fmt.Sprintf("chmod 600 %s/*.credentials.json", d.Path))
	}
	if len(chmods) > 0 {
		it.Fix = strings.Join(chmods, " && ") + "; then " + it.Fix + ", and rotate the secrets other users could read"
	}
	return it
}

// credentialAge warns about API keys and client keys older than MaxCredentialAge. OAuth
// accounts are left out: their tokens are refreshed.
func credentialAge(f Facts) Item {
	it := Item{ID: "credential-age", Title: fmt.Sprintf("Keys are rotated within %d days", int(MaxCredentialAge.Hours()/24))}
	var old []string
	for _, c := range append(append([]Credential(nil), f.Accounts...), f.ClientKeys...) {
		if c.Kind == "oauth" || c.Created.IsZero() {
			continue
		}
		if age := f.Now.Sub(c.Created); age > MaxCredentialAge {
			label := "account " + c.Name
			if c.Kind == "client_key" {
				label = "client key " + c.Name
			}
			old = append(old, fmt.Sprintf("%s (%d days)", label, int(age.Hours()/24)))
		}
	}
	if f.KeychainErr != "" {
		it.Status, it.Evidence = Warn, "the keychain did not open, so key ages are unknown"
		it.Fix = "see the keychain item"
		return it
	}
	if len(old) == 0 {
		it.Status = Pass
		it.Evidence = fmt.Sprintf("%d key(s) checked, none older than %d days", countKeys(f), int(MaxCredentialAge.Hours()/24))
		return it
	}
	sort.Strings(old)
	it.Status, it.Evidence = Warn, "older than 90 days: "+strings.Join(old, ", ")
	it.Fix = "rotate them: a new API key in the Anthropic Console and `nexus credentials add-key NAME`; " +
		"`nexus client-key rotate` for the client key"
	return it
}

func countKeys(f Facts) int {
	n := len(f.ClientKeys)
	for _, a := range f.Accounts {
		if a.Kind != "oauth" {
			n++
		}
	}
	return n
}

// baseName is filepath.Base for the slash-separated paths the caller gives.
func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}
