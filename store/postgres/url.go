package postgres

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// mask replaces a password wherever one would be shown.
const mask = "xxxxx"

// RedactURL returns the database URL with its passwords (the user's, and any password or
// sslpassword parameter) masked, for logs and error messages. It also masks a keyword/value
// connection string's passwords, and does its best with a URL that does not parse.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return redactUnparsed(raw)
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), mask)
		}
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, p := range parts {
			k, _, ok := strings.Cut(p, "=")
			if key, err := url.QueryUnescape(k); ok && err == nil && isPasswordKey(key) {
				parts[i] = k + "=" + mask
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	return u.String()
}

var (
	// keywordPassword matches password=… and sslpassword=… in a keyword/value string.
	keywordPassword = regexp.MustCompile(`(?i)\b((?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]*)`)
	// userinfoPassword matches the ":password@" of a URL that net/url cannot parse.
	userinfoPassword = regexp.MustCompile(`^([a-zA-Z][a-zA-Z0-9+.-]*://[^:@/]*:)(.*)@`)
)

// quotedValue undoes the escapes of a quoted keyword/value string value.
var quotedValue = strings.NewReplacer(`\'`, `'`, `\\`, `\`)

func redactUnparsed(raw string) string {
	raw = userinfoPassword.ReplaceAllString(raw, "${1}"+mask+"@")
	return keywordPassword.ReplaceAllString(raw, "${1}"+mask)
}

func isPasswordKey(k string) bool { return k == "password" || k == "sslpassword" }

// urlSecrets returns every password written in the connection string, as written and
// decoded, so that scrub can remove them from driver messages.
func urlSecrets(raw string) []string {
	var out []string
	if u, err := url.Parse(raw); err == nil && u.Opaque == "" {
		if u.User != nil {
			if p, ok := u.User.Password(); ok {
				out = appendSecret(out, p)
				out = appendSecret(out, url.PathEscape(p))
				out = appendSecret(out, url.QueryEscape(p))
			}
		}
		for k, vs := range u.Query() {
			if isPasswordKey(k) {
				for _, v := range vs {
					out = appendSecret(out, v)
					out = appendSecret(out, url.QueryEscape(v))
				}
			}
		}
	}
	if m := userinfoPassword.FindStringSubmatch(raw); m != nil {
		out = appendSecret(out, m[2])
		if p, err := url.PathUnescape(m[2]); err == nil {
			out = appendSecret(out, p)
		}
	}
	for _, m := range keywordPassword.FindAllStringSubmatch(raw, -1) {
		v := m[2]
		out = appendSecret(out, v)
		if strings.HasPrefix(v, "'") {
			out = appendSecret(out, quotedValue.Replace(strings.Trim(v, "'")))
		}
	}
	return out
}

func appendSecret(list []string, s string) []string {
	if s == "" || s == mask {
		return list
	}
	for _, have := range list {
		if have == s {
			return list
		}
	}
	list = append(list, s)
	sort.Slice(list, func(i, j int) bool { return len(list[i]) > len(list[j]) }) // longest first
	return list
}

// scrub masks every secret in msg.
func scrub(msg string, secrets []string) string {
	for _, s := range secrets {
		msg = strings.ReplaceAll(msg, s, mask)
	}
	return msg
}

// requireTLS refuses a configuration that could talk to a server on another machine without
// TLS. sslmode=prefer and allow count as without: they fall back to plain text. Local
// servers (localhost, 127.0.0.0/8, ::1, a Unix socket) may use sslmode=disable.
func requireTLS(cfg *pgconn.Config) error {
	targets := append([]*pgconn.FallbackConfig{{Host: cfg.Host, Port: cfg.Port, TLSConfig: cfg.TLSConfig}},
		cfg.Fallbacks...)
	for _, t := range targets {
		if t.TLSConfig == nil && !isLocalHost(t.Host) {
			return fmt.Errorf("refusing to connect to PostgreSQL at %s without TLS: a server on another machine "+
				"needs sslmode=verify-full (or verify-ca, require) in DATABASE_URL",
				net.JoinHostPort(t.Host, strconv.Itoa(int(t.Port))))
		}
	}
	return nil
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
