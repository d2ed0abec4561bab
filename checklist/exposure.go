package checklist

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// clientAuth fails when client auth is off: then any local process, or a web page that gets
// past the guard, may spend the user's credentials.
func clientAuth(f Facts) Item {
	it := Item{ID: "client-auth", Title: "Clients must present the client key", Critical: true}
	if f.ClientAuth {
		it.Status, it.Evidence = Pass, "client auth is on (ENABLE_CLIENT_AUTH=true)"
		return it
	}
	it.Status = Fail
	it.Evidence = "client auth is off (ENABLE_CLIENT_AUTH=false): any local process can use your accounts"
	it.Fix = "unset ENABLE_CLIENT_AUTH (or set it to true) and set client_auth to true in the settings file; " +
		"give clients the key from `nexus client-key show`"
	return it
}

// loopbackOnly checks the listening sockets the OS reports: every one must be on loopback.
// The configured host is checked too, so that a proxy that is stopped now cannot later bind
// elsewhere. Where the OS cannot be read the configuration is all there is, and the evidence
// says so.
func loopbackOnly(f Facts) Item {
	it := Item{ID: "loopback-only", Title: "The proxy listens on loopback only", Critical: true}
	s := f.Sockets
	var exposed, local []string
	for _, sock := range s.List {
		label := sock.Addr
		if sock.Owner != "" {
			label += " (" + sock.Owner + ")"
		}
		if addrLoopback(sock.Addr) {
			local = append(local, label)
		} else {
			exposed = append(exposed, label)
		}
	}
	scope := s.Scope
	if scope == "" {
		scope = "this process"
	}
	if len(exposed) > 0 {
		it.Status = Fail
		it.Evidence = fmt.Sprintf("listening on an address other machines can reach (%s): %s", scope, strings.Join(exposed, ", "))
		if len(local) > 0 {
			it.Evidence += "; on loopback: " + strings.Join(local, ", ")
		}
		it.Fix = "stop the process listening there, or make it listen on 127.0.0.1 only; Nexus itself only ever binds 127.0.0.1 and ::1 " +
			"(unset HOST, or set it to 127.0.0.1, ::1 or localhost)"
		return it
	}
	if f.Host != "" && !f.HostLoopback {
		it.Status = Fail
		it.Evidence = fmt.Sprintf("configured host %q is not a loopback address: other machines could reach the proxy", f.Host)
		it.Fix = "unset HOST, or set it (or host in the settings file) to 127.0.0.1, ::1 or localhost"
		return it
	}
	host := f.Host
	if host == "" {
		host = "127.0.0.1 and ::1"
	}
	it.Status = Pass
	switch {
	case s.Err != "":
		it.Evidence = fmt.Sprintf("configured host: %s (the OS's listening sockets could not be read: %s)", host, s.Err)
	case len(local) == 0:
		it.Evidence = fmt.Sprintf("no TCP socket listening (%s); configured host: %s", scope, host)
	default:
		it.Evidence = fmt.Sprintf("listening on loopback only (%s, from the OS): %s", scope, strings.Join(local, ", "))
	}
	return it
}

// addrLoopback reports whether a host:port the OS reported is on the loopback interface. The
// wildcard addresses (0.0.0.0, ::) are not: they accept connections on every interface.
func addrLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// dashboardExposure checks that no web UI answers on the listeners without authentication:
// the caller GETs /dashboard and / on each without credentials. A 401, 403 or 404 is right;
// a web page is the original's unauthenticated dashboard all over again.
func dashboardExposure(f Facts) Item {
	it := Item{ID: "dashboard-exposure", Title: "No dashboard is reachable without authentication", Critical: true}
	var pages, other, refused, unanswered []string
	for _, p := range f.Probes {
		shown := probeTarget(p.URL)
		switch {
		case p.Status == 0:
			unanswered = append(unanswered, fmt.Sprintf("%s (%s)", shown, p.Err))
		case p.Status < 300 && p.HTML:
			pages = append(pages, fmt.Sprintf("%s → %d, a web page", shown, p.Status))
		case p.Status < 400:
			other = append(other, fmt.Sprintf("%s → %d", shown, p.Status))
		default:
			refused = append(refused, fmt.Sprintf("%s → %d", shown, p.Status))
		}
	}
	switch {
	case len(pages) > 0:
		it.Status = Fail
		it.Evidence = "a web UI answers without authentication: " + strings.Join(pages, ", ")
		it.Fix = "stop that UI or put it behind authentication (DASHBOARD_API_KEY); Nexus's own window needs no network UI"
		return it
	case len(other) > 0:
		it.Status = Warn
		it.Evidence = "answered without authentication (not a web page): " + strings.Join(other, ", ")
		it.Fix = "make sure nothing there shows your data without a key"
	case len(refused) > 0:
		it.Status = Pass
		it.Evidence = "GET without credentials is refused: " + strings.Join(refused, ", ") + "; the window talks to Nexus in-process"
	case len(unanswered) > 0:
		it.Status = Warn
		it.Evidence = "the listeners could not be probed: " + strings.Join(unanswered, ", ")
		it.Fix = "run the check again; if it persists, check what listens there"
	default:
		it.Status = Pass
		it.Evidence = "no listener to probe, and this build has no network UI: the window talks to Nexus in-process"
	}
	if len(unanswered) > 0 && it.Status == Pass {
		it.Evidence += "; not answered: " + strings.Join(unanswered, ", ")
	}
	if f.DashboardKeySet && it.Status == Pass {
		it.Status = Warn
		it.Evidence += "; DASHBOARD_API_KEY is set but has no effect"
		it.Fix = "unset DASHBOARD_API_KEY, and rotate it if it was shared with the old dashboard"
	}
	return it
}

// probeTarget is a probe URL as shown: host, port and path, never a query.
func probeTarget(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Host + u.Path
}
