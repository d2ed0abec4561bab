//go:build e2e

package desktop

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"nexus/internal/freeport"
	"nexus/internal/syncbuf"
)

// Timeouts are generous: CI has two cores and WebKit starts slowly there.
const (
	startTimeout = 60 * time.Second // process start → window, tray, "frontend ready"
	stepTimeout  = 10 * time.Second // one tray click → its effect
	exitTimeout  = 10 * time.Second // SIGTERM or Quit → exit
)

// repoRoot is the directory holding go.mod, found upward from the test's working directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		if filepath.Dir(dir) == dir {
			t.Fatalf("no go.mod above %s", wd)
		}
	}
}

// appBinary is build/bin/nexus; its absence fails the test (the e2e tests test the build).
func appBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(repoRoot(t), "build", "bin", "nexus")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("%s is missing: run `make build` first (%v)", bin, err)
	}
	return bin
}

// requireSessionBus fails unless a D-Bus session bus is set: without one GLib and godbus
// spawn stray dbus-daemons, and the keychain and tray cannot work.
func requireSessionBus(t *testing.T) {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Fatal("DBUS_SESSION_BUS_ADDRESS is unset: run through scripts/test-session.sh (make test-e2e does)")
	}
}

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// proc is a started process in its own process group; the group is killed at cleanup.
type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited; err is set then
	err  error
}

func startProc(t *testing.T, name string, cmd *exec.Cmd) *proc {
	t.Helper()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	p := &proc{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		// The whole group, WebKit's helper processes too; ESRCH once all have gone. SIGTERM
		// first, so that Xvfb removes its socket and lock file.
		for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
			if syscall.Kill(-cmd.Process.Pid, sig) != nil {
				return
			}
			select {
			case <-p.done:
				if sig == syscall.SIGTERM {
					continue // the leader is gone; SIGKILL whatever is left of its group
				}
				return
			case <-time.After(5 * time.Second):
			}
		}
		t.Errorf("%s (pid %d) did not die on SIGKILL", name, cmd.Process.Pid)
	})
	return p
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// wait waits up to timeout for the process to exit and returns its exit code (-1 when a
// signal ended it); it fails the test on timeout.
func (p *proc) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		t.Fatalf("%s did not exit within %v", p.name, timeout)
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		t.Fatalf("waiting for %s: %v", p.name, p.err)
	}
	return 0
}

// startXvfb starts a virtual X server on a display it picks itself (-displayfd) and returns
// the DISPLAY value.
func startXvfb(t *testing.T) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var log syncbuf.Buffer
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x1024x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w} // fd 3
	cmd.Stdout, cmd.Stderr = &log, &log
	p := startProc(t, "Xvfb", cmd)
	w.Close()
	t.Cleanup(func() {
		if t.Failed() && log.String() != "" {
			t.Logf("Xvfb output:\n%s", log.String())
		}
	})
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case n := <-line:
		if _, err := strconv.Atoi(n); err != nil {
			<-p.done
			t.Fatalf("Xvfb did not start (%v):\n%s", p.err, log.String())
		}
		return ":" + n
	case <-time.After(startTimeout):
		t.Fatalf("Xvfb did not report a display within %v:\n%s", startTimeout, log.String())
	}
	return ""
}

// nexusApp is the desktop app under test, with its own data dir, port and XDG dirs.
type nexusApp struct {
	*proc
	display    string
	port       int
	dataDir    string // given with --data-dir; the app creates it
	configHome string // XDG_CONFIG_HOME: settings.json lives in nexus/ below it
	outputPath string // stdout and stderr
}

// startApp launches build/bin/nexus on display with fresh dirs and a free port. Its output is
// logged when the test fails. extra sets more environment variables (e.g. CREDENTIALS_DIR).
func startApp(t *testing.T, display string, extra ...map[string]string) *nexusApp {
	t.Helper()
	bin := appBinary(t)
	tmp := t.TempDir()
	a := &nexusApp{display: display, port: freeport.Loopback(t), dataDir: filepath.Join(tmp, "data"),
		configHome: filepath.Join(tmp, "config"), outputPath: filepath.Join(tmp, "output.log")}
	set := map[string]string{
		"DISPLAY":     display,
		"GDK_BACKEND": "x11",
		// Xvfb has no GPU: WebKit's compositor then runs on software GL and, on a busy two-core
		// machine, lags the page by up to ten seconds. Painting without it shows the same pixels
		// as soon as the page has them.
		"WEBKIT_DISABLE_COMPOSITING_MODE": "1",
		"XDG_CONFIG_HOME":                 a.configHome,
		"XDG_DATA_HOME":                   filepath.Join(tmp, "xdg-data"),
		"XDG_CACHE_HOME":                  filepath.Join(tmp, "xdg-cache"),
	}
	for _, k := range []string{"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"} {
		if err := os.Mkdir(set[k], 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range extra {
		for k, v := range e {
			set[k] = v
		}
	}
	out, err := os.Create(a.outputPath)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close() // the child has its own copy
	cmd := exec.Command(bin, "--data-dir", a.dataDir, "--port", strconv.Itoa(a.port))
	cmd.Dir = tmp
	cmd.Env = appEnv(set)
	cmd.Stdout, cmd.Stderr = out, out
	a.proc = startProc(t, "nexus", cmd)
	t.Logf("started nexus (pid %d) on display %s, port %d", cmd.Process.Pid, display, a.port)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("nexus output:\n%s", a.output())
		}
	})
	return a
}

// appEnv is this process's environment (keeping the session bus) with set applied and every
// variable that would redirect the app elsewhere removed.
func appEnv(set map[string]string) []string {
	drop := map[string]bool{"WAYLAND_DISPLAY": true, "PORT": true, "HOST": true, "NEXUS_DATA_DIR": true,
		"DATABASE_URL": true, "CREDENTIALS_DIR": true, "CLAUDE_API_BASE_URL": true}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := set[k]; !ok && !drop[k] {
			env = append(env, kv)
		}
	}
	for k, v := range set {
		env = append(env, k+"="+v)
	}
	return env
}

func (a *nexusApp) output() string {
	b, _ := os.ReadFile(a.outputPath)
	return string(b)
}

// waitFor is waitFor that gives up at once, with the app's exit status, if the app exits.
func (a *nexusApp) waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	waitFor(t, timeout, what, func() bool {
		if a.exited() {
			if strings.Contains(a.output(), "without the correct build tags") {
				t.Fatal("build/bin/nexus was built without the desktop tags: run `make build`")
			}
			t.Fatalf("nexus exited (%v) while waiting for %s", a.err, what)
		}
		return cond()
	})
}

// health GETs /health from the proxy and returns the body.
func (a *nexusApp) health() (string, error) {
	c := http.Client{Timeout: 3 * time.Second}
	resp, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d/health", a.port))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %s: %s", resp.Status, b)
	}
	return string(b), nil
}

// savedSettings reads the app's settings file ($XDG_CONFIG_HOME/nexus/settings.json).
func (a *nexusApp) savedSettings() (map[string]any, error) {
	b, err := os.ReadFile(filepath.Join(a.configHome, "nexus", "settings.json"))
	if err != nil {
		return nil, err
	}
	var s map[string]any
	return s, json.Unmarshal(b, &s)
}

// proxyEnabledSaved reports whether the settings file says proxy_enabled is on.
func (a *nexusApp) proxyEnabledSaved(on bool) bool {
	s, err := a.savedSettings()
	return err == nil && s["proxy_enabled"] == on
}

func (a *nexusApp) proxyHealthy() bool {
	body, err := a.health()
	return err == nil && strings.TrimSpace(body) == `{"status":"ok"}`
}

// portRefused reports whether nothing listens on the proxy's port any more.
func (a *nexusApp) portRefused() bool {
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", a.port), time.Second)
	if err == nil {
		c.Close()
		return false
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// visibleWindow returns the id of the app's mapped window titled "Nexus", or "" when there is
// none. (Without --onlyvisible the first match is an unmapped helper window.)
func (a *nexusApp) visibleWindow(t *testing.T) string {
	t.Helper()
	out, err := a.x(t, "xdotool", "search", "--onlyvisible", "--name", "^Nexus$")
	if err != nil {
		return "" // exit status 1: no match
	}
	id, _, _ := strings.Cut(strings.TrimSpace(out), "\n")
	return id
}

// x runs an X client on the app's display.
func (a *nexusApp) x(t *testing.T, name string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+a.display)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, stderr.String())
	}
	return string(out), nil
}
