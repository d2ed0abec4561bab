//go:build e2e

package desktop

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"
)

const (
	watcherName = "org.kde.StatusNotifierWatcher" // bus name, interface
	watcherPath = "/StatusNotifierWatcher"
	itemIface   = "org.kde.StatusNotifierItem"
	menuIface   = "com.canonical.dbusmenu"
)

// fakeWatcher stands in for a tray host (Debian has none to install): it owns
// org.kde.StatusNotifierWatcher on the session bus and records the items that register.
type fakeWatcher struct {
	conn  *dbus.Conn
	props *prop.Properties

	mu    sync.Mutex // guards items
	items []trayItem
}

// trayItem is a registered StatusNotifierItem: who registered it and where it lives.
type trayItem struct {
	bus  string
	path dbus.ObjectPath
}

// startWatcher starts the stand-in tray host; it stops at the end of the test.
func startWatcher(t *testing.T) *fakeWatcher {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatalf("connecting to the session bus: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	w := &fakeWatcher{conn: conn}
	err = conn.ExportMethodTable(map[string]any{
		"RegisterStatusNotifierItem": w.registerItem,
		"RegisterStatusNotifierHost": func(string) *dbus.Error { return nil },
	}, watcherPath, watcherName)
	if err != nil {
		t.Fatal(err)
	}
	w.props, err = prop.Export(conn, watcherPath, prop.Map{watcherName: {
		"RegisteredStatusNotifierItems":  {Value: []string{}, Emit: prop.EmitTrue},
		"IsStatusNotifierHostRegistered": {Value: true, Emit: prop.EmitTrue},
		"ProtocolVersion":                {Value: int32(0), Emit: prop.EmitTrue},
	}})
	if err != nil {
		t.Fatal(err)
	}
	reply, err := conn.RequestName(watcherName, dbus.NameFlagDoNotQueue)
	if err != nil {
		t.Fatalf("requesting %s: %v", watcherName, err)
	}
	if reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("%s is already owned on this session bus (reply %d): is another tray test running?", watcherName, reply)
	}
	return w
}

// registerItem is RegisterStatusNotifierItem: service is a bus name (path /StatusNotifierItem)
// or, as fyne.io/systray sends it, an object path on the sender's connection.
func (w *fakeWatcher) registerItem(sender dbus.Sender, service string) *dbus.Error {
	it := trayItem{bus: string(sender), path: "/StatusNotifierItem"}
	if strings.HasPrefix(service, "/") {
		it.path = dbus.ObjectPath(service)
	} else if service != "" {
		it.bus = service
	}
	w.mu.Lock()
	w.items = append(w.items, it)
	var names []string
	for _, i := range w.items {
		names = append(names, i.bus+string(i.path))
	}
	w.mu.Unlock()
	w.props.SetMust(watcherName, "RegisteredStatusNotifierItems", names)
	w.conn.Emit(watcherPath, watcherName+".StatusNotifierItemRegistered", it.bus+string(it.path))
	return nil
}

// item returns the first registered item.
func (w *fakeWatcher) item() (trayItem, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.items) == 0 {
		return trayItem{}, false
	}
	return w.items[0], true
}

// trayClient reads and clicks a registered item's menu, as a tray host does.
type trayClient struct {
	item, menu dbus.BusObject
}

func (w *fakeWatcher) client(t *testing.T, it trayItem) *trayClient {
	t.Helper()
	item := w.conn.Object(it.bus, it.path)
	v, err := item.GetProperty(itemIface + ".Menu")
	if err != nil {
		t.Fatalf("reading the item's Menu property: %v", err)
	}
	menuPath, ok := v.Value().(dbus.ObjectPath)
	if !ok {
		t.Fatalf("the item's Menu property is %s, not an object path", v.Signature())
	}
	return &trayClient{item: item, menu: w.conn.Object(it.bus, menuPath)}
}

// menuNode is one dbusmenu layout node, (ia{sv}av).
type menuNode struct {
	ID       int32
	Props    map[string]dbus.Variant
	Children []dbus.Variant
}

// labels returns the menu's item ids by label, from GetLayout(0, -1, []).
func (c *trayClient) labels() (map[string]int32, error) {
	var revision uint32
	var root menuNode
	if err := c.menu.Call(menuIface+".GetLayout", 0, int32(0), int32(-1), []string{}).Store(&revision, &root); err != nil {
		return nil, fmt.Errorf("GetLayout: %w", err)
	}
	ids := map[string]int32{}
	var walk func(n menuNode) error
	walk = func(n menuNode) error {
		if l, ok := n.Props["label"].Value().(string); ok && l != "" {
			ids[l] = n.ID
		}
		for _, v := range n.Children {
			var child menuNode
			if err := dbus.Store([]any{v.Value()}, &child); err != nil {
				return fmt.Errorf("menu node %d: %w", n.ID, err)
			}
			if err := walk(child); err != nil {
				return err
			}
		}
		return nil
	}
	return ids, walk(root)
}

// hasLabel reports whether the menu currently shows label.
func (c *trayClient) hasLabel(label string) bool {
	ids, err := c.labels()
	_, ok := ids[label]
	return err == nil && ok
}

// click sends the "clicked" event for the item labelled label.
func (c *trayClient) click(t *testing.T, label string) {
	t.Helper()
	ids, err := c.labels()
	if err != nil {
		t.Fatal(err)
	}
	id, ok := ids[label]
	if !ok {
		t.Fatalf("the tray menu has no %q item: %v", label, ids)
	}
	if err := c.menu.Call(menuIface+".Event", 0, id, "clicked", dbus.MakeVariant(""), uint32(0)).Err; err != nil {
		t.Fatalf("clicking %q: %v", label, err)
	}
	t.Logf("clicked %q in the tray menu", label)
}

// iconPixmap returns the item's IconPixmap property, a(iiay), flattened to bytes.
func (c *trayClient) iconPixmap(t *testing.T) []byte {
	t.Helper()
	v, err := c.item.GetProperty(itemIface + ".IconPixmap")
	if err != nil {
		t.Fatalf("reading IconPixmap: %v", err)
	}
	var pixmaps []struct {
		W, H int32
		Data []byte
	}
	if err := v.Store(&pixmaps); err != nil {
		t.Fatalf("IconPixmap is %s: %v", v.Signature(), err)
	}
	var b []byte
	for _, p := range pixmaps {
		b = fmt.Appendf(b, "%dx%d:", p.W, p.H)
		b = append(b, p.Data...)
	}
	return b
}
