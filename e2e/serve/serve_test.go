//go:build e2e

package serve

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"nexus/e2e/nexustest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeLoopbackOnly checks the headless contract: /health on 127.0.0.1 and ::1, nothing
// on the machine's other addresses, a clean stop on SIGTERM, and a refusal to bind beyond
// loopback.
func TestServeLoopbackOnly(t *testing.T) {
	e := newEnv(t)
	s := e.Serve("http://127.0.0.1:9") // upstream unused here

	resp, err := http.Get(s.URL + "/health")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != `{"status":"ok"}` {
		t.Fatalf("/health: %d %q", resp.StatusCode, body)
	}
	if c, err := net.DialTimeout("tcp", fmt.Sprintf("[::1]:%d", s.Port), time.Second); err == nil {
		c.Close()
	} else if !strings.Contains(err.Error(), "cannot assign") && !strings.Contains(err.Error(), "network is unreachable") {
		t.Errorf("::1 not listening: %v", err)
	}
	for _, ip := range nonLoopbackAddrs(t) {
		c, err := net.DialTimeout("tcp", net.JoinHostPort(ip, fmt.Sprint(s.Port)), time.Second)
		if err == nil {
			c.Close()
			t.Errorf("the proxy answers on %s: it must listen on loopback only", ip)
		}
	}
	st, err := os.Stat(e.DataDir)
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("data dir mode: %v %v", st.Mode(), err)
	}
	if st, err := os.Stat(filepath.Join(e.DataDir, "nexus.db")); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("database file mode: %v", err)
	}

	if err := s.Stop(t); err != nil {
		t.Fatalf("nexus serve did not exit 0 on SIGTERM: %v\n%s", err, s.Logs())
	}
	if _, err := http.Get(s.URL + "/health"); err == nil {
		t.Error("still answering after SIGTERM")
	}
}

func nonLoopbackAddrs(t *testing.T) []string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() && !ipn.IP.IsLinkLocalUnicast() {
			out = append(out, ipn.IP.String())
		}
	}
	return out
}

// TestServeRefusesNonLoopback: HOST or a setting naming another address is an error with the
// reason, and nothing listens.
func TestServeRefusesNonLoopback(t *testing.T) {
	e := newEnv(t)
	for _, host := range []string{"0.0.0.0", "192.168.1.10", "::", "example.com"} {
		e.Vars = append(e.Vars, "HOST="+host)
		_, stderr, code := e.Try("", "serve", "--port", fmt.Sprint(nexustest.FreePort(t)), "--data-dir", e.DataDir)
		e.Vars = e.Vars[:len(e.Vars)-1]
		if code == 0 || !strings.Contains(stderr, "loopback") {
			t.Errorf("HOST=%s: exit %d, stderr %q; want non-zero and a reason naming loopback", host, code, stderr)
		}
	}
}

// TestServeRecordsRejections: requests from web pages and without a client key are refused
// and still recorded (the security checklist counts them).
func TestServeRecordsRejections(t *testing.T) {
	e := newEnv(t)
	fake := nexustest.StartFake(t)
	s := e.Serve(fake.URL())
	cases := []struct {
		header, value string
		want          int
	}{
		{"Origin", "https://evil.example", 403},
		{"Referer", "https://evil.example/page", 403},
		{"X-Api-Key", "cnp_live_wrong", 401},
	}
	for _, c := range cases {
		req, _ := http.NewRequest("POST", s.URL+"/v1/messages", strings.NewReader(`{}`))
		req.Header.Set(c.header, c.value)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.want || !strings.Contains(string(body), `"type":"error"`) {
			t.Errorf("%s: %d %s", c.header, resp.StatusCode, body)
		}
	}
	if n := fake.Count(); n != 0 {
		t.Errorf("refused requests reached upstream: %d", n)
	}
	recs := e.Requests(len(cases))
	statuses := map[int]int{}
	for _, r := range recs {
		statuses[r.Status]++
	}
	if statuses[403] != 2 || statuses[401] != 1 {
		t.Errorf("recorded statuses %v, want two 403 and one 401", statuses)
	}
}
