package proxy_test

// One test per guard rule: a local proxy must not be reachable from web pages (Origin,
// Referer) nor through DNS rebinding (a Host that is not loopback).

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"nexus/proxy"
)

func TestHostMustBeLoopback(t *testing.T) {
	e := newEnv(t, nil)
	_, port, _ := net.SplitHostPort(e.proxy.Listener.Addr().String())
	for _, tc := range []struct {
		host string
		ok   bool
	}{
		{"localhost:" + port, true},
		{"127.0.0.1:" + port, true},
		{"[::1]:" + port, true},
		{"localhost", true},
		{"LOCALHOST:" + port, true},
		{"evil.com", false},
		{"evil.com:" + port, false},
		{"127.0.0.1.nip.io:" + port, false},
		{"localhost.evil.com:" + port, false},
		{"0.0.0.0:" + port, false},
		{"0.0.0.0", false},
		{"[::]:" + port, false},
		{"192.168.1.10:" + port, false},
	} {
		for _, path := range []string{"/v1/models", "/health"} {
			t.Run(tc.host+path, func(t *testing.T) {
				before := e.fake.Count()
				req := e.request("GET", path, "")
				req.Host = tc.host
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if tc.ok {
					if resp.StatusCode != http.StatusOK {
						t.Errorf("status %d: %s", resp.StatusCode, body)
					}
					return
				}
				wantError(t, resp, body, http.StatusForbidden, "permission_error")
				if e.fake.Count() != before {
					t.Error("a refused request reached upstream")
				}
			})
		}
	}
}

func TestOriginRefused(t *testing.T) {
	for _, origin := range []string{"https://evil.example", "http://localhost:3000", "null"} {
		t.Run(origin, func(t *testing.T) {
			e := newEnv(t, nil)
			resp, body := e.doRead("POST", "/v1/messages", messagesBody, "Origin", origin)
			wantError(t, resp, body, http.StatusForbidden, "permission_error")
			if e.fake.Count() != 0 {
				t.Error("request reached upstream")
			}
			if rec := e.rec.last(t); rec.Rejected != "guard" || rec.RequestBody != nil || rec.Status != http.StatusForbidden {
				t.Errorf("record rejected %q status %d body %q", rec.Rejected, rec.Status, rec.RequestBody)
			}
		})
	}
}

func TestRefererRefused(t *testing.T) {
	e := newEnv(t, nil)
	resp, body := e.doRead("POST", "/v1/messages", messagesBody, "Referer", "https://evil.example/page")
	wantError(t, resp, body, http.StatusForbidden, "permission_error")
	if e.fake.Count() != 0 {
		t.Error("request reached upstream")
	}
	// Even /health: a page must not learn that the proxy runs.
	resp, body = e.doRead("GET", "/health", "", "Referer", "https://evil.example/page")
	wantError(t, resp, body, http.StatusForbidden, "permission_error")
}

func TestNosniffOnEveryAnswer(t *testing.T) {
	e := newEnv(t, nil)
	unreachable := newEnv(t, func(c *proxy.Config) { c.Upstream = deadUpstream(t) })
	for _, tc := range []struct {
		name   string
		env    *env
		method string
		path   string
		hdr    []string
		status int
	}{
		{"proxied", e, "POST", "/v1/messages", nil, 200},
		{"proxied stream", e, "POST", "/v1/messages", []string{"x-fake-scenario", "text"}, 200},
		{"upstream error", e, "POST", "/v1/messages", []string{"x-fake-scenario", "error:529"}, 529},
		{"health", e, "GET", "/health", nil, 200},
		{"not found", e, "GET", "/admin", nil, 404},
		{"unauthenticated", e, "POST", "/v1/messages", []string{"x-api-key", ""}, 401},
		{"guard", e, "POST", "/v1/messages", []string{"Origin", "https://evil.example"}, 403},
		{"unreachable", unreachable, "POST", "/v1/messages", nil, 502},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := messagesBody
			if tc.name == "proxied stream" {
				body = streamBody
			}
			resp, _ := tc.env.doRead(tc.method, tc.path, body, tc.hdr...)
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if v := resp.Header.Values("X-Content-Type-Options"); len(v) != 1 || v[0] != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", v)
			}
		})
	}
}

func TestHealthNeedsNoAuth(t *testing.T) {
	e := newEnv(t, nil)
	resp, body := e.doRead("GET", "/health", "", "x-api-key", "")
	if resp.StatusCode != http.StatusOK || string(body) != `{"status":"ok"}` {
		t.Errorf("health: %d %q", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("content-type %q", ct)
	}
	if e.fake.Count() != 0 {
		t.Error("health reached upstream")
	}
}

func TestListenRefusesNonLoopback(t *testing.T) {
	for _, host := range []string{"0.0.0.0", "::", "[::]", "192.168.1.10", "evil.com", "127.0.0.1.nip.io", "localhost.evil.com"} {
		lns, err := proxy.Listen(host, 0)
		if !errors.Is(err, proxy.ErrNotLoopback) {
			t.Errorf("Listen(%q): %v, want ErrNotLoopback", host, err)
		}
		for _, ln := range lns {
			ln.Close()
		}
	}
}

func hasIPv6Loopback() bool {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

func TestListenBindsBothLoopbacks(t *testing.T) {
	for _, host := range []string{"", "localhost"} {
		lns, err := proxy.Listen(host, 0)
		if err != nil {
			t.Fatalf("Listen(%q): %v", host, err)
		}
		var ips []string
		port := -1
		for _, ln := range lns {
			a := ln.Addr().(*net.TCPAddr)
			ips = append(ips, a.IP.String())
			if port != -1 && a.Port != port {
				t.Errorf("ports differ: %d and %d", port, a.Port)
			}
			port = a.Port
			ln.Close()
		}
		want := []string{"127.0.0.1"}
		if hasIPv6Loopback() {
			want = append(want, "::1")
		}
		if len(ips) != len(want) || ips[0] != want[0] || (len(want) == 2 && ips[1] != want[1]) {
			t.Errorf("Listen(%q) bound %v, want %v", host, ips, want)
		}
	}
	for _, host := range []string{"127.0.0.1", "::1", "[::1]"} {
		if host != "127.0.0.1" && !hasIPv6Loopback() {
			continue
		}
		lns, err := proxy.Listen(host, 0)
		if err != nil || len(lns) != 1 {
			t.Errorf("Listen(%q): %d listeners, %v", host, len(lns), err)
		}
		for _, ln := range lns {
			ln.Close()
		}
	}
}

// TestListenFailsWhenIPv6PortTaken: another program on [::1]:P would receive the
// credentials of every client that resolves localhost to ::1; Listen must not quietly
// serve IPv4 alone then.
func TestListenFailsWhenIPv6PortTaken(t *testing.T) {
	if !hasIPv6Loopback() {
		t.Skip("no IPv6 loopback")
	}
	squatter, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Fatal(err)
	}
	defer squatter.Close()
	port := squatter.Addr().(*net.TCPAddr).Port
	lns, err := proxy.Listen("", port)
	for _, ln := range lns {
		ln.Close()
	}
	if err == nil {
		t.Fatalf("Listen succeeded with %d listeners while [::1]:%d is taken", len(lns), port)
	}
}

func TestServerStartStop(t *testing.T) {
	e := newEnv(t, nil)
	srv := proxy.NewServer(e.proxy.Config.Handler, discardLogger())
	if err := srv.Start("0.0.0.0", 0); !errors.Is(err, proxy.ErrNotLoopback) {
		t.Fatalf("Start on 0.0.0.0: %v", err)
	}
	for range 2 { // the tray switches it on and off
		if err := srv.Start("", 0); err != nil {
			t.Fatal(err)
		}
		if err := srv.Start("", 0); err == nil {
			t.Error("second Start succeeded")
		}
		_, port, _ := net.SplitHostPort(srv.Addr())
		hosts := []string{"127.0.0.1"}
		if hasIPv6Loopback() {
			hosts = append(hosts, "[::1]")
		}
		for _, h := range hosts {
			resp, err := http.Get("http://" + h + ":" + port + "/health")
			if err != nil {
				t.Fatalf("%s: %v", h, err)
			}
			var v map[string]string
			json.NewDecoder(resp.Body).Decode(&v)
			resp.Body.Close()
			if v["status"] != "ok" {
				t.Errorf("%s: health %v", h, v)
			}
		}
		if err := srv.Stop(t.Context()); err != nil {
			t.Fatal(err)
		}
		if srv.Running() {
			t.Error("running after Stop")
		}
		if _, err := net.Dial("tcp", "127.0.0.1:"+port); err == nil {
			t.Error("still listening after Stop")
		}
		if p, _ := strconv.Atoi(port); p == 0 {
			t.Error("no port")
		}
	}
}

// The tray and the window may switch the proxy at the same moment: a Start that follows a
// Stop, on the same port, never finds the port still taken.
func TestServerToggledConcurrently(t *testing.T) {
	e := newEnv(t, nil)
	srv := proxy.NewServer(e.proxy.Config.Handler, discardLogger())
	if err := srv.Start("127.0.0.1", 0); err != nil {
		t.Fatal(err)
	}
	_, p, _ := net.SplitHostPort(srv.Addr())
	port, _ := strconv.Atoi(p)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []error
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			srv.Stop(t.Context())
			if err := srv.Start("127.0.0.1", port); err != nil && !strings.Contains(err.Error(), "already running") {
				mu.Lock()
				failures = append(failures, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	srv.Stop(t.Context())
	if len(failures) > 0 {
		t.Errorf("%d of 50 stop-then-start pairs failed, first: %v", len(failures), failures[0])
	}
}

// Stop reports no error for the listeners it closed itself: http.Server.Shutdown closes the
// ones its Serve loops have not yet let go, and a second close says "use of closed network
// connection" (nexus serve then exited 1 on a clean shutdown, now and then).
func TestServerStopIsClean(t *testing.T) {
	e := newEnv(t, nil)
	srv := proxy.NewServer(e.proxy.Config.Handler, discardLogger())
	for i := range 300 {
		if err := srv.Start("", 0); err != nil {
			t.Fatal(err)
		}
		if err := srv.Stop(t.Context()); err != nil {
			t.Fatalf("stop %d: %v", i, err)
		}
	}
}
