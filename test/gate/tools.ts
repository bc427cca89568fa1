import { execFileSync } from 'child_process';
import * as path from 'path';

/** The package root. */
export const ROOT = path.resolve(__dirname, '..', '..');

/**
 * The folder holding the gate's pinned tools (test/gate/package.json), installed on first use by
 * scripts/install-scanner.sh into the cache; later calls only print the folder.
 */
export function installGateTools(): string {
	const out = execFileSync('bash', [path.join(ROOT, 'scripts', 'install-scanner.sh')], {
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	return out.trim().split('\n').pop()!;
}
