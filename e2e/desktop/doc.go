//go:build e2e

// Package desktop tests the built desktop app (build/bin/nexus) end to end: a real window
// under Xvfb, the proxy it runs, and its tray menu over D-Bus against a stand-in tray host.
// Run it inside scripts/test-session.sh (a private D-Bus session with an unlocked keyring).
package desktop
