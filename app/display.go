package app

import (
	"errors"
	"os"
	"runtime"
)

// errNoDisplay is why the window cannot open: GTK, with no display to talk to, panics.
var errNoDisplay = errors.New("no display: the window needs a graphical session (DISPLAY or WAYLAND_DISPLAY is unset); " +
	"run the proxy headless with: nexus serve")

// needDisplay returns errNoDisplay when the window cannot open: on Linux, neither an X11 nor
// a Wayland display in the environment.
func needDisplay() error {
	if runtime.GOOS != "linux" || os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != "" {
		return nil
	}
	return errNoDisplay
}
