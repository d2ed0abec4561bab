//go:build e2e

package desktop

import (
	"slices"
	"sync"
	"testing"

	"github.com/godbus/dbus/v5"
)

const (
	notifyName = "org.freedesktop.Notifications" // bus name, interface
	notifyPath = "/org/freedesktop/Notifications"
)

// notification is one Notify call the stand-in server received.
type notification struct {
	app, summary, body string
	actions            []string
	urgency            byte
	id                 uint32
}

// fakeNotifications stands in for a desktop's notification server (Debian's headless test
// machine has none): it owns org.freedesktop.Notifications on the session bus and records
// what it is asked to show.
type fakeNotifications struct {
	conn *dbus.Conn

	mu   sync.Mutex // guards got and next
	got  []notification
	next uint32
}

// Notify is org.freedesktop.Notifications.Notify.
func (f *fakeNotifications) Notify(app string, replaces uint32, icon, summary, body string, actions []string,
	hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	u, _ := hints["urgency"].Value().(byte)
	f.got = append(f.got, notification{app: app, summary: summary, body: body, actions: actions, urgency: u, id: f.next})
	return f.next, nil
}

func (f *fakeNotifications) GetCapabilities() ([]string, *dbus.Error) {
	return []string{"body", "actions"}, nil
}

func (f *fakeNotifications) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "fake", "nexus e2e", "1", "1.2", nil
}

func (f *fakeNotifications) received() []notification {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.got)
}

// click emits ActionInvoked(id, "default"), as a server does when the user clicks it.
func (f *fakeNotifications) click(t *testing.T, id uint32) {
	t.Helper()
	if err := f.conn.Emit(notifyPath, notifyName+".ActionInvoked", id, "default"); err != nil {
		t.Fatal(err)
	}
}

// startNotifications starts the stand-in server; it stops at the end of the test.
func startNotifications(t *testing.T) *fakeNotifications {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatalf("connecting to the session bus: %v", err)
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
