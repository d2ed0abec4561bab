//go:build e2e

// Package check tests `nexus check` end to end: the built binary reads the state a running
// `nexus serve` leaves (its listeners, the requests it recorded) and reports it.
package check

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"nexus/e2e/nexustest"
)

// item is one item of `nexus check --json`.
type item struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Status   string `json:"status"`
	Critical bool   `json:"critical"`
	Evidence string `json:"evidence"`
	Fix      string `json:"fix"`
}

// check runs `nexus check --json` with args and returns the exit code and the items by id.
func check(t *testing.T, e *nexustest.Env, extraEnv []string, args ...string) (int, map[string]item) {
	t.Helper()
	saved := e.Vars
	e.Vars = append(append([]string{}, e.Vars...), extraEnv...)
	defer func() { e.Vars = saved }()
	out, stderr, code := e.Try("", append([]string{"check", "--json", "--data-dir", e.DataDir}, args...)...)
	var doc struct {
		Items []item `json:"items"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("nexus check --json: exit %d, not JSON: %v\n%s\n%s", code, err, out, stderr)
	}
	byID := map[string]item{}
	for _, it := range doc.Items {
		byID[it.ID] = it
	}
	if len(byID) != 15 {
		t.Errorf("%d items, want 15", len(byID))
	}
	return code, byID
}

// sendWrongKey sends n Messages requests with a client key that is not Nexus's.
func sendWrongKey(t *testing.T, s *nexustest.Server, n int, ua string) {
	t.Helper()
	for range n {
		req, _ := http.NewRequest("POST", s.URL+"/v1/messages", strings.NewReader(`{"model":"claude-sonnet-4-5","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}`))
		req.Header.Set("x-api-key", "cnp_live_"+strings.Repeat("0", 43))
		req.Header.Set("anthropic-version", "2023-06-01")
		req.Header.Set("User-Agent", ua)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("a wrong client key got %d, want 401", resp.StatusCode)
		}
	}
}

// TestCheckSeesAServeProcess runs `nexus serve`, sends it 10 and then 11 requests with a
// wrong client key, and has `nexus check --json` report the burst, the proxy's loopback
// listeners (with their owner) and its refusal of a dashboard.
func TestCheckSeesAServeProcess(t *testing.T) {
	e := nexustest.NewEnv(t)
	fake := nexustest.StartFake(t)
	s := e.Serve(fake.URL())
	port := fmt.Sprint(s.Port)

	sendWrongKey(t, s, 10, "patient-client/1.0")
	e.Requests(10)
	code, items := check(t, e, nil, "--port", port)
	if code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	if it := items["auth-failure-burst"]; it.Status != "pass" || !strings.Contains(it.Evidence, "10 request(s) got a 401") {
		t.Errorf("after 10 refusals: %+v", it)
	}

	sendWrongKey(t, s, 11, "key-guesser/0.1")
	e.Requests(21)
	code, items = check(t, e, nil, "--port", port)
	if code != 0 {
		t.Errorf("exit %d: auth-failure-burst is not critical", code)
	}
	it := items["auth-failure-burst"]
	if it.Status != "warn" || !strings.Contains(it.Evidence, `"key-guesser/0.1": 11`) || it.Fix == "" {
		t.Errorf("after 11 refusals from one client: %+v", it)
	}
	if strings.Contains(it.Evidence, "patient-client") {
		t.Errorf("a client with 10 refusals is listed as a burst: %s", it.Evidence)
	}

	it = items["loopback-only"]
	if it.Status != "pass" || !strings.Contains(it.Evidence, "127.0.0.1:"+port+" (nexus, pid") {
		t.Errorf("loopback-only: %+v", it)
	}
	it = items["dashboard-exposure"]
	if it.Status != "pass" || !strings.Contains(it.Evidence, "127.0.0.1:"+port+"/dashboard → 404") {
		t.Errorf("dashboard-exposure: %+v", it)
	}
	if err := s.Stop(t); err != nil {
		t.Errorf("nexus serve: %v", err)
	}
}

// TestCheckExitCodes: a default install passes every critical item (exit 0); client auth
// switched off fails one (exit 1).
func TestCheckExitCodes(t *testing.T) {
	e := nexustest.NewEnv(t)
	code, items := check(t, e, nil)
	if code != 0 {
		t.Errorf("exit %d on a default install, want 0: %+v", code, items)
	}
	for id, it := range items {
		if it.Critical && it.Status != "pass" {
			t.Errorf("%s: %+v", id, it)
		}
	}
	if _, err := os.Stat(e.DataDir); !os.IsNotExist(err) {
		t.Errorf("nexus check created the data dir (or cannot tell): %v", err)
	}
	code, items = check(t, e, []string{"ENABLE_CLIENT_AUTH=false"})
	if code != 1 || items["client-auth"].Status != "fail" {
		t.Errorf("with ENABLE_CLIENT_AUTH=false: exit %d, client-auth %+v; want 1 and fail", code, items["client-auth"])
	}
}
