//go:build e2e

// Package nexustest is the end-to-end tests' harness: it runs the built binary
// (build/bin/nexus) with a private environment, starts `nexus serve` in front of the fake
// Anthropic API, and reads back what was recorded.
package nexustest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"nexus/internal/fakeapi"
)

// Binary is the built app; make test-e2e builds it first.
func Binary(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(wd, "..", "..", "build", "bin", "nexus")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("%s is missing: run make build first (%v)", bin, err)
	}
	return bin
}

func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func RandomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Env is a private environment for nexus processes: its own config and data dirs, the test
// session's D-Bus (and so its keychain), and nothing that selects PostgreSQL. Tests may add
// to Vars.
type Env struct {
	T       testing.TB
	Bin     string
	DataDir string
	Vars    []string
}

// NewEnv returns a fresh environment under t.TempDir.
func NewEnv(t testing.TB) *Env {
	t.Helper()
	dir := t.TempDir()
	vars := []string{}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "DATABASE_URL=") || strings.HasPrefix(kv, "XDG_CONFIG_HOME=") ||
			strings.HasPrefix(kv, "PORT=") || strings.HasPrefix(kv, "HOST=") {
			continue
		}
		vars = append(vars, kv)
	}
	vars = append(vars, "XDG_CONFIG_HOME="+filepath.Join(dir, "config"))
	return &Env{T: t, Bin: Binary(t), DataDir: filepath.Join(dir, "data"), Vars: vars}
}

// Run runs a nexus command to completion and returns its stdout; it fails the test on a
// non-zero exit.
func (e *Env) Run(stdin string, args ...string) string {
	e.T.Helper()
	out, stderr, code := e.Try(stdin, args...)
	if code != 0 {
		e.T.Fatalf("nexus %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	return out
}

// Try runs a nexus command and returns stdout, stderr and the exit code.
func (e *Env) Try(stdin string, args ...string) (string, string, int) {
	e.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.Bin, args...)
	cmd.Env = e.Vars
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			e.T.Fatalf("nexus %s: %v", strings.Join(args, " "), err)
		}
		code = ee.ExitCode()
	}
	return stdout.String(), stderr.String(), code
}

// Server is a running `nexus serve`; URL is its base URL.
type Server struct {
	cmd    *exec.Cmd
	Port   int
	URL    string
	mu     sync.Mutex
	stderr bytes.Buffer
	done   chan struct{}
	err    error
}

// Logs is what the server wrote to stderr so far.
func (s *Server) Logs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

// Serve starts `nexus serve` against upstream and waits until /health answers.
func (e *Env) Serve(upstream string, extraEnv ...string) *Server {
	e.T.Helper()
	port := FreePort(e.T)
	cmd := exec.Command(e.Bin, "serve", "--port", fmt.Sprint(port), "--data-dir", e.DataDir, "--upstream", upstream)
	cmd.Env = append(append([]string{}, e.Vars...), extraEnv...)
	s := &Server{cmd: cmd, Port: port, URL: fmt.Sprintf("http://127.0.0.1:%d", port), done: make(chan struct{})}
	pr, pw, err := os.Pipe()
	if err != nil {
		e.T.Fatal(err)
	}
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		e.T.Fatal(err)
	}
	pw.Close()
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			s.mu.Lock()
			s.stderr.Write(sc.Bytes())
			s.stderr.WriteByte('\n')
			s.mu.Unlock()
		}
	}()
	go func() { s.err = cmd.Wait(); close(s.done) }()
	e.T.Cleanup(func() {
		select {
		case <-s.done:
		default:
			cmd.Process.Kill()
			<-s.done
		}
		if e.T.Failed() {
			e.T.Logf("nexus serve log:\n%s", s.Logs())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		select {
		case <-s.done:
			e.T.Fatalf("nexus serve exited early: %v\n%s", s.err, s.Logs())
		default:
		}
		if time.Now().After(deadline) {
			e.T.Fatalf("nexus serve did not answer /health within 20s\n%s", s.Logs())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Stop sends SIGTERM and returns the exit error (nil for exit 0).
func (s *Server) Stop(t testing.TB) error {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		return s.err
	case <-time.After(15 * time.Second):
		t.Fatalf("nexus serve did not stop within 15s of SIGTERM\n%s", s.Logs())
		return nil
	}
}

// StartFake starts the fake Anthropic API on loopback.
func StartFake(t testing.TB) *fakeapi.Server {
	t.Helper()
	f, err := fakeapi.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// SetupAccount stores a fresh API key account in the keychain, makes it the default, and
// returns the key and the client key.
func (e *Env) SetupAccount() (apiKey, clientKey string) {
	e.T.Helper()
	name := "e2e-" + RandomHex(4)
	apiKey = "sk-ant-api03-e2e-" + RandomHex(16)
	e.Run(apiKey+"\n", "credentials", "add-key", name)
	e.Run("", "credentials", "default", name)
	e.T.Cleanup(func() { e.Try("", "credentials", "remove", name) })
	clientKey = strings.TrimSpace(e.Run("", "client-key", "show"))
	if !strings.HasPrefix(clientKey, "cnp_live_") {
		e.T.Fatalf("client-key show printed %q", clientKey)
	}
	return apiKey, clientKey
}

// Recorded is one line of `nexus requests --json`.
type Recorded struct {
	ID                       string  `json:"id"`
	StartedAt                string  `json:"started_at"`
	Method                   string  `json:"method"`
	Path                     string  `json:"path"`
	Model                    string  `json:"model"`
	Stream                   bool    `json:"stream"`
	Status                   int     `json:"status"`
	Error                    string  `json:"error"`
	Kind                     string  `json:"kind"`
	SessionID                string  `json:"session_id"`
	Account                  string  `json:"account"`
	Finished                 bool    `json:"finished"`
	Incomplete               bool    `json:"incomplete"`
	InputTokens              int64   `json:"input_tokens"`
	OutputTokens             int64   `json:"output_tokens"`
	CacheCreationInputTokens int64   `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int64   `json:"cache_read_input_tokens"`
	CostUSD                  float64 `json:"cost_usd"`
	TTFBMs                   float64 `json:"ttfb_ms"`
	DurationMs               float64 `json:"duration_ms"`
	OverheadMs               float64 `json:"overhead_ms"`
	Headers                  string  `json:"headers"`
	Redactions               int     `json:"redactions"`
}

// Requests waits until `nexus requests --json` lists at least n finished requests.
func (e *Env) Requests(n int) []Recorded {
	e.T.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		out := e.Run("", "requests", "--json", "--limit", "1000", "--data-dir", e.DataDir)
		var doc struct {
			Requests []Recorded `json:"requests"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			e.T.Fatalf("requests --json is not JSON: %v\n%s", err, out)
		}
		finished := 0
		for _, r := range doc.Requests {
			if r.Finished {
				finished++
			}
		}
		if finished >= n {
			return doc.Requests
		}
		if time.Now().After(deadline) {
			e.T.Fatalf("only %d of %d requests recorded:\n%s", finished, n, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
