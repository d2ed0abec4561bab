package checklist

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// databaseTLS checks that a PostgreSQL server on another machine is reached over verified TLS.
// The embedded SQLite store and local servers need none.
func databaseTLS(f Facts) Item {
	it := Item{ID: "database-tls", Title: "The database connection is encrypted"}
	db := f.DB
	switch {
	case !db.Set:
		it.Status, it.Evidence = Pass, "DATABASE_URL is empty: the embedded SQLite file, no network"
		return it
	case !db.Postgres:
		it.Status, it.Evidence = Fail, "DATABASE_URL is not a postgres:// URL: Nexus cannot use it"
		it.Fix = "set DATABASE_URL to a postgres:// URL, or unset it for the embedded SQLite store"
		return it
	}
	var remote []string
	for _, h := range db.Hosts {
		if !isLocalHost(h) {
			remote = append(remote, h)
		}
	}
	mode := db.SSLMode
	if mode == "" {
		mode = "prefer (the default)"
	}
	if len(remote) == 0 {
		it.Status, it.Evidence = Pass, fmt.Sprintf("PostgreSQL on this machine (%s), sslmode=%s", localHosts(db.Hosts), mode)
		return it
	}
	at := strings.Join(remote, ", ")
	fix := "add sslmode=verify-full to DATABASE_URL (with sslrootcert= when the server's CA is not a system one)"
	switch db.SSLMode {
	case "verify-full":
		it.Status, it.Evidence = Pass, fmt.Sprintf("PostgreSQL at %s with sslmode=verify-full", at)
	case "require", "verify-ca":
		it.Status = Warn
		it.Evidence = fmt.Sprintf("PostgreSQL at %s with sslmode=%s: encrypted, but the server's name is not verified", at, db.SSLMode)
		it.Fix = "use sslmode=verify-full in DATABASE_URL"
	default:
		it.Status = Fail
		it.Evidence = fmt.Sprintf("PostgreSQL at %s with sslmode=%s: conversations and credentials may cross the network in plain text", at, mode)
		it.Fix = fix
	}
	return it
}

func localHosts(hosts []string) string {
	if len(hosts) == 0 {
		return "the default Unix socket"
	}
	return strings.Join(hosts, ", ")
}

// upstreamTLS checks that the proxy forwards over HTTPS: requests carry the user's Anthropic
// credentials. Plain HTTP to loopback is only for tests against a local fake.
func upstreamTLS(f Facts) Item {
	it := Item{ID: "upstream-tls", Title: "The upstream API is reached over HTTPS"}
	u, err := url.Parse(f.Upstream)
	if err != nil || u.Host == "" {
		it.Status, it.Evidence = Fail, "the upstream is not a URL"
		it.Fix = "set CLAUDE_API_BASE_URL to https://api.anthropic.com, or unset it"
		return it
	}
	shown := u.Scheme + "://" + u.Host // never userinfo, path or query
	switch {
	case u.Scheme == "https":
		it.Status, it.Evidence = Pass, "upstream "+shown
	case u.Scheme == "http" && isLocalHost(u.Hostname()):
		it.Status = Warn
		it.Evidence = "upstream " + shown + " is plain HTTP on this machine: fine for tests, not for real use"
		it.Fix = "unset CLAUDE_API_BASE_URL (or --upstream) outside tests"
	default:
		it.Status = Fail
		it.Evidence = "upstream " + shown + " is not HTTPS: your credentials would cross the network in plain text"
		it.Fix = "set CLAUDE_API_BASE_URL to an https:// URL, or unset it for https://api.anthropic.com"
	}
	return it
}

// isLocalHost reports whether host is this machine: a Unix socket directory, localhost, or a
// loopback address.
func isLocalHost(host string) bool {
	if strings.HasPrefix(host, "/") {
		return true
	}
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
