import { readFileSync } from 'fs';
import path from 'path';

/**
 * The unit tier is only as true as its n8n-core: the same n8n-core and n8n-workflow as the n8n 2.x
 * the end-to-end tier runs, and never something the published package depends on.
 */
const root = path.join(__dirname, '..', '..');
const readJson = (file: string) => JSON.parse(readFileSync(path.join(root, file), 'utf8'));

const own = readJson('package.json') as Record<string, Record<string, string> | undefined>;
const runtimeLock = readJson('test/e2e/runtime/n8n-2/package-lock.json') as {
	packages: Record<string, { version: string }>;
};

describe('n8n-core in the unit tier', () => {
	it.each(['n8n-core', 'n8n-workflow'])(
		'%s is pinned to the version the pinned n8n 2.x runs',
		(name) => {
			expect(own.devDependencies?.[name]).toBe(
				runtimeLock.packages[`node_modules/${name}`].version,
			);
		},
	);

	it('is never a runtime dependency of the package', () => {
		for (const field of [
			'dependencies',
			'peerDependencies',
			'optionalDependencies',
			'bundleDependencies',
		]) {
			expect(Object.keys(own[field] ?? {})).not.toContain('n8n-core');
		}
	});
});
