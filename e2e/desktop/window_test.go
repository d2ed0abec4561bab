//go:build e2e

package desktop

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestWindow starts the app on a virtual display without a tray host and checks what a user
// sees first: a painted Home window, a running proxy, owner-only data files, and a clean exit
// on SIGTERM.
func TestWindow(t *testing.T) {
	requireSessionBus(t)
	app := startApp(t, startXvfb(t))

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
	waitPainted(t, app, win, shot)
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

// waitPainted screenshots the screen until the window's region is painted and has not changed
// for settleTime (on a busy machine software-rendered WebKit paints the Home view in several
// slow frames), keeps the last screenshot at shot, and fails if the window stays blank.
func waitPainted(t *testing.T, app *nexusApp, win, shot string) {
	t.Helper()
	const settleTime = 3 * time.Second
	crop := windowGeometry(t, app, win)
	f, err := os.CreateTemp(filepath.Dir(shot), ".window-home-*.png") // renamed onto shot: no torn file
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
		if s.painted() && time.Since(changedAt) >= settleTime {
			keep()
			t.Logf("window %s (%s): %d colours, standard deviation %.3f", win, crop, s.colours, s.stddev)
			return
		}
		if time.Now().After(deadline) {
			keep()
			if !s.painted() {
				t.Fatalf("the window looks blank after %v: %d colours (want ≥ %d), standard deviation %.3f (want ≥ %.2f); see %s",
					startTimeout, s.colours, minColours, s.stddev, minStddev, shot)
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
