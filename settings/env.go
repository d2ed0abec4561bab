package settings

import (
	"fmt"
	"strconv"
	"strings"
)

// ApplyEnv overrides s with the environment variables of the command contract (DESIGN.md):
// HOST, PORT, NEXUS_DATA_DIR, CLAUDE_API_BASE_URL, CLAUDE_OAUTH_TOKEN_URL, DATABASE_URL,
// STORAGE_ENABLED, ENABLE_CLIENT_AUTH, DASHBOARD_API_KEY, CREDENTIALS_DIR, and RETENTION_DAYS and
// RETENTION_MAX_MB. getenv is os.Getenv
// in production. A malformed value is an error naming the variable.
func ApplyEnv(s *Settings, getenv func(string) string) error {
	str := func(name string, dst *string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	str("HOST", &s.Host)
	str("NEXUS_DATA_DIR", &s.DataDir)
	str("CLAUDE_API_BASE_URL", &s.Upstream)
	str("CLAUDE_OAUTH_TOKEN_URL", &s.OAuthTokenURL)
	str("DATABASE_URL", &s.DatabaseURL)
	str("DASHBOARD_API_KEY", &s.DashboardAPIKey)
	str("CREDENTIALS_DIR", &s.CredentialsDir)
	if v := getenv("PORT"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("PORT=%q is not a number", v)
		}
		s.Port = p
	}
	for _, n := range []struct {
		name string
		dst  *int
	}{
		{"RETENTION_DAYS", &s.RetentionDays},
		{"RETENTION_MAX_MB", &s.RetentionMaxMB},
	} {
		if v := getenv(n.name); v != "" {
			i, err := strconv.Atoi(v)
			if err != nil || i < 0 {
				return fmt.Errorf("%s=%q is not a whole number of zero or more", n.name, v)
			}
			*n.dst = i
		}
	}
	// In the contract's order, so that the first malformed variable is always the one named.
	for _, b := range []struct {
		name string
		dst  *bool
	}{
		{"STORAGE_ENABLED", &s.StorageEnabled},
		{"ENABLE_CLIENT_AUTH", &s.ClientAuth},
	} {
		name, dst := b.name, b.dst
		v := getenv(name)
		if v == "" {
			continue
		}
		b, err := parseBool(v)
		if err != nil {
			return fmt.Errorf("%s=%q: %w", name, v, err)
		}
		*dst = b
	}
	return nil
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off":
		return false, nil
	}
	return false, fmt.Errorf("want true or false")
}
