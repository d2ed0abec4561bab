package settings

import (
	"reflect"
	"strings"
	"testing"
)

// fakeEnv is a getenv over a map: tests never read the real environment.
func fakeEnv(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func TestApplyEnvEveryVariable(t *testing.T) {
	s := Defaults()
	err := ApplyEnv(&s, fakeEnv(map[string]string{
		"HOST":                   "::1",
		"PORT":                   "4000",
		"NEXUS_DATA_DIR":         "/data/nexus",
		"CLAUDE_API_BASE_URL":    "http://127.0.0.1:9000",
		"CLAUDE_OAUTH_TOKEN_URL": "http://127.0.0.1:9001/token",
		"DATABASE_URL":           "postgres://u:p@db/nexus",
		"STORAGE_ENABLED":        "false",
		"ENABLE_CLIENT_AUTH":     "0",
		"DASHBOARD_API_KEY":      "dash-key",
		"CREDENTIALS_DIR":        "/legacy/credentials",
		"RETENTION_DAYS":         "30",
		"RETENTION_MAX_MB":       "0",
	}))
	if err != nil {
		t.Fatalf("ApplyEnv: %v", err)
	}
	want := Defaults()
	want.Host = "::1"
	want.Port = 4000
	want.DataDir = "/data/nexus"
	want.Upstream = "http://127.0.0.1:9000"
	want.OAuthTokenURL = "http://127.0.0.1:9001/token"
	want.DatabaseURL = "postgres://u:p@db/nexus"
	want.StorageEnabled = false
	want.ClientAuth = false
	want.DashboardAPIKey = "dash-key"
	want.CredentialsDir = "/legacy/credentials"
	want.RetentionDays = 30
	want.RetentionMaxMB = 0
	if !reflect.DeepEqual(s, want) {
		t.Errorf("ApplyEnv gave\n%+v\nwant\n%+v", s, want)
	}
}

func TestApplyEnvEmptyKeepsValues(t *testing.T) {
	s := Defaults()
	s.Host, s.Port, s.DataDir = "localhost", 1234, "/from/file"
	want := s
	if err := ApplyEnv(&s, fakeEnv(nil)); err != nil {
		t.Fatalf("ApplyEnv: %v", err)
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("an empty environment changed settings:\n%+v\nwant\n%+v", s, want)
	}
}

func TestApplyEnvBooleans(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  bool
	}{
		{"true", true}, {"TRUE", true}, {"1", true}, {"yes", true}, {"on", true}, {" true ", true},
		{"false", false}, {"False", false}, {"0", false}, {"no", false}, {"off", false},
	} {
		for _, name := range []string{"STORAGE_ENABLED", "ENABLE_CLIENT_AUTH"} {
			s := Defaults()
			s.StorageEnabled, s.ClientAuth = !tc.want, !tc.want
			if err := ApplyEnv(&s, fakeEnv(map[string]string{name: tc.value})); err != nil {
				t.Errorf("%s=%q: %v", name, tc.value, err)
				continue
			}
			got := s.StorageEnabled
			if name == "ENABLE_CLIENT_AUTH" {
				got = s.ClientAuth
			}
			if got != tc.want {
				t.Errorf("%s=%q gave %v, want %v", name, tc.value, got, tc.want)
			}
		}
	}
}

func TestApplyEnvMalformed(t *testing.T) {
	for _, tc := range []struct{ name, value string }{
		{"PORT", "abc"},
		{"PORT", "80a"},
		{"PORT", "3.5"},
		{"STORAGE_ENABLED", "maybe"},
		{"STORAGE_ENABLED", "2"},
		{"ENABLE_CLIENT_AUTH", "disabled"},
	} {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			s := Defaults()
			err := ApplyEnv(&s, fakeEnv(map[string]string{tc.name: tc.value}))
			if err == nil {
				t.Fatalf("ApplyEnv(%s=%q) = nil, want an error", tc.name, tc.value)
			}
			if !strings.Contains(err.Error(), tc.name) || !strings.Contains(err.Error(), tc.value) {
				t.Errorf("error %q should name the variable %s and its value", err, tc.name)
			}
		})
	}
}

func TestApplyEnvPortOutOfRangeFailsValidation(t *testing.T) {
	s := Defaults()
	if err := ApplyEnv(&s, fakeEnv(map[string]string{"PORT": "70000"})); err != nil {
		t.Fatalf("ApplyEnv: %v", err)
	}
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "70000") {
		t.Errorf("Validate after PORT=70000 = %v, want an out-of-range error", err)
	}
}

func TestApplyEnvNonLoopbackHostFailsValidation(t *testing.T) {
	s := Defaults()
	if err := ApplyEnv(&s, fakeEnv(map[string]string{"HOST": "0.0.0.0"})); err != nil {
		t.Fatalf("ApplyEnv: %v", err)
	}
	if err := s.Validate(); err == nil {
		t.Error("HOST=0.0.0.0 passed validation")
	}
}

func TestApplyEnvFirstMalformedIsNamed(t *testing.T) {
	// Several malformed variables: the error is the same every time (PORT, then the
	// booleans in the contract's order), not whichever a map iteration met first.
	env := fakeEnv(map[string]string{"STORAGE_ENABLED": "maybe", "ENABLE_CLIENT_AUTH": "perhaps"})
	for range 50 {
		s := Defaults()
		err := ApplyEnv(&s, env)
		if err == nil || !strings.Contains(err.Error(), "STORAGE_ENABLED") {
			t.Fatalf("ApplyEnv = %v, want the error for STORAGE_ENABLED", err)
		}
	}
}
