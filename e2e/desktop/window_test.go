//go:build e2e

package desktop

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"nexus/internal/fakeapi"
)

// TestWindow starts the app on a virtual display without a tray host and checks what a user
// sees first: a painted Home window, a running proxy, owner-only data files, the Security
// view, and a clean exit on SIGTERM. The user is migrating from Claude Nexus Proxy: a legacy
// credential file readable by others lies in CREDENTIALS_DIR, so the Security view has an
// item to show with its fixes. Then two turns of one conversation go through the proxy to
// the fake Anthropic API, and the Requests and Conversations views show them (and, before
// them, their empty states).
func TestWindow(t *testing.T) {
	requireSessionBus(t)
	creds := legacyCredentials(t, 0o644)
	fake, err := fakeapi.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	app := startApp(t, startXvfb(t), map[string]string{"CREDENTIALS_DIR": creds, "CLAUDE_API_BASE_URL": fake.URL()})

	var win string
	app.waitFor(t, startTimeout, "a visible window titled Nexus", func() bool {
		win = app.visibleWindow(t)
		return win != ""
	})
	app.waitFor(t, startTimeout, `msg="frontend ready" in the app's log`, func() bool {
		return strings.Contains(app.output(), `msg="frontend ready"`)
	})
	time.Sleep(1500 * time.Millisecond) // let WebKit paint what the front end rendered

	shot := filepath.Join(repoRoot(t), "build", "test-artifacts", "window-home.png")
	if err := os.MkdirAll(filepath.Dir(shot), 0o755); err != nil {
		t.Fatal(err)
	}
	home := waitPainted(t, app, win, shot, "")
	t.Logf("screenshot: %s", shot)

	// The Security view, from the sidebar: 15 checks, the legacy file among those that fail.
	clickSidebar(t, app, win, "Security")
	shot = filepath.Join(filepath.Dir(shot), "window-security.png")
	security := waitPainted(t, app, win, shot, home.signature)
	t.Logf("screenshot: %s", shot)

	// Requests and Conversations before any traffic: their empty states.
	clickSidebar(t, app, win, "Requests")
	shot = filepath.Join(filepath.Dir(shot), "window-requests-empty.png")
	requestsEmpty := waitPainted(t, app, win, shot, security.signature)
	t.Logf("screenshot: %s", shot)
	clickSidebar(t, app, win, "Conversations")
	shot = filepath.Join(filepath.Dir(shot), "window-conversations-empty.png")
	conversationsEmpty := waitPainted(t, app, win, shot, requestsEmpty.signature)
	t.Logf("screenshot: %s", shot)

	// Two turns of one conversation. The open view follows the new records by itself (Go
	// re-emits the status when its record counter grows); then open the conversation.
	twoTurns(t, app, clientKey(t, app))
	waitRecorded(t, app, 2)
	shot = filepath.Join(filepath.Dir(shot), "window-conversations.png")
	listed := waitPainted(t, app, win, shot, conversationsEmpty.signature)
	// The first conversation of the list: content padding 18, the page header, a 12 px gap.
	click(t, app, win, 232+20+120, 18+56+12+26)
	waitPainted(t, app, win, shot, listed.signature)
	t.Logf("screenshot: %s", shot)

	// The Requests view, the newest request opened: below the header, the usage strip and the
	// toolbar, the list's head, then 30 px rows.
	clickSidebar(t, app, win, "Requests")
	shot = filepath.Join(filepath.Dir(shot), "window-requests.png")
	requests := waitPainted(t, app, win, shot, "")
	click(t, app, win, 232+20+150, 18+56+12+52+12+32+12+28+15)
	waitPainted(t, app, win, shot, requests.signature)
	t.Logf("screenshot: %s", shot)

	if body, err := app.health(); err != nil || strings.TrimSpace(body) != `{"status":"ok"}` {
		t.Errorf("GET /health on port %d = %q, %v; want {\"status\":\"ok\"}", app.port, body, err)
	}
	checkMode(t, app.dataDir, 0o700)
	checkMode(t, filepath.Join(app.dataDir, "nexus.db"), 0o600)
	if out := app.output(); strings.Contains(out, "level=ERROR") {
		t.Error("the app logged an error (its output follows)")
	}

	if err := app.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := app.wait(t, exitTimeout); code != 0 {
		t.Errorf("exit code after SIGTERM = %d, want 0", code)
	}
	// GTK and WebKit report misuse (such as calling into a destroyed web view) as CRITICAL.
	for _, bad := range []string{"panic:", "CRITICAL **"} {
		if strings.Contains(app.output(), bad) {
			t.Errorf("the app's output has %q (it follows)", bad)
		}
	}
	// Saved on exit, if at all: the settings file must be owner-only too.
	settings := filepath.Join(app.configHome, "nexus", "settings.json")
	if _, err := os.Stat(settings); err == nil {
		checkMode(t, filepath.Dir(settings), 0o700)
		checkMode(t, settings, 0o600)
	}
}

// A blank window is one colour (WebKit painted nothing, or only the background colour); a
// rendered page has text, so many distinct anti-aliased colours and real contrast.
const (
	minColours = 100
	minStddev  = 0.02
)

// shotStats describes the window's part of a screenshot.
type shotStats struct {
	colours   int
	stddev    float64
	signature string // ImageMagick's hash of the pixels
}

func (s shotStats) painted() bool { return s.colours >= minColours && s.stddev >= minStddev }

// waitPainted screenshots the screen until the window's region is painted, differs from the
// signature before ("" for any), and has not changed for settleTime (on a busy machine
// software-rendered WebKit paints a view in several slow frames); it keeps the last
// screenshot at shot, and fails if the window stays blank or unchanged.
func waitPainted(t *testing.T, app *nexusApp, win, shot, before string) shotStats {
	t.Helper()
	const settleTime = 3 * time.Second
	crop := windowGeometry(t, app, win)
	if err := os.MkdirAll(filepath.Dir(shot), 0o755); err != nil { // a fresh clone has no build/test-artifacts
		t.Fatal(err)
	}
	f, err := os.CreateTemp(filepath.Dir(shot), ".window-*.png") // renamed onto shot: no torn file
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	tmp := f.Name()
	if err := os.Chmod(tmp, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(tmp) })
	keep := func() {
		if err := os.Rename(tmp, shot); err != nil {
			t.Error(err)
		}
	}

	deadline := time.Now().Add(startTimeout)
	var last shotStats
	var changedAt time.Time
	for {
		if _, err := app.x(t, "import", "-window", "root", tmp); err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		s := imageStats(t, app, tmp, crop)
		if s.signature != last.signature {
			changedAt = time.Now()
		}
		last = s
		if s.painted() && s.signature != before && time.Since(changedAt) >= settleTime {
			keep()
			t.Logf("window %s (%s): %d colours, standard deviation %.3f", win, crop, s.colours, s.stddev)
			return s
		}
		if time.Now().After(deadline) {
			keep()
			switch {
			case !s.painted():
				t.Fatalf("the window looks blank after %v: %d colours (want ≥ %d), standard deviation %.3f (want ≥ %.2f); see %s",
					startTimeout, s.colours, minColours, s.stddev, minStddev, shot)
			case s.signature == before:
				t.Fatalf("the window did not change in %v; see %s", startTimeout, shot)
			}
			t.Fatalf("the window kept changing for %v; see %s", startTimeout, shot)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// windowGeometry returns win's geometry as an ImageMagick crop (WxH+X+Y).
func windowGeometry(t *testing.T, app *nexusApp, win string) string {
	t.Helper()
	geo, err := app.x(t, "xdotool", "getwindowgeometry", "--shell", win)
	if err != nil {
		t.Fatal(err)
	}
	g := map[string]string{}
	for _, line := range strings.Fields(geo) {
		if k, v, ok := strings.Cut(line, "="); ok {
			g[k] = v
		}
	}
	return g["WIDTH"] + "x" + g["HEIGHT"] + "+" + g["X"] + "+" + g["Y"]
}

func imageStats(t *testing.T, app *nexusApp, png, crop string) shotStats {
	t.Helper()
	out, err := app.x(t, "convert", png, "-crop", crop, "+repage", "-format", "%k %[fx:standard_deviation] %#", "info:")
	if err != nil {
		t.Fatal(err)
	}
	var s shotStats
	if _, err := fmt.Sscan(out, &s.colours, &s.stddev, &s.signature); err != nil {
		t.Fatalf("unexpected ImageMagick output %q: %v", out, err)
	}
	return s
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Error(err)
		return
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s has mode %#o, want %#o", path, got, want)
	}
}

// legacyCredentials makes a CREDENTIALS_DIR holding one Claude Nexus Proxy credential file
// with mode, and returns the directory.
func legacyCredentials(t *testing.T, mode os.FileMode) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "credentials")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("e2e-window-%d", time.Now().UnixNano()%1_000_000)
	file := filepath.Join(dir, name+".credentials.json")
	body := `{"type":"api_key","api_key":"sk-ant-api03-` + strings.Repeat("w", 40) + `"}`
	if err := os.WriteFile(file, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(file, mode); err != nil {
		t.Fatal(err)
	}
	// The app imports the file into the session's keychain, which the other tests share.
	t.Cleanup(func() {
		cmd := exec.Command(appBinary(t), "credentials", "remove", name)
		cmd.Env = appEnv(map[string]string{"XDG_CONFIG_HOME": t.TempDir()})
		if out, err := cmd.CombinedOutput(); err != nil && !strings.Contains(string(out), "no such account") {
			t.Errorf("removing the imported account %s: %v\n%s", name, err, out)
		}
	})
	return dir
}

// sidebarItems are the sidebar's entries, top to bottom (frontend/src/shell/Sidebar.svelte).
var sidebarItems = []string{"Home", "Requests", "Conversations", "Security"}

// clickSidebar clicks sidebar entry label. The sidebar is laid out in CSS pixels: 18 px of
// padding, the 28 px brand, a 20 px gap, then 34 px entries 2 px apart, 232 px wide.
func clickSidebar(t *testing.T, app *nexusApp, win, label string) {
	t.Helper()
	i := slices.Index(sidebarItems, label)
	if i < 0 {
		t.Fatalf("no sidebar entry %q", label)
	}
	y := 18 + 28 + 20 + i*(34+2) + 17
	if _, err := app.x(t, "xdotool", "mousemove", "--window", win, "100", strconv.Itoa(y), "click", "1"); err != nil {
		t.Fatal(err)
	}
	t.Logf("clicked %q in the sidebar (window %s, 100,%d)", label, win, y)
}
