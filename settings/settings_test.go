package settings

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDefaultsAreValid(t *testing.T) {
	d := Defaults()
	if err := d.Validate(); err != nil {
		t.Fatalf("Defaults().Validate() = %v", err)
	}
	if d.Port != DefaultPort || d.Upstream != DefaultUpstream || d.OAuthTokenURL != DefaultOAuthTokenURL {
		t.Errorf("Defaults() = port %d, upstream %q, oauth %q", d.Port, d.Upstream, d.OAuthTokenURL)
	}
	if !d.StorageEnabled || !d.ClientAuth {
		t.Errorf("Defaults() storage %v, client auth %v; both must default to on", d.StorageEnabled, d.ClientAuth)
	}
	if d.Host != "" || d.DatabaseURL != "" || d.DashboardAPIKey != "" {
		t.Errorf("Defaults() host %q, database %q, dashboard key %q; want all empty", d.Host, d.DatabaseURL, d.DashboardAPIKey)
	}
}

func TestValidateHost(t *testing.T) {
	for _, host := range []string{"0.0.0.0", "::", "[::]", "192.168.1.1", "example.com", "10.0.0.1", "localhost.example.com"} {
		t.Run("refuses "+host, func(t *testing.T) {
			s := Defaults()
			s.Host = host
			err := s.Validate()
			if !errors.Is(err, ErrNotLoopback) {
				t.Fatalf("Validate(host %q) = %v, want ErrNotLoopback", host, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, host) || !strings.Contains(msg, "127.0.0.1") {
				t.Errorf("error %q should name the host and say what is allowed", msg)
			}
			if !strings.Contains(msg, "so that") {
				t.Errorf("error %q gives no reason", msg)
			}
		})
	}
	for _, host := range []string{"", "localhost", "LOCALHOST", "127.0.0.1", "::1", "[::1]"} {
		t.Run("accepts "+host, func(t *testing.T) {
			s := Defaults()
			s.Host = host
			if err := s.Validate(); err != nil {
				t.Errorf("Validate(host %q) = %v", host, err)
			}
		})
	}
}

func TestValidateRejects(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Settings)
		want   string // in the error
	}{
		{"negative port", func(s *Settings) { s.Port = -1 }, "port -1"},
		{"port too high", func(s *Settings) { s.Port = 65536 }, "port 65536"},
		{"upstream not a URL", func(s *Settings) { s.Upstream = "not a url" }, "upstream"},
		{"upstream empty", func(s *Settings) { s.Upstream = "" }, "upstream"},
		{"upstream ftp", func(s *Settings) { s.Upstream = "ftp://api.anthropic.com" }, "upstream"},
		{"upstream without host", func(s *Settings) { s.Upstream = "https://" }, "upstream"},
		{"upstream bad escape", func(s *Settings) { s.Upstream = "https://api.anthropic.com/%zz" }, "upstream"},
		{"zero request timeout", func(s *Settings) { s.RequestTimeout = 0 }, "timeout"},
		{"negative retries", func(s *Settings) { s.MaxRetries = -1 }, "retries"},
		{"too many retries", func(s *Settings) { s.MaxRetries = 11 }, "retries"},
		{"negative stream idle timeout", func(s *Settings) { s.StreamIdleTimeout = Duration(-time.Second) }, "idle"},
		// 213,504 days is 2^63 ns / 24 h + 1: as a duration it wraps to 25 minutes.
		{"retention days past a duration", func(s *Settings) { s.RetentionDays = 213_504 }, "retention days"},
		{"retention size past int64 bytes", func(s *Settings) { s.RetentionMaxMB = 1 << 44 }, "retention max MB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Defaults()
			tc.change(&s)
			err := s.Validate()
			if err == nil {
				t.Fatal("Validate() = nil, want an error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate() = %q, want it to mention %q", err, tc.want)
			}
			if errors.Is(err, ErrNotLoopback) {
				t.Errorf("Validate() = %v: not a loopback problem", err)
			}
		})
	}
}

func TestValidateAcceptsEdges(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Settings)
	}{
		{"port 0 (any free port)", func(s *Settings) { s.Port = 0 }},
		{"port 65535", func(s *Settings) { s.Port = 65535 }},
		{"http upstream (a local fake API)", func(s *Settings) { s.Upstream = "http://127.0.0.1:9999" }},
		{"upstream with path", func(s *Settings) { s.Upstream = "https://gateway.example.com/anthropic" }},
		{"no retries", func(s *Settings) { s.MaxRetries = 0 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Defaults()
			tc.change(&s)
			if err := s.Validate(); err != nil {
				t.Errorf("Validate() = %v", err)
			}
		})
	}
}

func TestDurationText(t *testing.T) {
	d := Duration(90 * time.Second)
	b, err := d.MarshalText()
	if err != nil || string(b) != "1m30s" {
		t.Fatalf("MarshalText = %q, %v; want 1m30s", b, err)
	}
	var back Duration
	if err := back.UnmarshalText(b); err != nil || back != d {
		t.Fatalf("UnmarshalText(%q) = %v, %v", b, time.Duration(back), err)
	}
	if err := back.UnmarshalText([]byte("ten minutes")); err == nil {
		t.Error("UnmarshalText accepted \"ten minutes\"")
	}
}
