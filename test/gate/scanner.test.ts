/**
 * n8n's verification gate, run locally: the pinned `@n8n/scan-community-package`
 * (test/gate/package.json, installed apart from the root toolchain by scripts/install-scanner.sh)
 * lints this package's source and its `npm pack` output with its own ESLint config, the way
 * n8n's scan does before a community package can be verified. Any error fails the test, and the
 * scanner's report (file, line:column, message, rule) is printed.
 *
 * Needs `npm run build` first (the tarball is packed from dist/).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { installGateTools, ROOT } from './tools';

interface ScanResult {
	label: string;
	dir: string;
	patterns: string[];
	passed: boolean;
	message: string | null;
	details: string | null;
}

/** `npm pack` of the working tree, unpacked; returns the package folder and the file list. */
function packAndUnpack(into: string): { dir: string; files: string[] } {
	if (!fs.existsSync(path.join(ROOT, 'dist', 'nodes', 'Midjourney', 'Midjourney.node.js'))) {
		throw new Error('dist/ is missing: run `npm run build` before this test');
	}
	const packed = JSON.parse(
		execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', into], {
			cwd: ROOT,
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'inherit'],
		}),
	) as Array<{ filename: string; files: Array<{ path: string }> }>;
	const dir = path.join(into, 'package');
	execFileSync('tar', ['-xzf', path.join(into, packed[0].filename), '-C', into]);
	return { dir, files: packed[0].files.map((f) => f.path).sort() };
}

/** A package the gate must reject: proves the scanner runs and reports, not just that it exits 0. */
function writeRejectedFixture(into: string): string {
	const dir = path.join(into, 'rejected');
	fs.mkdirSync(dir);
	fs.writeFileSync(
		path.join(dir, 'package.json'),
		JSON.stringify({
			name: 'n8n-nodes-gate-canary',
			version: '0.0.1',
			license: 'MIT',
			author: { name: 'No Email' },
			keywords: ['n8n-community-node-package'],
			dependencies: { 'left-pad': '1.3.0' },
			n8n: { n8nNodesApiVersion: 1, nodes: [] },
		}),
	);
	return dir;
}

/**
 * Reads the scanner's stylish report: a file path line, then one `line:col  error  message  rule`
 * line per finding. Counts findings per "<relative file> <rule>"; lines that are neither go to
 * `unparsed` (so a format change fails the test instead of hiding findings).
 */
function countFindings(
	result: ScanResult,
	dir: string,
): { byFileAndRule: Record<string, number>; unparsed: string[] } {
	const byFileAndRule: Record<string, number> = {};
	const unparsed: string[] = [];
	let file = '';
	for (const line of (result.details ?? '').split('\n')) {
		const trimmed = line.trim();
		if (!trimmed || /^✖ \d+ problems?/.test(trimmed) || /potentially fixable/.test(trimmed))
			continue;
		if (path.isAbsolute(trimmed)) {
			file = path.relative(dir, trimmed);
			continue;
		}
		const finding = /^\d+:\d+\s+(error|warning)\s+.*\s(\S+)$/.exec(trimmed);
		if (finding && file && finding[1] === 'error') {
			const key = `${file} ${finding[2]}`;
			byFileAndRule[key] = (byFileAndRule[key] ?? 0) + 1;
		} else if (!finding) {
			unparsed.push(line);
		}
	}
	if (!result.passed && result.message !== 'ESLint violations found')
		unparsed.push(`scanner failed: ${result.message}`);
	return { byFileAndRule, unparsed };
}

describe("n8n's verification scanner (@n8n/scan-community-package, pinned)", () => {
	let work: string;
	let results: Record<string, ScanResult>;
	let packedFiles: string[];

	beforeAll(() => {
		const scannerDir = installGateTools();
		work = fs.mkdtempSync(path.join(os.tmpdir(), 'useapi-gate-'));
		const packed = packAndUnpack(work);
		packedFiles = packed.files;
		const rejected = writeRejectedFixture(work);
		// Jest sets NODE_ENV=test, which makes eslint-plugin-n8n-nodes-base treat every file as
		// "Test.node.ts" (its own test mode) and report false filename findings. n8n's scan runs
		// without it.
		const env = { ...process.env };
		delete env.NODE_ENV;
		const out = execFileSync(
			process.execPath,
			[
				path.join(__dirname, 'scan.mjs'),
				scannerDir,
				`source=source:${ROOT}`,
				`tarball=tarball:${packed.dir}`,
				`canary=tarball:${rejected}`,
			],
			{ encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024, env },
		);
		results = Object.fromEntries((JSON.parse(out) as ScanResult[]).map((r) => [r.label, r]));
	}, 600_000);

	afterAll(() => {
		if (work) fs.rmSync(work, { recursive: true, force: true });
	});

	function report(result: ScanResult): void {
		if (!result.passed) {
			// The scanner's own report: file, line:column, message, rule for every finding.
			process.stderr.write(
				`\n[gate] ${result.label} (${result.patterns.join(', ')}): ${result.message}\n${result.details ?? ''}\n`,
			);
		}
	}

	it('finds no error in the source (package.json, nodes/, credentials/)', () => {
		report(results.source);
		const counted = countFindings(results.source, ROOT);
		expect(counted.unparsed).toEqual([]);
		expect(counted.byFileAndRule).toEqual({});
		expect({ passed: results.source.passed, message: results.source.message }).toEqual({
			passed: true,
			message: null,
		});
	});

	it('finds no error in the npm pack output (**/*.js, package.json)', () => {
		report(results.tarball);
		expect({ passed: results.tarball.passed, message: results.tarball.message }).toEqual({
			passed: true,
			message: null,
		});
	});

	it('rejects a package with runtime dependencies and an author without e-mail (the gate can fail)', () => {
		expect(results.canary.passed).toBe(false);
		const counted = countFindings(results.canary, results.canary.dir);
		expect(counted.unparsed).toEqual([]);
		expect(counted.byFileAndRule).toMatchObject({
			'package.json @n8n/community-nodes/no-runtime-dependencies': 1,
			'package.json @n8n/community-nodes/valid-author': 1,
		});
	});

	it('packs dist/ and the top-level README.md, LICENSE and package.json only', () => {
		const outsideDist = packedFiles.filter((f) => !f.startsWith('dist/'));
		expect(outsideDist.sort()).toEqual(['LICENSE', 'README.md', 'package.json']);
		expect(packedFiles).toContain('dist/nodes/Midjourney/Midjourney.node.js');
	});
});
