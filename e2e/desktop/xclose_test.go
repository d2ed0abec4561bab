//go:build e2e

package desktop

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// closeWindow asks window win on display to close, the way a window manager does when the
// user clicks the close button: a WM_DELETE_WINDOW client message. Xvfb has no window manager
// and `xdotool windowclose` destroys the window instead, so this speaks the X11 protocol
// directly (connection setup, InternAtom, SendEvent, and a GetInputFocus round trip so that
// the event is delivered before it returns).
func closeWindow(display, win string) error {
	num, _, _ := strings.Cut(strings.TrimPrefix(display, ":"), ".")
	wid, err := strconv.ParseUint(win, 10, 32)
	if err != nil {
		return fmt.Errorf("window id %q: %w", win, err)
	}
	c, err := net.DialTimeout("unix", "/tmp/.X11-unix/X"+num, 5*time.Second)
	if err != nil {
		return fmt.Errorf("connecting to X display %s: %w", display, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	x := xconn{c}

	// Setup: little-endian, protocol 11.0, no authorisation (Xvfb without -auth allows local clients).
	if _, err := c.Write([]byte{'l', 0, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0}); err != nil {
		return err
	}
	head := make([]byte, 8)
	if _, err := io.ReadFull(c, head); err != nil {
		return fmt.Errorf("X setup: %w", err)
	}
	rest := make([]byte, 4*int(binary.LittleEndian.Uint16(head[6:])))
	if _, err := io.ReadFull(c, rest); err != nil {
		return fmt.Errorf("X setup: %w", err)
	}
	if head[0] != 1 {
		return fmt.Errorf("X server refused the connection: %q", rest)
	}

	protocols, err := x.internAtom("WM_PROTOCOLS")
	if err != nil {
		return err
	}
	deleteWindow, err := x.internAtom("WM_DELETE_WINDOW")
	if err != nil {
		return err
	}
	// SendEvent(propagate=false, destination=win, event-mask=0: to the window's owner).
	req := make([]byte, 44)
	req[0] = 25
	binary.LittleEndian.PutUint16(req[2:], 11)
	binary.LittleEndian.PutUint32(req[4:], uint32(wid))
	ev := req[12:]
	ev[0], ev[1] = 33, 32 // ClientMessage, format 32
	binary.LittleEndian.PutUint32(ev[4:], uint32(wid))
	binary.LittleEndian.PutUint32(ev[8:], protocols)
	binary.LittleEndian.PutUint32(ev[12:], deleteWindow) // data[0]; data[1] = CurrentTime
	if _, err := c.Write(req); err != nil {
		return err
	}
	_, err = x.roundTrip([]byte{43, 0, 1, 0}) // GetInputFocus: any error from SendEvent comes first
	return err
}

type xconn struct{ net.Conn }

func (x xconn) internAtom(name string) (uint32, error) {
	n := len(name)
	req := make([]byte, 8+(n+3)/4*4)
	req[0] = 16 // InternAtom, only-if-exists false
	binary.LittleEndian.PutUint16(req[2:], uint16(len(req)/4))
	binary.LittleEndian.PutUint16(req[4:], uint16(n))
	copy(req[8:], name)
	reply, err := x.roundTrip(req)
	if err != nil {
		return 0, fmt.Errorf("interning %s: %w", name, err)
	}
	return binary.LittleEndian.Uint32(reply[8:]), nil
}

// roundTrip sends a request that has a reply and returns the reply, skipping events.
func (x xconn) roundTrip(req []byte) ([]byte, error) {
	if _, err := x.Write(req); err != nil {
		return nil, err
	}
	for {
		msg := make([]byte, 32)
		if _, err := io.ReadFull(x, msg); err != nil {
			return nil, err
		}
		switch msg[0] {
		case 0:
			return nil, fmt.Errorf("X error %d (request %d)", msg[1], msg[10])
		case 1:
			extra := make([]byte, 4*int(binary.LittleEndian.Uint32(msg[4:])))
			if _, err := io.ReadFull(x, extra); err != nil {
				return nil, err
			}
			return append(msg, extra...), nil
		}
	}
}
