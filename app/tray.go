package app

import (
	_ "embed"
	"sync"

	"fyne.io/systray"
	"github.com/godbus/dbus/v5"
)

var (
	//go:embed icons/running.png
	iconRunning []byte
	//go:embed icons/stopped.png
	iconStopped []byte
)

// Tray labels. The tray test finds items by these.
const (
	labelStop  = "Stop proxy"
	labelStart = "Start proxy"
	labelOpen  = "Open Nexus"
	labelQuit  = "Quit"
)

// Tray is the status-area icon with its menu: one item that starts or stops the proxy (its
// label follows the state), "Open Nexus" and "Quit". The icon shows the state too.
type Tray struct {
	onToggle, onOpen, onQuit func()

	start, end func()
	done       chan struct{}

	mu      sync.Mutex // guards toggle and running
	toggle  *systray.MenuItem
	running bool
}

// NewTray returns a tray that calls the given functions from its menu.
func NewTray(onToggle, onOpen, onQuit func()) *Tray {
	t := &Tray{onToggle: onToggle, onOpen: onOpen, onQuit: onQuit, done: make(chan struct{})}
	t.start, t.end = systray.RunWithExternalLoop(t.ready, func() {})
	return t
}

// TrayHost reports whether a tray can be shown: a D-Bus session bus answers and a tray host
// (org.kde.StatusNotifierWatcher) is on it. Without a bus, systray v1.12.2 panics on exit and
// godbus would spawn a stray dbus-daemon; without a host, an icon would be invisible and a
// hidden window unreachable.
func TrayHost() bool {
	c, err := dbus.SessionBusPrivateNoAutoStartup()
	if err != nil {
		return false
	}
	defer c.Close()
	if err := c.Auth(nil); err != nil {
		return false
	}
	if err := c.Hello(); err != nil {
		return false
	}
	var has bool
	err = c.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.kde.StatusNotifierWatcher").Store(&has)
	return err == nil && has
}

// Start shows the tray icon. Call it once, after the window toolkit is up.
func (t *Tray) Start() { t.start() }

// Stop removes the tray icon and ends its loop.
func (t *Tray) Stop() {
	close(t.done)
	t.mu.Lock()
	t.toggle = nil // no more icon or label updates on a closing connection
	t.mu.Unlock()
	defer func() { _ = recover() }() // systray v1.12.2 panics when D-Bus went away (fyne-io/systray#121)
	t.end()
}

// SetRunning updates the icon and the toggle item's label.
func (t *Tray) SetRunning(running bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.running = running
	t.showLocked()
}

func (t *Tray) showLocked() {
	if t.toggle == nil {
		return
	}
	if t.running {
		systray.SetIcon(iconRunning)
		systray.SetTooltip("Nexus: proxy running")
		t.toggle.SetTitle(labelStop)
	} else {
		systray.SetIcon(iconStopped)
		systray.SetTooltip("Nexus: proxy stopped")
		t.toggle.SetTitle(labelStart)
	}
}

func (t *Tray) ready() {
	systray.SetTitle("Nexus")
	toggle := systray.AddMenuItem(labelStart, "Start or stop the local proxy")
	open := systray.AddMenuItem(labelOpen, "Show the Nexus window")
	systray.AddSeparator()
	quit := systray.AddMenuItem(labelQuit, "Stop the proxy and quit Nexus")
	systray.SetOnTapped(t.onOpen)
	t.mu.Lock()
	t.toggle = toggle
	t.showLocked()
	t.mu.Unlock()
	// fyne systray drops a click while the previous one is still being handled, so the loop
	// only queues clicks; a worker runs them in order.
	work := make(chan func(), 8)
	go func() {
		for {
			select {
			case fn := <-work:
				fn()
			case <-t.done:
				return
			}
		}
	}()
	go func() {
		for {
			var fn func()
			select {
			case <-toggle.ClickedCh:
				fn = t.onToggle
			case <-open.ClickedCh:
				fn = t.onOpen
			case <-quit.ClickedCh:
				fn = t.onQuit
			case <-t.done:
				return
			}
			select {
			case work <- fn:
			case <-t.done:
				return
			}
		}
	}()
}
