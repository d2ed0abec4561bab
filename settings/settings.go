// Package settings holds the user's settings: defaults, validation, environment overrides and
// an atomic, owner-only settings file.
package settings

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// DefaultPort is the proxy's port when nothing else is configured.
const DefaultPort = 3731

// DefaultUpstream is the Anthropic API the proxy forwards to.
const DefaultUpstream = "https://api.anthropic.com"

// DefaultOAuthTokenURL is where OAuth refresh and login exchanges are sent.
const DefaultOAuthTokenURL = "https://console.anthropic.com/v1/oauth/token"

// Settings is everything the user can configure. Field names are stored in the settings file
// as JSON; do not rename the json tags.
type Settings struct {
	// Host is the address the proxy binds. Only loopback names are allowed; empty means
	// 127.0.0.1 and ::1.
	Host          string `json:"host,omitempty"`
	Port          int    `json:"port"`
	DataDir       string `json:"data_dir,omitempty"`
	Upstream      string `json:"upstream"`
	OAuthTokenURL string `json:"oauth_token_url"`
	// DatabaseURL selects PostgreSQL when it is a postgres:// URL; empty means SQLite in DataDir.
	// It may hold a password, so it is only ever read from the environment, never saved.
	DatabaseURL     string `json:"-"`
	StorageEnabled  bool   `json:"storage_enabled"`
	ClientAuth      bool   `json:"client_auth"`
	DashboardAPIKey string `json:"-"`
	CredentialsDir  string `json:"credentials_dir,omitempty"`
	// ProxyEnabled says whether the desktop app starts the proxy; the tray and the window
	// switch it.
	ProxyEnabled bool `json:"proxy_enabled"`

	RequestTimeout Duration `json:"request_timeout"`
	// StreamIdleTimeout cuts a stream that has sent nothing upstream for this long.
	StreamIdleTimeout Duration `json:"stream_idle_timeout"`
	MaxRetries        int      `json:"max_retries"`

	// RetentionDays removes recorded requests older than this many days; 0 keeps them forever.
	RetentionDays int `json:"retention_days"`
	// RetentionMaxMB removes the oldest requests while the store holds more than this many
	// megabytes; 0 sets no limit.
	RetentionMaxMB int `json:"retention_max_mb"`
	// RedactPatterns are redacted from bodies before they are stored, on top of the built-in
	// patterns (API keys, tokens, private keys, passwords in URLs).
	RedactPatterns []RedactPattern `json:"redact_patterns,omitempty"`

	Window Window `json:"window"`
}

// RedactPattern is a user-defined secret pattern: a Go regular expression and the kind it
// is reported as ("[REDACTED:kind]").
type RedactPattern struct {
	Kind   string `json:"kind"`
	Regexp string `json:"regexp"`
}

// Window is the remembered geometry of the main window; zero means "let the app choose".
type Window struct {
	X      int `json:"x"`
	Y      int `json:"y"`
	Width  int `json:"width"`
	Height int `json:"height"`
}

// Defaults returns the settings of a fresh install.
func Defaults() Settings {
	return Settings{
		Port:              DefaultPort,
		Upstream:          DefaultUpstream,
		OAuthTokenURL:     DefaultOAuthTokenURL,
		StorageEnabled:    true,
		ClientAuth:        true,
		ProxyEnabled:      true,
		RequestTimeout:    Duration(10 * time.Minute),
		StreamIdleTimeout: Duration(5 * time.Minute),
		MaxRetries:        2,
		RetentionDays:     90,
		RetentionMaxMB:    4096,
	}
}

// The largest retention limits Validate accepts.
const (
	maxRetentionDays = 36_500
	maxRetentionMB   = 1 << 30
)

// ErrNotLoopback is returned by Validate when the proxy would listen beyond this machine.
var ErrNotLoopback = errors.New("not a loopback address")

// Validate reports the first setting that cannot be used, with the reason.
func (s Settings) Validate() error {
	if s.Port < 0 || s.Port > 65535 {
		return fmt.Errorf("port %d is out of range 0-65535", s.Port)
	}
	if s.Host != "" && !IsLoopbackHost(s.Host) {
		return fmt.Errorf("host %q: %w: the proxy only listens on 127.0.0.1 or ::1 so that no other machine can use your credentials", s.Host, ErrNotLoopback)
	}
	u, err := url.Parse(s.Upstream)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("upstream %q is not an http(s) URL", s.Upstream)
	}
	if time.Duration(s.RequestTimeout) <= 0 {
		return fmt.Errorf("request timeout must be positive")
	}
	if s.MaxRetries < 0 || s.MaxRetries > 10 {
		return fmt.Errorf("max retries %d is out of range 0-10", s.MaxRetries)
	}
	if time.Duration(s.StreamIdleTimeout) < 0 {
		return fmt.Errorf("stream idle timeout must not be negative")
	}
	if s.RetentionDays < 0 || s.RetentionMaxMB < 0 {
		return fmt.Errorf("retention limits must not be negative")
	}
	// Larger values would overflow when turned into a duration or bytes; 0 means no limit.
	if s.RetentionDays > maxRetentionDays {
		return fmt.Errorf("retention days %d is over %d (100 years); 0 keeps requests for ever", s.RetentionDays, maxRetentionDays)
	}
	if s.RetentionMaxMB > maxRetentionMB {
		return fmt.Errorf("retention max MB %d is over %d (1 PB); 0 sets no size limit", s.RetentionMaxMB, maxRetentionMB)
	}
	for _, p := range s.RedactPatterns {
		if _, err := regexp.Compile(p.Regexp); err != nil || p.Kind == "" {
			return fmt.Errorf("redact pattern %q (kind %q) is not a valid regular expression with a kind", p.Regexp, p.Kind)
		}
	}
	return nil
}

// IsLoopbackHost reports whether host (a name or IP, without port, brackets allowed) names
// this machine's loopback interface.
func IsLoopbackHost(host string) bool {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Duration is a time.Duration that reads and writes as a string such as "10m0s".
type Duration time.Duration

func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}
