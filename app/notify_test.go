package app

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// notifyCall is one Notify call the stand-in notification server received.
type notifyCall struct {
	app, icon, summary, body string
	actions                  []string
	hints                    map[string]dbus.Variant
	id                       uint32
}

// fakeNotifications stands in for a desktop's notification server: it owns
// org.freedesktop.Notifications on the session bus and records what it is asked to show.
type fakeNotifications struct {
	conn *dbus.Conn

	mu    sync.Mutex // guards calls and next
	calls []notifyCall
	next  uint32
}

// Notify is org.freedesktop.Notifications.Notify.
func (f *fakeNotifications) Notify(app string, replaces uint32, icon, summary, body string, actions []string,
	hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	f.calls = append(f.calls, notifyCall{app: app, icon: icon, summary: summary, body: body, actions: actions, hints: hints, id: f.next})
	return f.next, nil
}

func (f *fakeNotifications) GetCapabilities() ([]string, *dbus.Error) {
	return []string{"body", "body-markup", "actions"}, nil
}

func (f *fakeNotifications) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "fake", "nexus tests", "1", "1.2", nil
}

func (f *fakeNotifications) received() []notifyCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// waitCalls waits until the server has received n notifications.
func (f *fakeNotifications) waitCalls(t *testing.T, n int) []notifyCall {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if c := f.received(); len(c) >= n {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d notification(s) received, want %d", len(f.received()), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startNotifications starts the stand-in server on the test session's bus. The test fails
// without a session bus under CI and skips elsewhere: scripts/test-session.sh provides one.
func startNotifications(t *testing.T) *fakeNotifications {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		if os.Getenv("CI") != "" || os.Getenv("NEXUS_TEST_SESSION") != "" {
			t.Fatal("no D-Bus session bus: run through scripts/test-session.sh (make test does)")
		}
		t.Skip("no D-Bus session bus (run through scripts/test-session.sh)")
	}
	conn, err := dbus.SessionBusPrivateNoAutoStartup()
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.Auth(nil); err != nil {
		t.Fatal(err)
	}
	if err := conn.Hello(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	f := &fakeNotifications{conn: conn}
	if err := conn.Export(f, notifyPath, notifyName); err != nil {
		t.Fatal(err)
	}
	reply, err := conn.RequestName(notifyName, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("owning %s: reply %d, %v (another notification server on this bus?)", notifyName, reply, err)
	}
	return f
}

// clickDefault emits ActionInvoked for notification id, as a server does when it is clicked.
func (f *fakeNotifications) clickDefault(t *testing.T, id uint32) {
	t.Helper()
	if err := f.conn.Emit(notifyPath, notifyName+".ActionInvoked", id, notifyClick); err != nil {
		t.Fatal(err)
	}
}

func TestMonitorNotifiesOverDBus(t *testing.T) {
	server := startNotifications(t)
	a, e, rt, _ := newTestApp(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d := &desktop{engine: e, app: a, rt: rt, log: log, stop: make(chan struct{})}
	d.notifier = NewDBusNotifier(d.showSecurity, log)
	t.Cleanup(d.notifier.Close)
	a.monitor = NewMonitor(a.checkNow, d.notifier, a.publishSecurity, log)
	ctx := context.Background()

	// The first run sets the baseline: standing warnings are no news; nothing fails here.
	a.monitor.CheckNow(ctx)
	time.Sleep(200 * time.Millisecond)
	if c := server.received(); len(c) != 0 {
		t.Fatalf("notified on a healthy start: %+v", c)
	}

	// The database becomes readable by others: data-file-modes turns to fail.
	db := filepath.Join(e.Settings().DataDir, "nexus.db")
	if err := os.Chmod(db, 0o644); err != nil {
		t.Fatal(err)
	}
	a.monitor.CheckNow(ctx)
	calls := server.waitCalls(t, 1)
	n := calls[0]
	if n.app != "Nexus" || !strings.Contains(n.summary, "Data files are readable by you only") || !strings.Contains(n.body, "0644") {
		t.Errorf("notification %+v", n)
	}
	if u, _ := n.hints["urgency"].Value().(byte); u != 1 {
		t.Errorf("urgency %v for a non-critical item, want 1 (normal)", n.hints["urgency"])
	}
	if !slices.Contains(n.actions, "default") {
		t.Errorf("actions %v: want a default action (click opens the window)", n.actions)
	}

	// The same state again: no second notification.
	a.monitor.CheckNow(ctx)
	time.Sleep(200 * time.Millisecond)
	if c := server.received(); len(c) != 1 {
		t.Errorf("notified again without a change: %+v", c[1:])
	}

	// This process starts listening on every interface: loopback-only (critical) fails.
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.NotFoundHandler()}
	go srv.Serve(ln)
	defer srv.Close()
	a.monitor.CheckNow(ctx)
	calls = server.waitCalls(t, 2)
	if n := calls[1]; !strings.Contains(n.summary, "loopback") || !strings.Contains(n.body, ln.Addr().String()) {
		t.Errorf("notification %+v", n)
	} else if u, _ := n.hints["urgency"].Value().(byte); u != 2 {
		t.Errorf("urgency %v for a critical failure, want 2", n.hints["urgency"])
	}

	// The server reads markup: text from clients (a user agent) is escaped.
	n = calls[1]
	if err := d.notifier.Notify(ctx, Notification{Summary: "s", Body: `ua "<img src=x>" & co`}); err != nil {
		t.Fatal(err)
	}
	if got := server.waitCalls(t, 3)[2].body; got != `ua "&lt;img src=x&gt;" &amp; co` {
		t.Errorf("body %q: markup not escaped", got)
	}
	calls = server.received()

	// Clicking the notification shows the window on the Security view.
	server.clickDefault(t, n.id)
	deadline := time.Now().Add(5 * time.Second)
	for {
		rt.mu.Lock()
		shown, navigated := rt.shown, slices.Contains(rt.events, navigateEvent)
		rt.mu.Unlock()
		if shown > 0 && navigated {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a click did not open the Security view: shown %d, events %v", shown, rt.events)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestNotifierWithoutBus(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "no-bus"))
	n := NewDBusNotifier(nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer n.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := n.Notify(ctx, Notification{Summary: "x"}); err == nil {
		t.Error("a notification without a session bus reported success")
	}
}
