#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium at a pinned version for the browser tests
# (test/e2e/editor.test.ts) and the README screenshots (npm run screenshots), and prints the
# binary's path on the last line of stdout. Progress goes to stderr.
#
#   bash scripts/install-chromium.sh
#
# Pinned to the version `apt-cache policy chromium` offered when the tests were written (Debian 12
# security updates). Debian keeps only the newest security build in its archive: when the pin is no
# longer offered the script stops and says so; update CHROMIUM_VERSION below after checking the
# browser tests with the new build. Already installed at the pinned version: ~50 ms, no network.
#
# Needs root (or sudo) and Debian's apt sources; CHROMIUM_VERSION may be overridden from the env.
set -euo pipefail

version="${CHROMIUM_VERSION:-156.0.8078.79-1~deb12u1}"

log() { printf '[install-chromium] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

installed="$(dpkg-query -W -f='${Version}' chromium 2>/dev/null || true)"
if [[ "$installed" == "$version" && -x /usr/bin/chromium ]]; then
	echo /usr/bin/chromium
	exit 0
fi

command -v apt-get >/dev/null 2>&1 || die "apt-get not found: the browser tests need Debian's chromium $version"
sudo=()
if [[ "$(id -u)" != "0" ]]; then
	command -v sudo >/dev/null 2>&1 || die "not root and no sudo: run as root to install chromium $version"
	sudo=(sudo)
fi

offered() { apt-cache madison chromium 2>/dev/null | awk -F'|' '{gsub(/ /, "", $2); print $2}' | grep -qxF "$version"; }

start=$SECONDS
if ! offered; then
	log "apt-get update (chromium $version not in the local package lists)"
	"${sudo[@]}" apt-get update -qq 1>&2
fi
offered || die "chromium $version is no longer offered by apt ($(apt-cache policy chromium | sed -n 's/ *Candidate: //p') is); update CHROMIUM_VERSION in $0"

log "installing chromium $version (was: ${installed:-none})"
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
	"chromium=$version" "chromium-common=$version" 1>&2
[[ -x /usr/bin/chromium ]] || die "/usr/bin/chromium missing after install"
log "chromium $version ready in $((SECONDS - start)) s: $(/usr/bin/chromium --version 2>/dev/null || true)"
echo /usr/bin/chromium
