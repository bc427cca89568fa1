/**
 * The install scripts follow the build Debian offers today instead of an exact pin: Debian keeps
 * only its newest security build, so a pinned version vanishes from the archive within weeks.
 * These tests run the real scripts with stand-ins for apt-get, apt-cache, dpkg-query and the
 * installed binaries first on PATH (each records its arguments), so they need neither root nor
 * network, and check what the scripts ask apt for and what they refuse.
 */
import { spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';

const ROOT = path.resolve(__dirname, '../..');

interface FakeApt {
	/** Candidate versions `apt-cache policy` names, by package ('' = no candidate). */
	candidates: Record<string, string>;
	/** Versions `dpkg-query -W` reports as installed, by package. */
	installed?: Record<string, string>;
	/** The Chromium version recorded by an earlier run of the script ("last used here"). */
	lastUsedChromium?: string;
	/** Whether redis-server is already on PATH / a Postgres server under POSTGRES_LIB. */
	haveRedis?: boolean;
	havePostgres?: boolean;
}

interface Run {
	status: number | null;
	stdout: string;
	stderr: string;
	/** Each apt-get call's arguments, one line per call. */
	aptGetCalls: string[];
	chromiumBin: string;
}

function write(file: string, text: string, mode = 0o755): void {
	fs.mkdirSync(path.dirname(file), { recursive: true });
	fs.writeFileSync(file, text, { mode });
}

function runScript(script: string, fake: FakeApt, args: string[] = []): Run {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'install-scripts-'));
	const bin = path.join(dir, 'bin');
	const cache = path.join(dir, 'cache');
	const chromiumBin = path.join(dir, 'usr-bin-chromium');
	const postgresLib = path.join(dir, 'postgresql');
	const calls = path.join(dir, 'apt-get.calls');

	const policy = Object.entries(fake.candidates)
		.map(
			([name, version]) =>
				`  ${name}) printf '%s:\\n  Installed: (none)\\n  Candidate: %s\\n' ${name} '${version || '(none)'}' ;;`,
		)
		.join('\n');
	write(
		path.join(bin, 'apt-cache'),
		`#!/bin/sh\n[ "$1" = policy ] || exit 1\ncase "$2" in\n${policy}\n  *) ;;\nesac\n`,
	);
	// apt-get install "creates" the binaries its packages ship.
	write(
		path.join(bin, 'apt-get'),
		`#!/bin/sh
echo "$*" >> '${calls}'
for arg in "$@"; do
  case "$arg" in
    chromium=*) printf '#!/bin/sh\\necho Chromium\\n' > '${chromiumBin}'; chmod +x '${chromiumBin}' ;;
    redis-server=*) printf '#!/bin/sh\\necho "Redis server v=7.2.9 sha=0"\\n' > '${bin}/redis-server'; chmod +x '${bin}/redis-server' ;;
    postgresql=*) mkdir -p '${postgresLib}/16/bin'; printf '#!/bin/sh\\necho "postgres (PostgreSQL) 16.4"\\n' > '${postgresLib}/16/bin/postgres'; chmod +x '${postgresLib}/16/bin/postgres' ;;
  esac
done
`,
	);
	const installed = Object.entries(fake.installed ?? {})
		.map(([name, version]) => `  *${name}) printf '%s' '${version}'; exit 0 ;;`)
		.join('\n');
	write(
		path.join(bin, 'dpkg-query'),
		`#!/bin/sh\nfor last; do :; done\ncase "$last" in\n${installed}\nesac\nexit 1\n`,
	);
	write(path.join(bin, 'id'), '#!/bin/sh\necho 0\n');
	if (fake.installed?.chromium) write(chromiumBin, '#!/bin/sh\necho Chromium\n');
	if (fake.haveRedis)
		write(path.join(bin, 'redis-server'), '#!/bin/sh\necho "Redis server v=7.0.15 sha=0"\n');
	// Debian's own Postgres prints its package version too.
	const postgresVersion = '"postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"';
	if (fake.havePostgres)
		write(path.join(postgresLib, '15', 'bin', 'postgres'), `#!/bin/sh\necho ${postgresVersion}\n`);
	if (fake.lastUsedChromium)
		write(path.join(cache, 'apt-versions', 'chromium'), `${fake.lastUsedChromium}\n`, 0o644);

	const result = spawnSync('bash', [path.join(ROOT, 'scripts', script), ...args], {
		encoding: 'utf8',
		env: {
			PATH: `${bin}:/usr/bin:/bin`,
			HOME: dir,
			N8N_CACHE_DIR: cache,
			CHROMIUM_BIN: chromiumBin,
			// Found only in the fake bin folder, whatever this machine has in /usr/bin.
			REDIS_SERVER: path.join(bin, 'redis-server'),
			POSTGRES_LIB: postgresLib,
			POLICY_RC_D: path.join(dir, 'policy-rc.d'),
		},
	});
	const aptGetCalls = fs.existsSync(calls)
		? fs.readFileSync(calls, 'utf8').trim().split('\n').filter(Boolean)
		: [];
	fs.rmSync(dir, { recursive: true, force: true });
	return {
		status: result.status,
		stdout: result.stdout,
		stderr: result.stderr,
		aptGetCalls,
		chromiumBin,
	};
}

describe('scripts/install-chromium.sh follows Debian', () => {
	it('installs the candidate Debian offers today, though it is not the build used last time', () => {
		const run = runScript('install-chromium.sh', {
			candidates: { chromium: '157.0.8123.4-1~deb12u1' },
			lastUsedChromium: '156.0.8078.79-1~deb12u1',
		});
		expect(run.status).toBe(0);
		expect(run.aptGetCalls[0]).toMatch(/^update\b/);
		expect(run.aptGetCalls[1]).toMatch(/^install .*chromium=157\.0\.8123\.4-1~deb12u1$/);
		expect(run.stdout.trim().split('\n').pop()).toBe(run.chromiumBin);
		// The version used, once, on one line, with what it replaces.
		const lines = run.stderr.split('\n').filter((line) => line.includes('using chromium'));
		expect(lines).toEqual([
			'[install-chromium] using chromium 157.0.8123.4-1~deb12u1 (last used here: 156.0.8078.79-1~deb12u1)',
		]);
		// apt's own output is in the log, not on the console.
		expect(run.stderr).not.toMatch(/Reading package lists/);
	});

	it('keeps an installed Chromium of a supported major, whatever its build, without calling apt', () => {
		const run = runScript(
			'install-chromium.sh',
			{
				candidates: { chromium: '158.0.1-1' },
				installed: { chromium: '150.0.7871.100-1~deb12u1' },
			},
			['--report'],
		);
		expect(run.status).toBe(0);
		expect(run.aptGetCalls).toEqual([]);
		expect(run.stderr).toContain('using chromium 150.0.7871.100-1~deb12u1');
	});

	it('refuses a major the tests do not support, saying what to do', () => {
		const run = runScript('install-chromium.sh', { candidates: { chromium: '119.0.6045.199-1' } });
		expect(run.status).not.toBe(0);
		expect(run.stderr).toMatch(/chromium 119\.0\.6045\.199-1 .*supports? majors 120 to/);
		expect(run.aptGetCalls.some((call) => call.startsWith('install'))).toBe(false);
	});

	it('fails clearly when apt offers no chromium at all', () => {
		const run = runScript('install-chromium.sh', { candidates: { chromium: '' } });
		expect(run.status).not.toBe(0);
		expect(run.stderr).toContain('apt offers no chromium package');
	});
});

describe('scripts/install-queue-deps.sh follows Debian', () => {
	it('installs the Redis and Postgres candidates of today and names the versions on one line', () => {
		const run = runScript('install-queue-deps.sh', {
			candidates: { 'redis-server': '5:7.2.9-1~deb13u1', postgresql: '16+257' },
		});
		expect(run.status).toBe(0);
		expect(run.aptGetCalls[1]).toMatch(
			/^install .*redis-server=5:7\.2\.9-1~deb13u1 postgresql=16\+257$/,
		);
		expect(run.stderr.split('\n').filter((line) => line.includes('using'))).toEqual([
			'[install-queue-deps] using redis-server 7.2.9, postgres 16.4',
		]);
	});

	it('installs nothing when both are present', () => {
		const run = runScript('install-queue-deps.sh', {
			candidates: {},
			haveRedis: true,
			havePostgres: true,
		});
		expect(run.status).toBe(0);
		expect(run.aptGetCalls).toEqual([]);
		expect(run.stderr).toContain('using redis-server 7.0.15, postgres 15.18');
	});

	it('refuses a Postgres major outside the supported range', () => {
		const run = runScript('install-queue-deps.sh', {
			candidates: { postgresql: '12+225' },
			haveRedis: true,
		});
		expect(run.status).not.toBe(0);
		expect(run.stderr).toMatch(/postgresql 12\+225 .*majors 13 to 17/);
		expect(run.aptGetCalls.some((call) => call.startsWith('install'))).toBe(false);
	});
});

describe('no project file pins an exact Debian package version', () => {
	it('names no package=version for apt, and no Debian build suffix', () => {
		const scripts = fs
			.readdirSync(path.join(ROOT, 'scripts'), { recursive: true })
			.map(String)
			.filter((file) => file.endsWith('.sh'))
			.map((file) => fs.readFileSync(path.join(ROOT, 'scripts', file), 'utf8'));
		for (const text of scripts) {
			expect(text).not.toMatch(/(chromium|redis-server|redis-tools|postgresql)=[0-9]/);
			expect(text).not.toMatch(/deb1[0-9]u[0-9]/);
		}
	});
});
