#!/usr/bin/env node
/*
 * Makes a package-lock.json generated against this project's npm registry usable by `npm ci`.
 *
 * Some optional, platform-specific packages n8n depends on (for example
 * @msgpackr-extract/msgpackr-extract-darwin-x64@3.0.7) are not on the registry these machines
 * reach. `npm install` then skips them and writes a lockfile without their entries, and `npm ci`
 * refuses that lockfile ("Missing: … from lock file"). None of them is for linux-x64, so this
 * script removes the optional dependencies that have no entry in the lockfile from the entries
 * that declare them. Everything else in the lockfile is left as npm wrote it.
 *
 *   node test/e2e/runtime/prune-lock.js test/e2e/runtime/n8n-2/package-lock.json
 */
'use strict';
const fs = require('fs');

const file = process.argv[2];
if (!file) {
	console.error('usage: prune-lock.js <package-lock.json>');
	process.exit(2);
}
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const packages = lock.packages || {};

/** Where npm would find dependency `name` for the package at `path` (nearest node_modules up). */
function resolves(path, name) {
	let base = path;
	for (;;) {
		const candidate = (base ? `${base}/` : '') + `node_modules/${name}`;
		if (packages[candidate]) return true;
		if (!base) return false;
		const i = base.lastIndexOf('/node_modules/');
		base = i === -1 ? '' : base.slice(0, i);
	}
}

let removed = 0;
for (const [path, entry] of Object.entries(packages)) {
	const optional = entry.optionalDependencies;
	if (!optional) continue;
	for (const name of Object.keys(optional)) {
		if (!resolves(path, name)) {
			console.error(
				`prune-lock: ${path || '<root>'}: dropping optional ${name}@${optional[name]} (not in lockfile)`,
			);
			delete optional[name];
			removed++;
		}
	}
	if (Object.keys(optional).length === 0) delete entry.optionalDependencies;
}
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.error(
	`prune-lock: ${file}: removed ${removed} optional dependencies without a lockfile entry`,
);
