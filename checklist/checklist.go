// Package checklist is Nexus's security checklist: pure checks over facts the caller gathers
// (settings, keychain, file modes, listening sockets, recorded traffic), each giving a status,
// the evidence it saw and the fix.
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
	// Now is when the facts were gathered, for ages and time windows.
	Now time.Time

	ClientAuth bool   // settings.ClientAuth
	Host       string // the configured bind host; "" means 127.0.0.1 and ::1
	// HostLoopback says whether Host names the loopback interface.
	HostLoopback bool
	// Sockets are the listening TCP sockets the OS reports (see Sockets.Scope for whose).
	Sockets Sockets
	// DashboardKeySet says DASHBOARD_API_KEY is set (its value is never gathered).
	DashboardKeySet bool
	// Probes are unauthenticated GETs of the UI paths on the listeners in Sockets.
	Probes []Probe

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

	// DB describes DATABASE_URL without its secrets; DBPrivileges what the server says about
	// the app's role (PostgreSQL only).
	DB           Database
	DBPrivileges DBPrivileges

	// Bodies says how request and response bodies are kept.
	Bodies Bodies

	// Traffic is what the recorded requests show.
	Traffic Traffic

	// Upstream is the Anthropic API base URL the proxy forwards to.
	Upstream string
}

// Credential is a stored credential's non-secret description.
type Credential struct {
	Name    string
	Kind    string // "api_key", "oauth" or "client_key"
	Created time.Time
	// Expires is when an OAuth account's access token expires; zero for keys.
	Expires time.Time
	// RefreshError is why the last OAuth refresh failed; "" after a success.
	RefreshError string
	// NeedsLogin says the token endpoint refused the refresh token: only a new login helps.
	NeedsLogin bool
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
	// Imported are the paths of Files whose content the keychain holds already.
	Imported []string
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

// DBPrivileges is what PostgreSQL reports about the role Nexus connects as.
type DBPrivileges struct {
	// Err is why the privileges could not be read; "" when they were (or for SQLite).
	Err      string
	Role     string
	Database string
	// Superuser says the role bypasses every permission check.
	Superuser bool
	// PublicConnect says every role of the server (PUBLIC) may connect to the database.
	PublicConnect bool
}

// Sockets are listening TCP sockets as the OS reports them.
type Sockets struct {
	// Scope says whose sockets these are, for the evidence: "this process" or "port 3731".
	Scope string
	// Err is why the OS could not be read ("" when it was); the check then relies on the
	// configuration alone.
	Err  string
	List []Socket
}

// Socket is one listening TCP socket.
type Socket struct {
	Addr  string // host:port as the OS reports it: "127.0.0.1:3731", "[::]:3731"
	Owner string // "nexus (pid 812)"; "" when the owner could not be read
}

// Probe is one unauthenticated GET of a UI path on a listener.
type Probe struct {
	URL string
	// Status is the HTTP status; 0 when nothing answered (Err says why).
	Status int
	// HTML says the answer is a web page (by its Content-Type or its first bytes).
	HTML bool
	Err  string
}

// Bodies says how request and response bodies are stored.
type Bodies struct {
	Enabled   bool // bodies are stored (else metadata only)
	Encrypted bool // with the data key from the keychain
	Redacting bool // secrets are replaced before storing
	// RetentionDays and RetentionMaxMB limit what is kept; 0 means no limit of that kind.
	RetentionDays  int
	RetentionMaxMB int
	// Reason says why bodies are not stored when they are not ("" when by choice or stored).
	Reason string
	// Unreadable says that bodies stored earlier do not open under the current data key.
	Unreadable string
}

// Traffic is what the store's records show.
type Traffic struct {
	// Read says the store was read; false when there is none yet or it failed (Err).
	Read bool
	Err  string
	// AuthFailures are the 401 answers per client in the AuthWindow before Now.
	AuthFailures []ClientFailures
	// DailyTokens are the tokens per account and UTC day, over SpikeLookback days before
	// today and today.
	DailyTokens []DailyTokens
}

// ClientFailures is how many 401 answers one client got.
type ClientFailures struct {
	Client string // client key id, else user agent, else "unknown"
	Count  int64
	Last   time.Time
}

// DailyTokens is one account's tokens (input, output and cache) on one UTC day.
type DailyTokens struct {
	Account string    // "" for requests sent with the client's own credential
	Day     time.Time // midnight UTC
	Tokens  int64
}

// Run runs every check over f, in a stable order.
func Run(f Facts) []Item {
	return []Item{
		clientAuth(f),
		loopbackOnly(f),
		dashboardExposure(f),
		keychain(f),
		legacyCredentialFiles(f),
		oauthTokens(f),
		credentialAge(f),
		dataFileModes(f),
		bodyStorage(f),
		databaseTLS(f),
		databasePrivileges(f),
		upstreamTLS(f),
		authFailureBurst(f),
		tokenSpike(f),
		subscriptionTerms(f),
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
