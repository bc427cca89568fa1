#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (test/e2e/editor.test.ts) and the README
# screenshots (npm run screenshots), and prints the binary's path on the last line of stdout.
#
#   bash scripts/install-chromium.sh            # silent when a supported Chromium is installed
#   bash scripts/install-chromium.sh --report   # also says which version is used (npm test)
#
# Takes whatever build Debian offers today (the candidate of `apt-cache policy chromium`): Debian
# keeps only its newest security build, so an exact pin would break every fresh clone within
# weeks. Only the major is checked: the tests drive it through playwright-core's CDP client, which
# supports Chromium CHROMIUM_MIN_MAJOR and newer. Already installed: ~50 ms, no network.
# apt's output goes to a log file under the cache folder (scripts/lib/quiet-step.sh).
#
# Needs Debian or Ubuntu with apt, and root (or sudo) for the first install.
set -euo pipefail

CHROMIUM_MIN_MAJOR=120
CHROMIUM_MAX_MAJOR=999
# Where Debian's package puts the binary (overridden only by test/unit/installScripts.test.ts).
chromium_bin="${CHROMIUM_BIN:-/usr/bin/chromium}"

log_tag=install-chromium
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/quiet-step.sh
source "$root/scripts/lib/quiet-step.sh"
# shellcheck source=lib/apt-follow.sh
source "$root/scripts/lib/apt-follow.sh"

report=0
[[ "${1:-}" == "--report" ]] && report=1

installed="$(dpkg-query -W -f='${Version}' chromium 2>/dev/null || true)"
if [[ -n "$installed" && -x "$chromium_bin" ]]; then
	apt_check_major chromium "$installed" "$CHROMIUM_MIN_MAJOR" "$CHROMIUM_MAX_MAJOR"
	((report)) && apt_note_version chromium "$installed"
	echo "$chromium_bin"
	exit 0
fi

apt_need_root chromium
# The local package lists may be weeks old and name a build the archive has dropped: refresh first.
quiet_step apt "apt-get update" "${apt_sudo[@]}" apt-get update -o DPkg::Lock::Timeout=300
candidate="$(apt_candidate chromium)"
[[ -n "$candidate" ]] || die "apt offers no chromium package: add Debian's main archive (or Ubuntu's) to the apt sources, or install Chromium $CHROMIUM_MIN_MAJOR+ at $chromium_bin yourself"
apt_check_major chromium "$candidate" "$CHROMIUM_MIN_MAJOR" "$CHROMIUM_MAX_MAJOR"
apt_install_quietly "chromium=$candidate"
[[ -x "$chromium_bin" ]] || die "$chromium_bin missing after installing chromium $candidate"
apt_note_version chromium "$candidate"
echo "$chromium_bin"
