package freeport

import (
	"net"
	"strconv"
	"testing"
)

func TestLoopbackIsBelowTheEphemeralRange(t *testing.T) {
	low := ephemeralLow()
	for range 50 {
		port := Loopback(t)
		if port < 1024 || port >= low {
			t.Fatalf("port %d: want one in 1024–%d, below the ephemeral range", port, low-1)
		}
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			t.Fatalf("port %d is not free: %v", port, err)
		}
		ln.Close()
	}
}

func TestFreeRefusesAPortInUse(t *testing.T) {
	port := Loopback(t)
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if free(port) {
		t.Fatalf("free(%d) while it is listened on", port)
	}
}
