#!/usr/bin/env bash
# Installs what building and testing Nexus needs on Debian/Ubuntu, skipping what is already
# there: the GTK/WebKit development packages, and the tools the headless tests use (Xvfb,
# D-Bus, gnome-keyring, ImageMagick, xdotool, PostgreSQL). Runs apt as root or through sudo.
set -euo pipefail

packages=(
  build-essential pkg-config libgtk-3-dev libwebkit2gtk-4.1-dev
  xvfb xauth x11-utils xdotool imagemagick dbus dbus-x11 gnome-keyring libsecret-tools
  postgresql postgresql-client
)
if [ "${1:-}" = "--runtime-only" ]; then
  packages=(build-essential pkg-config libgtk-3-dev libwebkit2gtk-4.1-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "install these packages with your package manager: ${missing[*]}" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
echo "installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
