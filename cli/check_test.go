package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
)

// checkEnv isolates t and, outside scripts/test-session.sh, keeps the check away from the
// user's own keychain (the keychain item then fails, which is not critical).
func checkEnv(t *testing.T) env {
	t.Helper()
	e := isolate(t)
	if os.Getenv("NEXUS_TEST_SESSION") == "" {
		noKeychain(t)
	}
	return e
}

// checkJSON runs `nexus check --json` and returns its exit code and items, each checked to
// carry the six fields of the contract.
func checkJSON(t *testing.T) (int, map[string]map[string]any, string) {
	t.Helper()
	r := run(t, "", "check", "--json")
	var doc struct {
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("exit %d, stdout is not JSON: %v\n%s\nstderr: %s", r.code, err, r.stdout, r.stderr)
	}
	if len(doc.Items) == 0 {
		t.Fatalf("no items:\n%s", r.stdout)
	}
	byID := map[string]map[string]any{}
	for _, it := range doc.Items {
		for _, k := range []string{"id", "title", "status", "critical", "evidence", "fix"} {
			if _, ok := it[k]; !ok {
				t.Errorf("item %v has no %q", it["id"], k)
			}
		}
		switch it["status"] {
		case "pass", "warn", "fail":
		default:
			t.Errorf("item %v: status %v", it["id"], it["status"])
		}
		byID[it["id"].(string)] = it
	}
	return r.code, byID, r.stdout + r.stderr
}

func TestCheckDefaultsPass(t *testing.T) {
	e := checkEnv(t)
	code, items, _ := checkJSON(t)
	if code != 0 {
		t.Errorf("exit %d on a default install, want 0: %v", code, items)
	}
	for _, id := range []string{"client-auth", "loopback-only", "dashboard-exposure", "data-file-modes", "database-tls",
		"database-privileges", "body-storage", "upstream-tls", "auth-failure-burst", "token-spike", "subscription-terms"} {
		if it, ok := items[id]; !ok || it["status"] != "pass" {
			t.Errorf("%s: %v, want pass", id, it)
		}
	}
	if len(items) != 15 {
		t.Errorf("%d items, want 15", len(items))
	}
	if items["client-auth"]["critical"] != true {
		t.Errorf("client-auth should be critical: %v", items["client-auth"])
	}
	if _, err := os.Stat(e.dataDir); !os.IsNotExist(err) {
		t.Errorf("check created the data dir (or cannot tell): %v", err)
	}
}

func TestCheckClientAuthOffExits1(t *testing.T) {
	checkEnv(t)
	t.Setenv("ENABLE_CLIENT_AUTH", "false")
	code, items, _ := checkJSON(t)
	if code != 1 {
		t.Errorf("exit %d with client auth off, want 1", code)
	}
	if items["client-auth"]["status"] != "fail" {
		t.Errorf("client-auth: %v, want fail", items["client-auth"])
	}
	r := run(t, "", "check")
	if r.code != 1 || !regexp.MustCompile(`(?m)^FAIL! +client-auth `).MatchString(r.stdout) || !strings.Contains(r.stdout, "fix: ") {
		t.Errorf("table: exit %d\n%s", r.code, r.stdout)
	}
}

func TestCheckNeverPrintsTheDatabasePassword(t *testing.T) {
	checkEnv(t)
	t.Setenv("DATABASE_URL", "postgres://nexus:s3cr3t-pw@db.example.com:5432/nexus?sslmode=disable")
	code, items, out := checkJSON(t)
	if code != 0 {
		t.Errorf("exit %d: database-tls is not critical", code)
	}
	if it := items["database-tls"]; it["status"] != "fail" || !strings.Contains(it["evidence"].(string), "db.example.com") {
		t.Errorf("database-tls: %v, want a fail naming the host", it)
	}
	r := run(t, "", "check")
	if strings.Contains(out+r.stdout+r.stderr, "s3cr3t-pw") {
		t.Errorf("the password was printed:\n%s\n%s", out, r.stdout)
	}
}

// listenOn serves h on addr in this test process until the test ends, and returns the port
// and the address the OS gave (Go listens on [::] for 0.0.0.0, dual-stack).
func listenOn(t *testing.T, addr string, h http.Handler) (string, string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port, ln.Addr().String()
}

func TestCheckReadsTheListenersOnThePort(t *testing.T) {
	checkEnv(t)
	me := fmt.Sprintf("pid %d", os.Getpid())

	// Something of this process listens on the configured port on every interface.
	port, wild := listenOn(t, "0.0.0.0:0", http.NotFoundHandler())
	t.Setenv("PORT", port)
	code, items, _ := checkJSON(t)
	if code != 1 {
		t.Errorf("exit %d with a listener on every interface, want 1", code)
	}
	if it := items["loopback-only"]; it["status"] != "fail" || !strings.Contains(it["evidence"].(string), wild+" (cli.test, "+me+")") ||
		!strings.Contains(it["evidence"].(string), me) {
		t.Errorf("loopback-only: %v", it)
	}

	// On loopback only, answering 404: both critical items pass.
	port, _ = listenOn(t, "127.0.0.1:0", http.NotFoundHandler())
	t.Setenv("PORT", port)
	code, items, _ = checkJSON(t)
	if code != 0 {
		t.Errorf("exit %d with a loopback listener, want 0: %v", code, items)
	}
	if it := items["loopback-only"]; it["status"] != "pass" || !strings.Contains(it["evidence"].(string), "127.0.0.1:"+port) {
		t.Errorf("loopback-only: %v", it)
	}
	if it := items["dashboard-exposure"]; it["status"] != "pass" || !strings.Contains(it["evidence"].(string), "/dashboard → 404") {
		t.Errorf("dashboard-exposure: %v", it)
	}
}

func TestCheckProbesForAnOpenDashboard(t *testing.T) {
	checkEnv(t)
	port, _ := listenOn(t, "127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<html><body>Claude Nexus dashboard</body></html>")
	}))
	t.Setenv("PORT", port)
	code, items, _ := checkJSON(t)
	if code != 1 {
		t.Errorf("exit %d with a dashboard open without authentication, want 1", code)
	}
	it := items["dashboard-exposure"]
	if it["status"] != "fail" || !strings.Contains(it["evidence"].(string), "127.0.0.1:"+port+"/dashboard → 200, a web page") {
		t.Errorf("dashboard-exposure: %v", it)
	}
}
