// Package freeport picks TCP ports for tests that must name a port before their server
// listens on it (the engine and the desktop app take theirs from the settings).
package freeport

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// Loopback returns a TCP port that is free on 127.0.0.1 and, where the machine has an IPv6
// loopback, on ::1 (the proxy listens on both), or fails t.
//
// The port comes from below the kernel's ephemeral range. That range is where listeners on
// port 0 and outgoing connections get their ports, so a port from Listen("…:0"), closed and
// handed on, can be taken by another test's listener or connection before the caller's
// server listens (a test then fails to listen, or worse, talks to a stranger). Below the
// range only another caller of Loopback drawing the same number can take it.
func Loopback(t testing.TB) int {
	t.Helper()
	low := ephemeralLow()
	for range 200 {
		port := low/2 + rand.IntN(low-low/2)
		if free(port) {
			return port
		}
	}
	t.Fatalf("no free port found in %d–%d on 127.0.0.1 and ::1", low/2, low-1)
	return 0
}

// free reports whether port can be listened on now on both loopback addresses.
func free(port int) bool {
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	defer ln.Close()
	ln6, err := net.Listen("tcp", net.JoinHostPort("::1", strconv.Itoa(port)))
	if err != nil {
		return errors.Is(err, syscall.EADDRNOTAVAIL) // no IPv6 loopback: the proxy skips ::1 too
	}
	ln6.Close()
	return true
}

// ephemeralLow is the first port of the kernel's ephemeral range (Linux), or the IANA
// range's 49152 elsewhere.
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err == nil {
		var lo, hi int
		if _, err := fmt.Sscan(strings.TrimSpace(string(b)), &lo, &hi); err == nil && lo >= 2048 {
			return lo
		}
	}
	return 49152
}
