package app

import (
	"encoding/json"
	"log/slog"
	"os"
	"strings"

	"github.com/godbus/dbus/v5"
)

// focusRunningInstance asks an already running Nexus to show its window, through the D-Bus
// name of Wails's single-instance lock, and reports whether one answered. Wails checks the
// lock only after startup has begun; checking first keeps a second instance from opening the
// database or trying the proxy's port at all.
func focusRunningInstance(log *slog.Logger) bool {
	conn, err := dbus.SessionBusPrivateNoAutoStartup()
	if err != nil {
		return false
	}
	defer conn.Close()
	if conn.Auth(nil) != nil || conn.Hello() != nil {
		return false
	}
	id := "wails_app_" + strings.NewReplacer("-", "_", ".", "_").Replace(uniqueID)
	name, path := "org."+id+".SingleInstance", dbus.ObjectPath("/org/"+id+"/SingleInstance")
	var has bool
	if conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&has) != nil || !has {
		return false
	}
	wd, _ := os.Getwd()
	msg, _ := json.Marshal(map[string]any{"Args": os.Args[1:], "WorkingDirectory": wd})
	if err := conn.Object(name, path).Call(name+".SendMessage", 0, string(msg)).Err; err != nil {
		log.Warn("another Nexus holds the single-instance lock but did not answer", "error", err)
		return false
	}
	log.Info("Nexus is already running: focused its window")
	return true
}
