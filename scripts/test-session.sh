#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring and temporary
# XDG dirs, so tests use a real Secret Service without ever touching the user's own keychain,
# config or data. Usage: scripts/test-session.sh COMMAND [ARGS...]
set -euo pipefail

if [ -n "${NEXUS_TEST_SESSION:-}" ]; then
  exec "$@" # already inside one
fi
# Keep Go's build cache where it is: XDG_CACHE_HOME below would move it and rebuild everything.
export GOCACHE="${GOCACHE:-$(go env GOCACHE)}"
tmp=$(mktemp -d /tmp/nexus-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/data" "$tmp/cache" "$tmp/config" "$tmp/runtime"
chmod 700 "$tmp/runtime"
export XDG_DATA_HOME="$tmp/data" XDG_CACHE_HOME="$tmp/cache" XDG_CONFIG_HOME="$tmp/config" XDG_RUNTIME_DIR="$tmp/runtime"
export NEXUS_TEST_SESSION=1
# Unlock before any secret call: otherwise D-Bus activates a locked keyring.
dbus-run-session -- bash -c 'echo -n nexus-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"' _ "$@"
