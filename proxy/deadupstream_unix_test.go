//go:build unix

package proxy_test

import (
	"net"
	"net/url"
	"syscall"
	"testing"
)

// deadUpstream returns the URL of a loopback port nobody listens on, held for the test: a
// TCP socket bound to it but never listening, so connecting is refused. A port closed again
// at once could be taken by a test running beside this one, and a request meant to find no
// upstream would reach that test's server instead (it did: a 401 from another proxy).
func deadUpstream(t *testing.T) *url.URL {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	port := sa.(*syscall.SockaddrInet4).Port
	return &url.URL{Scheme: "http", Host: (&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}).String()}
}
