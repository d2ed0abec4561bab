package fakeapi_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"nexus/internal/fakeapi"
)

const clientID = "9d1c250a-e61b-44d9-88ed-5944d1962f5e"

// token posts a token request and returns the status and decoded answer.
func token(t *testing.T, srv *fakeapi.Server, params map[string]string) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(params)
	resp := do(t, srv, "POST", "/v1/oauth/token", string(body), "x-api-key", "", "Content-Type", "application/json")
	var got map[string]any
	decode(t, resp, &got)
	return resp.StatusCode, got
}

func refresh(t *testing.T, srv *fakeapi.Server, rt string) (int, map[string]any) {
	return token(t, srv, map[string]string{"grant_type": "refresh_token", "refresh_token": rt, "client_id": clientID})
}

func TestOAuthRefreshRotates(t *testing.T) {
	srv := start(t)
	srv.SetExpiresIn(90 * time.Second)
	status, first := refresh(t, srv, "sk-ant-ort01-initial")
	if status != 200 || first["expires_in"] != float64(90) || first["token_type"] != "Bearer" || first["scope"] == nil {
		t.Fatalf("first refresh: %d %v", status, first)
	}
	rt := first["refresh_token"].(string)
	if rt == "sk-ant-ort01-initial" || first["access_token"] == "" {
		t.Fatalf("not rotated: %v", first)
	}
	if status, body := refresh(t, srv, "sk-ant-ort01-initial"); status != 400 || body["error"] != "invalid_grant" {
		t.Errorf("reused initial token: %d %v", status, body)
	}
	status, second := refresh(t, srv, rt)
	if status != 200 || second["refresh_token"] == rt {
		t.Fatalf("second refresh: %d %v", status, second)
	}
	if status, body := refresh(t, srv, rt); status != 400 || body["error"] != "invalid_grant" {
		t.Errorf("reused rotated token: %d %v", status, body)
	}
	if srv.TokenCalls() != 4 {
		t.Errorf("token calls %d", srv.TokenCalls())
	}
	if access, refreshTok := srv.LastIssued(); access != second["access_token"] || refreshTok != second["refresh_token"] {
		t.Errorf("LastIssued %q %q", access, refreshTok)
	}

	// Issued access tokens authenticate even when bearer tokens are restricted.
	srv.AcceptBearerTokens()
	resp, _ := message(t, srv, false, "x-api-key", "", "Authorization", "Bearer "+second["access_token"].(string), "anthropic-beta", fakeapi.OAuthBeta)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("issued access token: status %d", resp.StatusCode)
	}
}

func TestOAuthStrictRefresh(t *testing.T) {
	srv := start(t)
	srv.AddRefreshToken("known")
	if status, body := refresh(t, srv, "unknown"); status != 400 || body["error"] != "invalid_grant" {
		t.Errorf("unknown token: %d %v", status, body)
	}
	if status, _ := refresh(t, srv, "known"); status != 200 {
		t.Errorf("known token: %d", status)
	}
}

func TestOAuthAuthorizationCode(t *testing.T) {
	srv := start(t)
	verifier := "a-verifier-of-sufficient-length-0123456789abcdef"
	sum := sha256.Sum256([]byte(verifier))
	srv.AddAuthCode("code1", base64.RawURLEncoding.EncodeToString(sum[:]))
	exchange := func(code, verifier string) (int, map[string]any) {
		return token(t, srv, map[string]string{
			"grant_type": "authorization_code", "code": code, "state": "st", "client_id": clientID,
			"redirect_uri": "https://console.anthropic.com/oauth/code/callback", "code_verifier": verifier,
		})
	}
	if status, body := exchange("code1", "wrong"); status != 400 || body["error"] != "invalid_grant" {
		t.Errorf("wrong verifier: %d %v", status, body)
	}
	if status, body := exchange("code1", verifier); status != 200 || body["refresh_token"] == nil {
		t.Errorf("exchange: %d %v", status, body)
	}
	if status, _ := exchange("code1", verifier); status != 400 {
		t.Errorf("code reuse: %d", status)
	}
	if status, _ := exchange("other", verifier); status != 400 {
		t.Errorf("unregistered code: %d", status)
	}
	if status, body := token(t, srv, map[string]string{"grant_type": "password", "client_id": clientID}); status != 400 || body["error"] != "unsupported_grant_type" {
		t.Errorf("bad grant: %d %v", status, body)
	}
	if status, body := token(t, srv, map[string]string{"grant_type": "refresh_token", "refresh_token": "x"}); status != 400 || body["error"] != "invalid_request" {
		t.Errorf("no client_id: %d %v", status, body)
	}
}
