package checklist

import "fmt"

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

// loopbackOnly checks that the proxy is configured to listen on loopback only. It looks at
// the configured host, not yet at the sockets the OS reports.
func loopbackOnly(f Facts) Item {
	it := Item{ID: "loopback-only", Title: "The proxy listens on loopback only", Critical: true}
	host := f.Host
	if host == "" {
		host = "127.0.0.1 and ::1"
	}
	if f.Host == "" || f.HostLoopback {
		it.Status = Pass
		it.Evidence = fmt.Sprintf("configured host: %s (from the settings; listening sockets are not inspected yet)", host)
		return it
	}
	it.Status = Fail
	it.Evidence = fmt.Sprintf("configured host %q is not a loopback address: other machines could reach the proxy", f.Host)
	it.Fix = "unset HOST, or set it (or host in the settings file) to 127.0.0.1, ::1 or localhost"
	return it
}

// dashboardExposure checks for a network UI. This build has none: the window talks to the
// app in-process. A DASHBOARD_API_KEY is then only a leftover, worth a warning.
func dashboardExposure(f Facts) Item {
	it := Item{ID: "dashboard-exposure", Title: "No dashboard is reachable over the network", Critical: true,
		Status: Pass, Evidence: "this build has no network UI: the window talks to Nexus in-process"}
	if f.DashboardKeySet {
		it.Status = Warn
		it.Evidence += "; DASHBOARD_API_KEY is set but has no effect"
		it.Fix = "unset DASHBOARD_API_KEY, and rotate it if it was shared with the old dashboard"
	}
	return it
}
