//go:build e2e

// Package credentials tests the built binary's credentials end to end: legacy files dropped
// into a watched CREDENTIALS_DIR, OAuth refresh under concurrent load, and that no secret
// ever reaches a log, an output, or a file. Copied from e2e/serve: the harness.
package credentials

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
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

// binary is the built app; make test-e2e builds it first.
func binary(t testing.TB) string {
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

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// env is a private environment for one nexus process: its own config and data dirs, the test
// session's D-Bus (and so its keychain), and nothing that selects PostgreSQL.
type env struct {
	t       testing.TB
	bin     string
	dataDir string
	vars    []string
}

func newEnv(t testing.TB) *env {
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
	return &env{t: t, bin: binary(t), dataDir: filepath.Join(dir, "data"), vars: vars}
}

// run runs a nexus command to completion and returns its stdout; it fails the test on a
// non-zero exit.
func (e *env) run(stdin string, args ...string) string {
	e.t.Helper()
	out, stderr, code := e.try(stdin, args...)
	if code != 0 {
		e.t.Fatalf("nexus %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	return out
}

// try runs a nexus command and returns stdout, stderr and the exit code.
func (e *env) try(stdin string, args ...string) (string, string, int) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.bin, args...)
	cmd.Env = e.vars
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			e.t.Fatalf("nexus %s: %v", strings.Join(args, " "), err)
		}
		code = ee.ExitCode()
	}
	return stdout.String(), stderr.String(), code
}

// server is a running `nexus serve`.
type server struct {
	cmd    *exec.Cmd
	port   int
	url    string
	mu     sync.Mutex
	stderr bytes.Buffer
	done   chan struct{}
	err    error
}

func (s *server) logs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

// serve starts `nexus serve` against upstream and waits until /health answers.
func (e *env) serve(upstream string, extraEnv ...string) *server {
	e.t.Helper()
	port := freePort(e.t)
	cmd := exec.Command(e.bin, "serve", "--port", fmt.Sprint(port), "--data-dir", e.dataDir, "--upstream", upstream)
	cmd.Env = append(append([]string{}, e.vars...), extraEnv...)
	s := &server{cmd: cmd, port: port, url: fmt.Sprintf("http://127.0.0.1:%d", port), done: make(chan struct{})}
	pr, pw, err := os.Pipe()
	if err != nil {
		e.t.Fatal(err)
	}
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
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
	e.t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			cmd.Process.Kill()
			<-s.done
		}
		if e.t.Failed() {
			e.t.Logf("nexus serve log:\n%s", s.logs())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(s.url + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		select {
		case <-s.done:
			e.t.Fatalf("nexus serve exited early: %v\n%s", s.err, s.logs())
		default:
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("nexus serve did not answer /health within 20s\n%s", s.logs())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop sends SIGTERM and returns the exit error (nil for exit 0).
func (s *server) stop(t testing.TB) error {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		return s.err
	case <-time.After(15 * time.Second):
		t.Fatalf("nexus serve did not stop within 15s of SIGTERM\n%s", s.logs())
		return nil
	}
}

// startFake starts the fake Anthropic API on loopback.
func startFake(t testing.TB) *fakeapi.Server {
	t.Helper()
	f, err := fakeapi.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
