// Package checklist is Nexus's security checklist: pure checks over facts the caller gathers
// (settings, keychain, file modes), each giving a status, the evidence it saw and the fix.
package checklist

import (
	"io/fs"
	"time"
)

// Statuses of an Item. Part of `nexus check --json`; DO NOT change the values.
const (
	Pass = "pass"
	Warn = "warn"
	Fail = "fail"
)

// Item is one check's result. The json names are the `nexus check --json` contract.
type Item struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Status string `json:"status"` // Pass, Warn or Fail
	// Critical items make `nexus check` exit 1 when they fail.
	Critical bool   `json:"critical"`
	Evidence string `json:"evidence"`
	Fix      string `json:"fix"` // "" when there is nothing to do
}

// Facts is what the checks look at. The caller gathers them; nothing here reads the system.
// None of them is a secret.
type Facts struct {
	// Now is when the facts were gathered, for ages.
	Now time.Time

	ClientAuth bool   // settings.ClientAuth
	Host       string // the configured bind host; "" means 127.0.0.1 and ::1
	// HostLoopback says whether Host names the loopback interface.
	HostLoopback bool
	// DashboardKeySet says DASHBOARD_API_KEY is set (its value is never gathered).
	DashboardKeySet bool

	// KeychainErr is why the OS keychain could not be opened; "" when it opened.
	KeychainErr string
	// Accounts and ClientKeys are the credentials the keychain lists (when it opened).
	Accounts   []Credential
	ClientKeys []Credential

	// CredentialsDir is the legacy credential file directory (CREDENTIALS_DIR); nil when
	// unset.
	CredentialsDir *Dir

	// DataDir is the data directory; Database the SQLite file in it (nexus.db).
	DataDir  File
	Database File

	// DB describes DATABASE_URL without its secrets.
	DB Database

	// Upstream is the Anthropic API base URL the proxy forwards to.
	Upstream string
}

// Credential is a stored credential's non-secret description.
type Credential struct {
	Name    string
	Kind    string // "api_key", "oauth" or "client_key"
	Created time.Time
}

// File is a file or directory as os.Stat saw it.
type File struct {
	Path   string
	Exists bool
	Mode   fs.FileMode // permission bits (and type)
	// Err is why it could not be read when it exists but Stat failed otherwise; "" if fine.
	Err string
}

// Dir is a directory and the files in it that matter to a check.
type Dir struct {
	File
	Files []File
}

// Database is DATABASE_URL reduced to what the TLS check needs: never the URL itself, which
// may hold a password.
type Database struct {
	// Set is false for the embedded SQLite store.
	Set bool
	// Postgres is true for a postgres:// or postgresql:// URL.
	Postgres bool
	// Hosts are the server hosts (without ports); none means the default Unix socket.
	Hosts []string
	// SSLMode is the URL's sslmode parameter, "" when absent (the driver then uses prefer).
	SSLMode string
}

// Run runs every check over f, in a stable order.
func Run(f Facts) []Item {
	return []Item{
		clientAuth(f),
		loopbackOnly(f),
		dashboardExposure(f),
		keychain(f),
		legacyCredentialFiles(f),
		dataFileModes(f),
		databaseTLS(f),
		upstreamTLS(f),
		credentialAge(f),
	}
}

// CriticalFailed reports whether any critical item failed: `nexus check` then exits 1.
func CriticalFailed(items []Item) bool {
	for _, it := range items {
		if it.Critical && it.Status == Fail {
			return true
		}
	}
	return false
}
