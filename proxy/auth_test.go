package proxy_test

import (
	"nexus/conversation"

	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"nexus/internal/fakeapi"
	"nexus/proxy"
)

func TestClientAuthRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		hdr  []string
	}{
		{"missing", []string{"x-api-key", ""}},
		{"wrong x-api-key", []string{"x-api-key", "nexus-wrong-key"}},
		{"wrong bearer", []string{"x-api-key", "", "Authorization", "Bearer nexus-wrong-key"}},
		{"wrong x-nexus-client-key", []string{"x-api-key", ownKey, "x-nexus-client-key", "nexus-wrong-key"}},
		{"own credential alone", []string{"x-api-key", ownKey}},
		{"not bearer", []string{"x-api-key", "", "Authorization", "Basic " + mainKey}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			resp, body := e.doRead("POST", "/v1/messages", messagesBody, tc.hdr...)
			wantError(t, resp, body, http.StatusUnauthorized, "authentication_error")
			if e.fake.Count() != 0 {
				t.Error("request reached upstream")
			}
			rec := e.rec.last(t)
			if rec.Rejected != "auth" || rec.RequestBody != nil || rec.Status != http.StatusUnauthorized ||
				rec.ClientKeyID != "" || rec.ErrorType != "authentication_error" {
				t.Errorf("record %+v", rec)
			}
			if strings.Contains(string(body), "nexus-wrong-key") {
				t.Error("the answer echoes the presented key")
			}
		})
	}
}

func TestClientAuthAccepted(t *testing.T) {
	for _, tc := range []struct {
		name string
		hdr  []string
	}{
		{"x-api-key", nil},
		{"bearer", []string{"x-api-key", "", "Authorization", "Bearer " + mainKey}},
		{"bearer lower case", []string{"x-api-key", "", "Authorization", "bearer " + mainKey}},
		{"x-nexus-client-key", []string{"x-api-key", "", "x-nexus-client-key", mainKey}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			resp, body := e.doRead("POST", "/v1/messages", messagesBody, tc.hdr...)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			rec := e.rec.last(t)
			if rec.ClientKeyID != "main" || rec.Account != "personal" || rec.Rejected != "" {
				t.Errorf("record key %q account %q rejected %q", rec.ClientKeyID, rec.Account, rec.Rejected)
			}
			if want := conversation.ScanRequestMeta([]byte(messagesBody)).Model; rec.Model != want || want == "" {
				t.Errorf("record model %q, want %q", rec.Model, want)
			}
			if rec.RequestBody != nil {
				t.Errorf("record kept the body without KeepBodies")
			}
		})
	}
}

func TestClientKeyRoutesToItsAccount(t *testing.T) {
	e := newEnv(t, nil)
	for _, tc := range []struct{ key, account, auth string }{
		{mainKey, "personal", fakeapi.AuthAPIKey},
		{workKey, "work", fakeapi.AuthOAuth},
	} {
		e.fake.Reset()
		resp, _ := e.doRead("POST", "/v1/messages", messagesBody, "x-api-key", "", "x-api-key", tc.key)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", tc.account, resp.StatusCode)
		}
		if got := e.received(); got.Auth != tc.auth {
			t.Errorf("%s: fake saw %q", tc.account, got.Auth)
		}
	}
	// Records are finished off the response path, so they may arrive in either order.
	accounts := map[string]string{}
	for _, rec := range e.rec.waitFinished(t, 2) {
		accounts[rec.ClientKeyID] = rec.Account
	}
	if accounts["main"] != "personal" || accounts["work"] != "work" {
		t.Errorf("accounts by client key: %v", accounts)
	}
}

// failingCreds fails for every account, as a locked keychain would.
type failingCreds struct{}

func (failingCreds) Credential(context.Context, string) (proxy.Credential, error) {
	return proxy.Credential{}, errors.New(`account "personal": the keychain is locked (unlock it and retry)`)
}

func TestCredentialErrorIs401(t *testing.T) {
	e := newEnv(t, func(c *proxy.Config) { c.Credentials = failingCreds{} })
	resp, body := e.doRead("POST", "/v1/messages", messagesBody)
	wantError(t, resp, body, http.StatusUnauthorized, "authentication_error")
	if !strings.Contains(string(body), "keychain is locked") {
		t.Errorf("message does not say why: %s", body)
	}
	if e.fake.Count() != 0 {
		t.Error("request reached upstream")
	}
}

// TestNoSecretInLogs runs every kind of request with debug logging and searches the log for
// the client keys, the upstream secrets and the client's own credential.
func TestNoSecretInLogs(t *testing.T) {
	e := newEnv(t, func(c *proxy.Config) { c.MaxRetries = 1 })
	down := newEnv(t, func(c *proxy.Config) { c.Upstream = deadUpstream(t) })
	requests := []struct {
		env *env
		hdr []string
	}{
		{e, nil},
		{e, []string{"x-api-key", workKey}},
		{e, []string{"x-api-key", "", "Authorization", "Bearer " + mainKey}},
		{e, []string{"x-api-key", "nexus-wrong-key-secret"}},
		{e, []string{"x-api-key", ownKey, "x-nexus-client-key", mainKey}},
		{e, []string{"x-api-key", ownKey, "x-nexus-client-key", "nexus-wrong-key-secret"}},
		{e, []string{fakeapi.ScenarioHeader, "error:529"}},
		{e, []string{fakeapi.ScenarioHeader, "error:401"}},
		{e, []string{fakeapi.ScenarioHeader, "drop"}},
		{e, []string{"Origin", "https://evil.example"}},
		{down, nil},
	}
	for _, r := range requests {
		resp := r.env.do("POST", "/v1/messages", streamBody, r.hdr...)
		resp.Body.Close()
	}
	for _, r := range e.fake.Requests() {
		assertNoSecretIn(t, "upstream", r.Header, mainKey, workKey)
	}
	e.rec.waitFinished(t, len(requests)-1)
	down.rec.waitFinished(t, 1)
	logs := e.logs.String() + down.logs.String()
	if logs == "" {
		t.Fatal("nothing was logged; the test sees nothing")
	}
	for _, s := range []string{mainKey, workKey, personalKey, workToken, ownKey, "nexus-wrong-key-secret"} {
		if strings.Contains(logs, s) {
			t.Errorf("a secret (%.12s…) is in the log:\n%s", s, logs)
		}
	}
}
