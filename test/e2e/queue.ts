/**
 * A real n8n 2.x in queue mode on loopback, as n8n's docs ("Configuring queue mode") describe it:
 * Redis (the Bull queue) and Postgres (SQLite is not supported in queue mode) as child processes,
 * a main process, two workers (`n8n worker`) and one webhook process (`n8n webhook`), each with
 * its own user folder holding this package (community packages must be on every process), its own
 * task-runner broker port and, for workers, its own health-check port.
 *
 * Redis and Postgres come from Debian's packages (scripts/install-queue-deps.sh, run by `npm test`).
 * Every process is started on free loopback ports with its own temporary data folder and is killed
 * by pid (its process group) by `stop()`, or by an exit hook if the test run dies first.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { freePortPair, sleep, startN8n, type HttpResult, type N8nInstance } from './n8n';

/** A server the tests run as a child process (Redis, Postgres). */
export interface ChildService {
	name: string;
	port: number;
	pid: number;
	logs(): string;
	stop(): Promise<void>;
}

const services = new Set<Service>();
let exitHookInstalled = false;

class Service implements ChildService {
	pid: number;
	private output = '';
	private readonly exited: Promise<void>;
	private done = false;

	constructor(
		readonly name: string,
		readonly port: number,
		child: ChildProcess,
		private readonly dataDir: string,
	) {
		if (!child.pid) throw new Error(`could not start ${name}`);
		this.pid = child.pid;
		child.stdout?.on('data', (c) => this.append(c));
		child.stderr?.on('data', (c) => this.append(c));
		this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
		child.once('exit', (code, signal) => {
			this.done = true;
			this.append(`\n[queue] ${name} pid ${this.pid} exited (code ${code}, signal ${signal})\n`);
		});
		services.add(this);
		if (!exitHookInstalled) {
			exitHookInstalled = true;
			process.on('exit', () => {
				for (const service of services) service.killNow();
			});
		}
	}

	private append(chunk: Buffer | string): void {
		this.output += chunk.toString();
		if (this.output.length > 1024 * 1024) this.output = this.output.slice(-512 * 1024);
	}

	logs(): string {
		return this.output;
	}

	async waitForLog(text: string, timeoutMs: number): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (!this.output.includes(text)) {
			if (this.done)
				throw new Error(`${this.name} exited during startup:\n${this.output.slice(-4000)}`);
			if (Date.now() > deadline)
				throw new Error(
					`${this.name} not ready after ${timeoutMs} ms:\n${this.output.slice(-4000)}`,
				);
			await sleep(100);
		}
	}

	private signalGroup(signal: NodeJS.Signals): void {
		try {
			process.kill(-this.pid, signal);
		} catch {
			// already gone
		}
	}

	killNow(): void {
		this.signalGroup('SIGKILL');
		services.delete(this);
		fs.rmSync(this.dataDir, { recursive: true, force: true });
	}

	async stop(): Promise<void> {
		if (!services.has(this)) return;
		if (!this.done) {
			this.signalGroup('SIGTERM');
			await Promise.race([this.exited, sleep(10_000)]);
		}
		this.killNow();
	}
}

/** Root runs the database as the `postgres` user (Postgres refuses root); anyone else as themselves. */
function postgresUser(): { uid: number; gid: number } | undefined {
	if (process.getuid?.() !== 0) return undefined;
	const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
	const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
	return { uid, gid };
}

function postgresBinDir(): string {
	const root = '/usr/lib/postgresql';
	const versions = fs.existsSync(root)
		? fs.readdirSync(root).sort((a, b) => Number(b) - Number(a))
		: [];
	for (const version of versions) {
		const dir = path.join(root, version, 'bin');
		if (fs.existsSync(path.join(dir, 'postgres'))) return dir;
	}
	throw new Error(
		'Postgres not found under /usr/lib/postgresql: run `bash scripts/install-queue-deps.sh`',
	);
}

/** `redis-server` on a free loopback port, in memory only. */
export async function startRedis(): Promise<ChildService> {
	const port = await freePortPair();
	const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-redis-'));
	const child = spawn(
		'redis-server',
		[
			'--port',
			String(port),
			'--bind',
			'127.0.0.1',
			'--save',
			'',
			'--appendonly',
			'no',
			'--daemonize',
			'no',
			'--dir',
			dataDir,
		],
		{ detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
	);
	const service = new Service('redis', port, child, dataDir);
	await service.waitForLog('Ready to accept connections', 30_000);
	return service;
}

/** A fresh Postgres cluster in a temporary folder, listening on 127.0.0.1 only (trust auth: loopback test data). */
export async function startPostgres(): Promise<ChildService> {
	const bin = postgresBinDir();
	const port = await freePortPair();
	const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-postgres-'));
	const user = postgresUser();
	if (user) fs.chownSync(baseDir, user.uid, user.gid);
	const dataDir = path.join(baseDir, 'data');
	const init = spawnSync(
		path.join(bin, 'initdb'),
		['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '--encoding=UTF8', '--locale=C'],
		{ encoding: 'utf8', cwd: baseDir, ...(user ?? {}) },
	);
	if (init.status !== 0) {
		fs.rmSync(baseDir, { recursive: true, force: true });
		throw new Error(`initdb failed (${init.status}): ${init.stderr || init.stdout}`);
	}
	const child = spawn(
		path.join(bin, 'postgres'),
		[
			'-D',
			dataDir,
			'-p',
			String(port),
			'-k',
			baseDir,
			'-c',
			'listen_addresses=127.0.0.1',
			'-c',
			'fsync=off',
			'-c',
			'max_connections=100',
		],
		{ detached: true, stdio: ['ignore', 'pipe', 'pipe'], cwd: baseDir, ...(user ?? {}) },
	);
	const service = new Service('postgres', port, child, baseDir);
	await service.waitForLog('database system is ready to accept connections', 60_000);
	return service;
}

export interface QueueCluster {
	redis: ChildService;
	postgres: ChildService;
	/** Editor, REST API; enqueues executions. Also serves production webhooks (n8n's default in queue mode). */
	main: N8nInstance;
	workers: N8nInstance[];
	/** `n8n webhook`: production webhooks and resume calls; `WEBHOOK_URL` of every process points here. */
	webhook: N8nInstance;
	/** http://127.0.0.1:PORT of the webhook process. */
	webhookBaseUrl: string;
	/** Calls a production webhook on the webhook process, retrying 404 while it registers. */
	callWebhook(
		webhookPath: string,
		body?: unknown,
		opts?: { retryMs?: number },
	): Promise<HttpResult>;
	/** Index of the worker whose log says it ran this execution (undefined: none yet). */
	workerOf(executionId: string): number | undefined;
	/** How many times workers took this execution from the queue (a resumed execution is taken again). */
	workerStarts(executionId: string): number;
	/** Stops the n8n processes, then Postgres and Redis, each by pid. */
	stop(): Promise<void>;
}

/** The lines a worker logs when it takes an execution from the queue (n8n's JobProcessor, info level). */
function workerStartsIn(workerLog: string, executionId: string): number {
	return (
		workerLog.match(new RegExp(`Worker started execution ${executionId} \\(job`, 'g'))?.length ?? 0
	);
}

export interface QueueClusterOptions {
	workers?: number;
	/** `n8n worker --concurrency`: executions one worker runs at once. */
	workerConcurrency?: number;
	env?: Record<string, string>;
	/** More community packages for every process (startN8n's `extraPackages`), e.g. a probe fixture. */
	extraPackages?: string[];
}

export async function startQueueCluster(options: QueueClusterOptions = {}): Promise<QueueCluster> {
	const [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
	const started: N8nInstance[] = [];
	try {
		const webhookPort = await freePortPair();
		const webhookBaseUrl = `http://127.0.0.1:${webhookPort}`;
		const shared: Record<string, string> = {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(postgres.port),
			DB_POSTGRESDB_DATABASE: 'postgres',
			DB_POSTGRESDB_USER: 'postgres',
			DB_POSTGRESDB_PASSWORD: 'postgres',
			DB_POSTGRESDB_POOL_SIZE: '4',
			// Resume URLs and the editor's production URLs name the webhook process.
			N8N_WEBHOOK_URL: `${webhookBaseUrl}/`,
			WEBHOOK_URL: `${webhookBaseUrl}/`,
			OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
			...options.env,
		};
		// Main first: it runs the database migrations the others expect.
		const main = await startN8n({ env: shared, extraPackages: options.extraPackages });
		started.push(main);
		const workerPorts = await Promise.all(
			Array.from({ length: options.workers ?? 2 }, () => freePortPair()),
		);
		const starting = await Promise.allSettled([
			startN8n({
				command: 'webhook',
				port: webhookPort,
				env: shared,
				extraPackages: options.extraPackages,
			}),
			...workerPorts.map((port) =>
				startN8n({
					command: 'worker',
					commandArgs: [`--concurrency=${options.workerConcurrency ?? 5}`],
					port,
					healthCheckPort: port,
					env: { ...shared, QUEUE_HEALTH_CHECK_PORT: String(port) },
					extraPackages: options.extraPackages,
				}),
			),
		]);
		// Every process that got ready is stopped below if another one failed (e.g. a port race).
		for (const result of starting) if (result.status === 'fulfilled') started.push(result.value);
		const failed = starting.find((result) => result.status === 'rejected');
		if (failed) throw failed.reason;
		const [webhook, ...workers] = starting.map(
			(result) => (result as PromiseFulfilledResult<N8nInstance>).value,
		);
		const cluster: QueueCluster = {
			redis,
			postgres,
			main,
			workers,
			webhook,
			webhookBaseUrl,
			async callWebhook(webhookPath, body = {}, opts = {}) {
				const url = `${webhookBaseUrl}/webhook/${webhookPath.replace(/^\//, '')}`;
				const deadline = Date.now() + (opts.retryMs ?? 20_000);
				for (;;) {
					const res = await webhook.http('POST', url, body);
					if (res.status !== 404 || Date.now() > deadline) return res;
					await sleep(250);
				}
			},
			workerOf(executionId) {
				const index = workers.findIndex((worker) => workerStartsIn(worker.logs(), executionId) > 0);
				return index < 0 ? undefined : index;
			},
			workerStarts(executionId) {
				return workers.reduce((sum, worker) => sum + workerStartsIn(worker.logs(), executionId), 0);
			},
			async stop() {
				await Promise.all([...workers, webhook].map((p) => p.stop()));
				await main.stop();
				await Promise.all([postgres.stop(), redis.stop()]);
			},
		};
		return cluster;
	} catch (error) {
		// Whatever got as far as starting (startN8n stops a process that failed to get ready itself).
		await Promise.all(started.map((p) => p.stop().catch(() => undefined)));
		await Promise.all([postgres.stop(), redis.stop()]);
		throw error;
	}
}
