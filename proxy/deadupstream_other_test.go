//go:build !unix

package proxy_test

import (
	"net"
	"net/url"
	"testing"
)

// deadUpstream returns the URL of a loopback port nobody listens on (closed again at once:
// without Unix sockets a port cannot be held without listening).
func deadUpstream(t *testing.T) *url.URL {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return &url.URL{Scheme: "http", Host: addr}
}
