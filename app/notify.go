package app

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"github.com/godbus/dbus/v5"
)

// Notification is a desktop notification: a summary line and a body.
type Notification struct {
	Summary string
	Body    string
	// Critical asks the desktop to keep it until the user dismisses it.
	Critical bool
}

// Notifier raises desktop notifications.
type Notifier interface {
	Notify(ctx context.Context, n Notification) error
}

// The freedesktop notification service (Desktop Notifications Specification 1.2).
const (
	notifyName  = "org.freedesktop.Notifications" // bus name and interface
	notifyPath  = "/org/freedesktop/Notifications"
	notifyClick = "default" // the action a click on the notification invokes
)

// DBusNotifier sends notifications to org.freedesktop.Notifications on the session bus, and
// calls onOpen when the user clicks one of them. It connects on first use, and again after
// the connection was lost.
type DBusNotifier struct {
	onOpen func()
	log    *slog.Logger

	mu   sync.Mutex // guards conn, markup and sent
	conn *dbus.Conn
	// markup says the server reads the body as markup (capability "body-markup"), so that
	// text from elsewhere (a client's user agent in the evidence) must be escaped.
	markup bool
	sent   map[uint32]bool // ids of our notifications still open
}

// NewDBusNotifier returns a notifier; onOpen runs (on the notifier's goroutine) when the
// user clicks a notification.
func NewDBusNotifier(onOpen func(), log *slog.Logger) *DBusNotifier {
	return &DBusNotifier{onOpen: onOpen, log: log, sent: map[uint32]bool{}}
}

// Notify sends n. Without a session bus or a notification service it returns an error and
// shows nothing.
func (d *DBusNotifier) Notify(ctx context.Context, n Notification) error {
	conn, markup, err := d.connect(ctx)
	if err != nil {
		return err
	}
	body := n.Body
	if markup {
		body = markupEscaper.Replace(body)
	}
	urgency, icon := byte(1), "dialog-warning"
	if n.Critical {
		urgency, icon = 2, "dialog-error"
	}
	hints := map[string]dbus.Variant{
		"urgency":  dbus.MakeVariant(urgency),
		"category": dbus.MakeVariant("device"),
	}
	var id uint32
	err = conn.Object(notifyName, notifyPath).CallWithContext(ctx, notifyName+".Notify", 0,
		"Nexus", uint32(0), icon, n.Summary, body, []string{notifyClick, "Open Security"}, hints, int32(-1)).Store(&id)
	if err != nil {
		if !conn.Connected() {
			d.drop(conn)
		}
		return fmt.Errorf("sending a desktop notification: %w", err)
	}
	d.mu.Lock()
	d.sent[id] = true
	d.mu.Unlock()
	return nil
}

// Close ends the connection and the goroutine listening for clicks.
func (d *DBusNotifier) Close() {
	d.mu.Lock()
	c := d.conn
	d.conn = nil
	d.mu.Unlock()
	if c != nil {
		c.Close()
	}
}

// markupEscaper escapes the characters the notification body markup gives a meaning.
var markupEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// connect returns the connection and whether the server reads markup, opening the
// connection (and the click listener) when there is none. It never starts a bus: without
// DBUS_SESSION_BUS_ADDRESS godbus would spawn a stray daemon.
func (d *DBusNotifier) connect(ctx context.Context) (*dbus.Conn, bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.conn != nil && d.conn.Connected() {
		return d.conn, d.markup, nil
	}
	c, err := dbus.SessionBusPrivateNoAutoStartup()
	if err != nil {
		return nil, false, fmt.Errorf("no session bus for notifications: %w", err)
	}
	if err := c.Auth(nil); err != nil {
		c.Close()
		return nil, false, fmt.Errorf("no session bus for notifications: %w", err)
	}
	if err := c.Hello(); err != nil {
		c.Close()
		return nil, false, fmt.Errorf("no session bus for notifications: %w", err)
	}
	var caps []string
	err = c.Object(notifyName, notifyPath).CallWithContext(ctx, notifyName+".GetCapabilities", 0).Store(&caps)
	if err != nil {
		c.Close()
		return nil, false, fmt.Errorf("asking the notification service: %w", err)
	}
	err = c.AddMatchSignal(dbus.WithMatchObjectPath(notifyPath), dbus.WithMatchInterface(notifyName))
	if err != nil {
		c.Close()
		return nil, false, fmt.Errorf("watching notification clicks: %w", err)
	}
	signals := make(chan *dbus.Signal, 16)
	c.Signal(signals)
	go d.listen(signals)
	d.conn, d.markup = c, slices.Contains(caps, "body-markup")
	return c, d.markup, nil
}

// listen handles the service's signals until the connection closes: a click on one of our
// notifications opens the window; a closed one is forgotten.
func (d *DBusNotifier) listen(signals <-chan *dbus.Signal) {
	for sig := range signals {
		if len(sig.Body) == 0 {
			continue
		}
		id, ok := sig.Body[0].(uint32)
		if !ok {
			continue
		}
		d.mu.Lock()
		ours := d.sent[id]
		switch sig.Name {
		case notifyName + ".NotificationClosed":
			delete(d.sent, id)
		}
		d.mu.Unlock()
		if sig.Name == notifyName+".ActionInvoked" && ours && len(sig.Body) == 2 && sig.Body[1] == notifyClick && d.onOpen != nil {
			d.onOpen()
		}
	}
}

func (d *DBusNotifier) drop(c *dbus.Conn) {
	d.mu.Lock()
	if d.conn == c {
		d.conn = nil
	}
	d.mu.Unlock()
	c.Close()
}
