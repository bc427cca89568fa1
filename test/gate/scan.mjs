/**
 * Runs n8n's verification scanner (`@n8n/scan-community-package`, its exported `analyzePackage`,
 * the lint gate without the registry download) on folders and prints one JSON array on stdout.
 *
 *   node test/gate/scan.mjs <scannerInstallDir> <label>=<source|tarball>:<dir> ...
 *
 * `source` lints with the scanner's SOURCE_FILE_PATTERNS (package.json, nodes/**, credentials/**),
 * `tarball` with the patterns it uses on a published package (`**\/*.js`, `package.json`).
 * ESM because the scanner is ESM; test/gate/scanner.test.ts runs it in a child process.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const [scannerDir, ...jobs] = process.argv.slice(2);
const scannerModule = path.join(
	scannerDir,
	'node_modules/@n8n/scan-community-package/scanner/scanner.mjs',
);
const { analyzePackage, SOURCE_FILE_PATTERNS } = await import(pathToFileURL(scannerModule).href);
const TARBALL_FILE_PATTERNS = ['**/*.js', 'package.json'];

const results = [];
for (const job of jobs) {
	const [, label, kind, dir] = /^([^=]+)=(source|tarball):(.+)$/.exec(job) ?? [];
	if (!label) throw new Error(`bad job "${job}": expected <label>=<source|tarball>:<dir>`);
	const patterns = kind === 'source' ? SOURCE_FILE_PATTERNS : TARBALL_FILE_PATTERNS;
	const result = await analyzePackage(dir, patterns);
	results.push({
		label,
		dir,
		patterns,
		passed: result.passed,
		message: result.message ?? null,
		details: result.details ?? (result.error ? String(result.error.stack ?? result.error) : null),
	});
}
process.stdout.write(JSON.stringify(results));
