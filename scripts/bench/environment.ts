/** What the bench ran on: the commit dist/ was built from and the n8n version. */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import { PACKAGE_ROOT } from '../../test/e2e/n8n';

export function gitCommit(): string | undefined {
	try {
		return execFileSync('git', ['rev-parse', 'HEAD'], {
			cwd: PACKAGE_ROOT,
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'ignore'],
		}).trim();
	} catch {
		return undefined;
	}
}

export function gitStatus(folder: string): string[] | undefined {
	try {
		return execFileSync('git', ['status', '--porcelain', '--', folder], {
			cwd: PACKAGE_ROOT,
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'ignore'],
		})
			.split('\n')
			.filter(Boolean);
	} catch {
		return undefined;
	}
}

export function n8nVersion(runtimeDir: string): string | undefined {
	try {
		return JSON.parse(
			fs.readFileSync(path.join(runtimeDir, 'node_modules', 'n8n', 'package.json'), 'utf8'),
		).version;
	} catch {
		return undefined;
	}
}
