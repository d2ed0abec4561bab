//go:build e2e

package desktop

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestSecurityNotification: the app finds a failing security item at start (a legacy
// credential file other users can read) and raises a desktop notification over D-Bus; a
// click on it brings the window to the Security view.
func TestSecurityNotification(t *testing.T) {
	requireSessionBus(t)
	server := startNotifications(t) // before the app: it notifies on its first check
	creds := legacyCredentials(t, 0o644)
	app := startApp(t, startXvfb(t), map[string]string{"CREDENTIALS_DIR": creds})

	var got []notification
	app.waitFor(t, startTimeout, "a desktop notification", func() bool {
		got = server.received()
		return len(got) > 0
	})
	n := got[0]
	if n.app != "Nexus" || !strings.Contains(n.summary, "No plaintext credential files") ||
		!strings.Contains(n.body, "(0644)") || !slices.Contains(n.actions, "default") || n.urgency != 1 {
		t.Errorf("notification %+v", n)
	}
	t.Logf("notified: %q / %q", n.summary, n.body)

	var win string
	app.waitFor(t, startTimeout, "a visible window titled Nexus", func() bool {
		win = app.visibleWindow(t)
		return win != ""
	})
	app.waitFor(t, startTimeout, `msg="frontend ready" in the app's log`, func() bool {
		return strings.Contains(app.output(), `msg="frontend ready"`)
	})
	time.Sleep(1500 * time.Millisecond)
	shot := filepath.Join(t.TempDir(), "before.png")
	home := waitPainted(t, app, win, shot, "")

	server.click(t, n.id)
	waitPainted(t, app, win, filepath.Join(repoRoot(t), "build", "test-artifacts", "window-security-notified.png"), home.signature)
	if len(server.received()) != 1 {
		t.Errorf("notified %d times for one change: %+v", len(server.received()), server.received())
	}
}
