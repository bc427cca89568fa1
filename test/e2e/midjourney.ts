/**
 * What the end-to-end tests share: one emulator and one real n8n with this package, a credential
 * pointing at the emulator, and a way to run the Midjourney node with given parameters inside a
 * real workflow (Webhook → [Split Out] → Midjourney) and read back what it produced.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

import {
	PRESETS,
	startEmulator,
	type Emulator,
	type EmulatorOptions,
	type ReadingsPreset,
} from '../emulator';
import {
	PACKAGE_NAME,
	sleep,
	startN8n,
	stopAllN8n,
	type ExecutionDetails,
	type N8nInstance,
	type N8nMajor,
	type N8nOptions,
	type NodeItem,
} from './n8n';

export { sleep } from './n8n';

/** Polls `check` every 100 ms until it returns something truthy, and returns that; fails after `timeoutMs`. */
export async function until<T>(
	what: string,
	check: () => T | undefined | false | Promise<T | undefined | false>,
	timeoutMs = 30_000,
): Promise<T> {
	const end = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value) return value;
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
		await sleep(100);
	}
}

export const MIDJOURNEY_TYPE = 'n8n-nodes-useapi-midjourney.midjourney';
export const TRIGGER_TYPE = 'n8n-nodes-useapi-midjourney.midjourneyTrigger';
export const TOKEN = 'test-token';

export interface E2eEnvironment {
	n8n: N8nInstance;
	emulator: Emulator;
	credentialId: string;
	credentials: { useApiNetApi: { id: string; name: string } };
}

export async function startEnvironment(
	options: {
		major?: N8nMajor;
		emulator?: EmulatorOptions;
		packageMode?: N8nOptions['packageMode'];
	} = {},
): Promise<E2eEnvironment> {
	const n8n = await startN8n({ major: options.major ?? 2, packageMode: options.packageMode });
	return connectEmulator(n8n, options.emulator);
}

/**
 * A new emulator and a credential pointing at it, in the given n8n. Tests that run side by side in
 * one n8n each take one (`connectEmulator(env.n8n, …)`), so their jobs, slots, requests and readings
 * never meet. The caller closes the emulator.
 */
export async function connectEmulator(
	n8n: N8nInstance,
	options: EmulatorOptions = {},
): Promise<E2eEnvironment> {
	const emulator = await startEmulator({ token: TOKEN, jobDurationMs: 400, ...options });
	return { n8n, emulator, ...(await emulatorCredential(n8n, emulator.url)) };
}

/**
 * A useapi.net credential in `n8n` for the emulator at `baseUrl`, and the `credentials` a node names
 * it by. One name for all (n8n allows it): the editor tests and the pictures show this one.
 */
export async function emulatorCredential(
	n8n: N8nInstance,
	baseUrl: string,
	apiToken = TOKEN,
): Promise<Pick<E2eEnvironment, 'credentialId' | 'credentials'>> {
	const name = 'useapi.net (emulator)';
	const credentialId = await n8n.createCredential(name, 'useApiNetApi', { apiToken, baseUrl });
	return { credentialId, credentials: { useApiNetApi: { id: credentialId, name } } };
}

/**
 * The environment of one test file: started before its tests, stopped after them, the emulator's
 * records cleared before each test. The object is filled in by beforeAll.
 */
export function useEnvironment(
	options: Parameters<typeof startEnvironment>[0] = {},
): E2eEnvironment {
	const env = {} as E2eEnvironment;
	beforeAll(async () => {
		Object.assign(env, await startEnvironment(options));
	});
	afterAll(async () => {
		await stopEnvironment(env.emulator ? env : undefined);
	});
	beforeEach(() => env.emulator.reset());
	return env;
}

/** The emulator's presets, for the tests that run under each reading of the pages' silences. */
export const READINGS_PRESETS: ReadingsPreset[] = ['least-friendly', 'friendly'];

/**
 * The emulator of `env` takes the readings of `preset` before each test of the calling describe
 * block (after useEnvironment's reset, which restores the readings it started with).
 */
export function useReadings(env: E2eEnvironment, preset: ReadingsPreset): void {
	beforeEach(() => {
		Object.assign(env.emulator.readings, PRESETS[preset]);
	});
}

/**
 * What n8n has in its community-nodes folder (for packageMode 'packed'): the packages there, whether
 * ours brought a node_modules folder or declares dependencies, and whether the bundled SSE parser
 * is inside its dist/.
 */
export function installedPackageLayout(n8n: N8nInstance): {
	packages: string[];
	nodeModulesInPackage: boolean;
	dependencies: unknown;
	bundledParser: boolean;
} {
	const modules = path.join(n8n.userFolder, '.n8n', 'nodes', 'node_modules');
	const pkgDir = path.join(modules, PACKAGE_NAME);
	const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
	return {
		packages: fs.readdirSync(modules).sort(),
		nodeModulesInPackage: fs.existsSync(path.join(pkgDir, 'node_modules')),
		dependencies: pkg.dependencies,
		bundledParser: fs.existsSync(
			path.join(pkgDir, 'dist', 'nodes', 'Midjourney', 'vendor', 'eventsource-parser', 'index.js'),
		),
	};
}

export async function stopEnvironment(env: E2eEnvironment | undefined): Promise<void> {
	await stopAllN8n();
	await env?.emulator.close();
}

export interface NodeRun {
	/** The Midjourney node's output items (json, binary metadata, pairedItem). */
	items: NodeItem[];
	/** Its error output's items (On Error: Continue (using error output)). */
	errorItems: NodeItem[];
	/** The node's error when it failed (and Continue On Fail was off). */
	error: any;
	execution: ExecutionDetails;
	/** The webhook's HTTP answer: the last node's items, or the first binary as bytes. */
	response: { status: number; body: any; headers: Record<string, string> };
}

export interface RunOptions {
	/** One input item per entry (Split Out); default one item, the webhook body. */
	items?: object[];
	/** Raw bytes posted to the webhook: the input item then carries them as binary property `data`. */
	binaryInput?: { data: Buffer; contentType: string };
	/** Settings → On Error: Continue (true: regular output; 'errorOutput': using error output). */
	continueOnFail?: boolean | 'errorOutput';
	/** Answer the webhook with the first binary of the last item (to check downloaded bytes). */
	respondWithBinary?: string;
	/** More credentials of the node, e.g. `midjourneyDiscordApi` for Account → Create or Update. */
	credentials?: Record<string, { id: string; name: string }>;
}

export interface MidjourneyWorkflowSpec {
	/** Webhook path; the workflow starts with a POST there. */
	path: string;
	/** The Midjourney node's parameters. */
	parameters: Record<string, unknown>;
	credentials: E2eEnvironment['credentials'] & Record<string, { id: string; name: string }>;
	/** Webhook answer: 'onReceived' at once, or the last node's items / first binary. */
	respond?: 'onReceived' | 'allEntries' | 'firstEntryJson' | { binaryProperty: string };
	/** Insert Split Out on `body.items`: one input item per array entry. */
	splitItems?: boolean;
	continueOnFail?: boolean | 'errorOutput';
}

/** Webhook → [Split Out] → Midjourney: how the tests and the benchmark run the node in a real n8n. */
export function midjourneyWorkflow(spec: MidjourneyWorkflowSpec) {
	const respond = spec.respond ?? 'allEntries';
	const webhookParameters =
		respond === 'onReceived'
			? { httpMethod: 'POST', path: spec.path, responseMode: 'onReceived', options: {} }
			: typeof respond === 'object'
				? {
						httpMethod: 'POST',
						path: spec.path,
						responseMode: 'lastNode',
						responseData: 'firstEntryBinary',
						options: { responseBinaryPropertyName: respond.binaryProperty },
					}
				: {
						httpMethod: 'POST',
						path: spec.path,
						responseMode: 'lastNode',
						responseData: respond,
						options: {},
					};
	const nodes = [
		{
			id: randomUUID(),
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: randomUUID(),
			parameters: webhookParameters,
		},
		...(spec.splitItems
			? [
					{
						id: randomUUID(),
						name: 'Items',
						type: 'n8n-nodes-base.splitOut',
						typeVersion: 1,
						position: [200, 0],
						parameters: { fieldToSplitOut: 'body.items', options: {} },
					},
				]
			: []),
		{
			id: randomUUID(),
			name: 'Midjourney',
			type: MIDJOURNEY_TYPE,
			typeVersion: 1,
			position: [400, 0],
			parameters: spec.parameters,
			credentials: spec.credentials,
			...(spec.continueOnFail
				? {
						onError:
							spec.continueOnFail === 'errorOutput'
								? 'continueErrorOutput'
								: 'continueRegularOutput',
					}
				: {}),
		},
	];
	const connections: Record<string, unknown> = {};
	for (let i = 0; i < nodes.length - 1; i++) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	return {
		name: `Midjourney ${spec.path}`,
		nodes,
		connections,
		settings: { executionOrder: 'v1' },
	};
}

/** Midjourney Trigger → No Op: how the tests receive useapi.net's calls; its URL path is `<webhookId>/midjourney/<secret>`. */
export function midjourneyTriggerWorkflow(spec: {
	name: string;
	webhookId: string;
	parameters: Record<string, unknown>;
	credentials: Record<string, { id: string; name: string }>;
}) {
	return {
		name: spec.name,
		nodes: [
			{
				id: randomUUID(),
				name: 'Midjourney Trigger',
				type: TRIGGER_TYPE,
				typeVersion: 1,
				position: [0, 0],
				webhookId: spec.webhookId,
				parameters: spec.parameters,
				credentials: spec.credentials,
			},
			{
				id: randomUUID(),
				name: 'Done',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [220, 0],
				parameters: {},
			},
		],
		connections: { 'Midjourney Trigger': { main: [[{ node: 'Done', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

/** Runs one Midjourney node with `parameters` in a fresh workflow inside the real n8n. */
export async function runMidjourneyNode(
	env: E2eEnvironment,
	parameters: Record<string, unknown>,
	options: RunOptions = {},
): Promise<NodeRun> {
	const path = `mj-${randomUUID()}`;
	const { nodes, connections } = midjourneyWorkflow({
		path,
		parameters,
		credentials: { ...env.credentials, ...options.credentials },
		respond: options.respondWithBinary
			? { binaryProperty: options.respondWithBinary }
			: 'allEntries',
		splitItems: Boolean(options.items),
		continueOnFail: options.continueOnFail,
	});
	const workflow = await env.n8n.createWorkflow({
		name: `Midjourney ${path}`,
		nodes,
		connections,
		settings: { executionOrder: 'v1' },
	});
	await env.n8n.activateWorkflow(workflow.id);
	try {
		const response = options.binaryInput
			? await env.n8n.callWebhook(path, options.binaryInput.data, {
					headers: { 'content-type': options.binaryInput.contentType },
				})
			: await env.n8n.callWebhook(path, options.items ? { items: options.items } : {});
		const execution = await env.n8n.waitForExecution(
			workflow.id,
			(e) => e.finished || e.status === 'error' || e.status === 'success' || e.status === 'crashed',
			60_000,
		);
		return {
			items: env.n8n.nodeOutput(execution, 'Midjourney'),
			errorItems: env.n8n.nodeOutput(execution, 'Midjourney', 1),
			error: env.n8n.nodeError(execution, 'Midjourney'),
			execution,
			response,
		};
	} finally {
		await env.n8n.deactivateWorkflow(workflow.id);
	}
}

/** Requests the emulator received for a path, e.g. `/v3/midjourney/jobs/imagine`. */
export function requestsTo(env: E2eEnvironment, method: string, path: string | RegExp) {
	return env.emulator.requests.filter(
		(r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)),
	);
}
