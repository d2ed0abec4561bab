//go:build e2e

package desktop

import (
	"bytes"
	"path/filepath"
	"testing"
)

// TestTray drives the app through its tray menu, as a tray host would: closing the window
// hides it, "Stop proxy" and "Start proxy" close and reopen the port and change the menu and
// the icon, "Open Nexus" shows the window again, and "Quit" ends the app cleanly.
func TestTray(t *testing.T) {
	requireSessionBus(t)
	w := startWatcher(t) // before the app: it only makes a tray when a host is there
	app := startApp(t, startXvfb(t))

	var it trayItem
	app.waitFor(t, startTimeout, "the app to register a tray item", func() bool {
		var ok bool
		it, ok = w.item()
		return ok
	})
	t.Logf("tray item registered: %s %s", it.bus, it.path)
	tray := w.client(t, it)
	app.waitFor(t, startTimeout, `the tray menu to offer "Stop proxy"`, func() bool { return tray.hasLabel("Stop proxy") })
	for _, label := range []string{"Open Nexus", "Quit"} {
		if !tray.hasLabel(label) {
			t.Errorf("the tray menu has no %q item", label)
		}
	}
	app.waitFor(t, startTimeout, "the proxy to answer /health", app.proxyHealthy)

	// With a tray, closing the window hides it; the app and the proxy keep running.
	var win string
	app.waitFor(t, startTimeout, "a visible window titled Nexus", func() bool {
		win = app.visibleWindow(t)
		return win != ""
	})
	if err := closeWindow(app.display, win); err != nil {
		t.Fatalf("closing the window: %v", err)
	}
	app.waitFor(t, stepTimeout, "the window to hide after it was closed", func() bool { return app.visibleWindow(t) == "" })
	if !app.proxyHealthy() {
		t.Error("the proxy stopped when the window was closed")
	}
	tray.click(t, "Open Nexus")
	app.waitFor(t, stepTimeout, `the window to show again after "Open Nexus"`, func() bool { return app.visibleWindow(t) != "" })

	iconRunning := tray.iconPixmap(t)
	if len(iconRunning) < 100 {
		t.Errorf("the tray icon has no pixels: IconPixmap is %d bytes", len(iconRunning))
	}
	tray.click(t, "Stop proxy")
	app.waitFor(t, stepTimeout, "the proxy's port to refuse connections", app.portRefused)
	app.waitFor(t, stepTimeout, `the tray menu to offer "Start proxy"`, func() bool { return tray.hasLabel("Start proxy") })
	if tray.hasLabel("Stop proxy") {
		t.Error(`the tray menu still offers "Stop proxy" with the proxy stopped`)
	}
	app.waitFor(t, stepTimeout, "the tray icon to change", func() bool { return !bytes.Equal(tray.iconPixmap(t), iconRunning) })
	// The choice is remembered for the next launch. Saving it is also the handler's last step:
	// the tray drops a click that arrives while the previous one is still being handled.
	app.waitFor(t, stepTimeout, "proxy_enabled false in the settings file", func() bool { return app.proxyEnabledSaved(false) })

	tray.click(t, "Start proxy")
	app.waitFor(t, stepTimeout, "the proxy to answer /health again", app.proxyHealthy)
	app.waitFor(t, stepTimeout, `the tray menu to offer "Stop proxy" again`, func() bool { return tray.hasLabel("Stop proxy") })
	app.waitFor(t, stepTimeout, "the tray icon to show running again", func() bool { return bytes.Equal(tray.iconPixmap(t), iconRunning) })
	app.waitFor(t, stepTimeout, "proxy_enabled true in the settings file", func() bool { return app.proxyEnabledSaved(true) })
	settings := filepath.Join(app.configHome, "nexus", "settings.json")
	checkMode(t, filepath.Dir(settings), 0o700)
	checkMode(t, settings, 0o600)

	tray.click(t, "Quit")
	if code := app.wait(t, exitTimeout); code != 0 {
		t.Errorf("exit code after Quit = %d, want 0", code)
	}
	if !app.portRefused() {
		t.Error("the proxy's port is still open after Quit")
	}
}
