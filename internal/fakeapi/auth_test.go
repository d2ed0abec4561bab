package fakeapi_test

import (
	"strconv"
	"testing"
	"time"

	"nexus/internal/fakeapi"
)

func TestAuth(t *testing.T) {
	srv := start(t)
	for _, tc := range []struct {
		name   string
		header []string
		status int
		auth   string
	}{
		{"api key", nil, 200, fakeapi.AuthAPIKey},
		{"none", []string{"x-api-key", ""}, 401, ""},
		{"oauth token without beta", []string{"x-api-key", "", "Authorization", "Bearer sk-ant-oat01-x"}, 401, ""},
		{"bearer api key", []string{"x-api-key", "", "Authorization", "Bearer sk-ant-api03-x"}, 200, fakeapi.AuthAPIKey},
		{"bearer with beta", []string{"x-api-key", "", "Authorization", "Bearer tok", "anthropic-beta", "claude-code-20250219, oauth-2025-04-20"}, 200, fakeapi.AuthOAuth},
		{"empty bearer", []string{"x-api-key", "", "Authorization", "Bearer ", "anthropic-beta", "oauth-2025-04-20"}, 401, ""},
	} {
		srv.Reset()
		resp, _ := message(t, srv, false, tc.header...)
		var body map[string]any
		decode(t, resp, &body)
		if resp.StatusCode != tc.status || srv.Requests()[0].Auth != tc.auth {
			t.Errorf("%s: status %d, auth %q", tc.name, resp.StatusCode, srv.Requests()[0].Auth)
		}
		if tc.status == 401 && get(body, "error", "type") != "authentication_error" {
			t.Errorf("%s: body %v", tc.name, body)
		}
		unified := resp.Header.Get("anthropic-ratelimit-unified-status")
		if tc.auth == fakeapi.AuthOAuth {
			reset, err := strconv.ParseInt(resp.Header.Get("anthropic-ratelimit-unified-5h-reset"), 10, 64)
			if unified != "allowed" || resp.Header.Get("anthropic-ratelimit-unified-5h-utilization") != fakeapi.Unified5hUtil ||
				resp.Header.Get("anthropic-ratelimit-unified-7d-utilization") != fakeapi.Unified7dUtil ||
				resp.Header.Get("anthropic-ratelimit-unified-7d-reset") == "" ||
				err != nil || time.Until(time.Unix(reset, 0)) <= 4*time.Hour {
				t.Errorf("%s: unified headers %v", tc.name, resp.Header)
			}
		} else if unified != "" {
			t.Errorf("%s: unified status %q", tc.name, unified)
		}
		if tc.status == 200 {
			if _, err := time.Parse(time.RFC3339, resp.Header.Get("anthropic-ratelimit-tokens-reset")); err != nil ||
				resp.Header.Get("anthropic-ratelimit-requests-remaining") != strconv.Itoa(fakeapi.RequestsRemaining) {
				t.Errorf("%s: rate-limit headers %v", tc.name, resp.Header)
			}
		}
	}
}

func TestAcceptedCredentials(t *testing.T) {
	srv := start(t)
	srv.AcceptAPIKeys("good")
	srv.AcceptBearerTokens("tok")
	for _, tc := range []struct {
		header []string
		status int
	}{
		{[]string{"x-api-key", "good"}, 200},
		{[]string{"x-api-key", "bad"}, 401},
		{[]string{"x-api-key", "", "Authorization", "Bearer good"}, 200},
		{[]string{"x-api-key", "", "Authorization", "Bearer bad"}, 401},
		{[]string{"x-api-key", "", "Authorization", "Bearer tok", "anthropic-beta", "oauth-2025-04-20"}, 200},
		{[]string{"x-api-key", "", "Authorization", "Bearer other", "anthropic-beta", "oauth-2025-04-20"}, 401},
	} {
		resp, _ := message(t, srv, false, tc.header...)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%v: status %d, want %d", tc.header, resp.StatusCode, tc.status)
		}
	}
}
