package proxy

import (
	"net"
	"net/http"
	"strings"
)

// guardReason returns why a request must be refused before anything else, or "" to let it
// in. A local proxy must not be reachable from web pages: a browser always sends Origin or
// Referer on cross-site requests, and DNS rebinding shows up as a non-loopback Host.
func guardReason(r *http.Request) string {
	if !isLoopbackHostHeader(r.Host) {
		return "the Host header must name this machine (localhost, 127.0.0.1 or [::1])"
	}
	if r.Header.Get("Origin") != "" || r.Header.Get("Referer") != "" {
		return "requests from web pages (with Origin or Referer) are refused"
	}
	return ""
}

// isLoopbackHostHeader reports whether a Host header (name or IP, optional port) names the
// loopback interface.
func isLoopbackHostHeader(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
