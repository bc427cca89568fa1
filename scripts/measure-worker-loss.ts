/**
 * Measures what n8n signals to a running node when its execution is stopped from outside, and what
 * then becomes of this package's Midjourney jobs (docs/WORKER-LOSS.md). Run one scenario at a time:
 *
 *   npx tsx scripts/measure-worker-loss.ts <scenario> [--major 1|2]
 *
 * probe-stop | probe-timeout | probe-sigterm      regular mode, the Stop Probe fixture
 * probe-sigterm-respond                           the same, the webhook answering from a Respond to Webhook node
 * probe-sigterm-short                             SIGTERM while a probe of 6 s runs (shorter than the timeout)
 * mj-stop | mj-sigterm                            regular mode, Midjourney Imagine (Stream) on the emulator
 * queue-probe-stop | queue-probe-sigterm          queue mode (2.x), the probe on a worker, started
 *                                                 through the webhook process
 * queue-probe-stop-main                           the same Stop, the execution started through main
 * queue-mj-sigterm | queue-mj-sigkill             queue mode (2.x), Midjourney Imagine (Stream) on a worker
 *
 * The Stop Probe (test/e2e/fixtures/n8n-nodes-stop-probe) reports to a local HTTP server what its
 * execute() sees: the cancel signal and its reason, onExecutionCancellation, and whether the process
 * waits for five seconds of clean-up after an abort. N8N_GRACEFUL_SHUTDOWN_TIMEOUT is set to 10 s to
 * keep runs short (n8n's default is 30 s). Prints one JSON report; starts and stops its own processes.
 */
import * as http from 'http';
import * as path from 'path';
import { randomUUID } from 'crypto';

import { startEmulator, type Emulator } from '../test/emulator';
import { startN8n, type N8nInstance, type N8nMajor } from '../test/e2e/n8n';
import { startQueueCluster } from '../test/e2e/queue';

const PROBE = path.join(__dirname, '..', 'test', 'e2e', 'fixtures', 'n8n-nodes-stop-probe');
const GRACEFUL_SHUTDOWN_S = 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface ProbeEvent {
	event: string;
	at: number;
	pid: number;
	executionId: string;
	[key: string]: unknown;
}

async function reportServer(): Promise<{ url: string; events: ProbeEvent[]; close(): void }> {
	const events: ProbeEvent[] = [];
	const server = http.createServer((req, res) => {
		let body = '';
		req.on('data', (chunk) => (body += chunk));
		req.on('end', () => {
			try {
				events.push(JSON.parse(body));
			} catch {
				// ignore
			}
			res.end('ok');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.address() as { port: number }).port;
	return { url: `http://127.0.0.1:${port}/report`, events, close: () => server.close() };
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

async function until<T>(what: string, ms: number, check: () => T | undefined): Promise<T> {
	const deadline = Date.now() + ms;
	for (;;) {
		const value = check();
		if (value !== undefined && value !== false) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(200);
	}
}

function webhookThen(
	pathName: string,
	node: Record<string, unknown>,
	settings: Record<string, unknown> = {},
	respondNode = false,
) {
	const respond = {
		id: randomUUID(),
		name: 'Respond',
		type: 'n8n-nodes-base.respondToWebhook',
		typeVersion: 1.1,
		position: [600, 0],
		parameters: { respondWith: 'allIncomingItems', options: {} },
	};
	return {
		name: `measure ${pathName}`,
		nodes: [
			{
				id: randomUUID(),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: randomUUID(),
				parameters: {
					httpMethod: 'POST',
					path: pathName,
					responseMode: respondNode ? 'responseNode' : 'onReceived',
					options: {},
				},
			},
			{ id: randomUUID(), position: [300, 0], typeVersion: 1, ...node },
			...(respondNode ? [respond] : []),
		],
		connections: {
			Webhook: { main: [[{ node: node.name, type: 'main', index: 0 }]] },
			...(respondNode
				? { [node.name as string]: { main: [[{ node: 'Respond', type: 'main', index: 0 }]] } }
				: {}),
		},
		settings: { executionOrder: 'v1', ...settings },
	};
}

const probeNode = (reportUrl: string, seconds = 40) => ({
	name: 'Stop Probe',
	type: 'n8n-nodes-stop-probe.stopProbe',
	parameters: { reportUrl, seconds },
});

const midjourneyNode = (credentialId: string) => ({
	name: 'Midjourney',
	type: 'n8n-nodes-useapi-midjourney.midjourney',
	parameters: {
		resource: 'job',
		operation: 'imagine',
		prompt: 'a long job --emu-ms=90000',
		waitFor: 'stream',
	},
	credentials: { useApiNetApi: { id: credentialId, name: 'emulator' } },
});

function relative(events: ProbeEvent[], from: number) {
	return events.map(({ event, at, pid, executionId, ...rest }) => ({
		event,
		afterActionMs: at - from,
		...rest,
	}));
}

function emulatorFacts(emulator: Emulator, from: number) {
	return {
		requests: emulator.requests.map((r) => ({
			method: r.method,
			path: r.path,
			afterActionMs: r.time - from,
		})),
		jobs: emulator.listJobs().map((job) => ({
			jobid: job.jobid,
			status: job.status,
			updated: job.updated,
			error: job.error,
		})),
	};
}

async function executionOf(n8n: N8nInstance, workflowId: string) {
	const [summary] = await n8n.listExecutions(workflowId);
	if (!summary) return undefined;
	const details = await n8n.getExecution(summary.id);
	return {
		id: summary.id,
		status: summary.status,
		error: n8n.nodeError(details, 'Stop Probe') ?? n8n.nodeError(details, 'Midjourney'),
	};
}

async function regular(scenario: string, major: N8nMajor) {
	const reports = await reportServer();
	const emulator = await startEmulator({ stuckTimeoutMs: 14 * 60_000 });
	const n8n = await startN8n({
		major,
		extraPackages: [PROBE],
		env: { N8N_GRACEFUL_SHUTDOWN_TIMEOUT: String(GRACEFUL_SHUTDOWN_S) },
	});
	const result: Record<string, unknown> = { scenario, major, mode: 'regular' };
	try {
		const credentialId = await n8n.createCredential('emulator', 'useApiNetApi', {
			apiToken: 'test-token',
			baseUrl: emulator.url,
		});
		const hook = `m-${randomUUID()}`;
		const isProbe = scenario.startsWith('probe');
		const workflow = await n8n.createWorkflow(
			webhookThen(
				hook,
				isProbe
					? probeNode(reports.url, scenario.endsWith('-short') ? 6 : 40)
					: midjourneyNode(credentialId),
				scenario === 'probe-timeout' ? { executionTimeout: 3 } : {},
				scenario.endsWith('-respond'),
			),
		);
		await n8n.activateWorkflow(workflow.id);
		// With a Respond to Webhook node the call waits for the execution: not awaited.
		const call = n8n.callWebhook(hook, {}).catch((error: Error) => ({ error: error.message }));
		if (!scenario.endsWith('-respond')) await call;
		if (isProbe) await until('probe start', 60_000, () => reports.events.length > 0);
		else await until('job created', 60_000, () => emulator.listJobs().length > 0);
		await sleep(2_000);
		const actionAt = Date.now();
		if (scenario.endsWith('-stop')) {
			const [execution] = await n8n.listExecutions(workflow.id);
			result.stopAnswer = (
				await n8n.restRequest('POST', `/executions/${execution.id}/stop`)
			).status;
			await sleep(10_000);
			result.execution = await executionOf(n8n, workflow.id);
		} else if (scenario.includes('-sigterm')) {
			process.kill(n8n.pid, 'SIGTERM');
			await until(
				'n8n exit',
				(GRACEFUL_SHUTDOWN_S + 30) * 1000,
				() => !alive(n8n.pid) || undefined,
			);
			result.exitedAfterMs = Date.now() - actionAt;
			await sleep(2_000);
			result.logTail = n8n.logs().split('\n').slice(-25);
		} else {
			await sleep(12_000);
			result.execution = await executionOf(n8n, workflow.id);
		}
		result.probe = relative(reports.events, actionAt);
		result.emulator = emulatorFacts(emulator, actionAt);
	} finally {
		await n8n.stop().catch(() => undefined);
		await emulator.close();
		reports.close();
	}
	return result;
}

async function queue(scenario: string) {
	const reports = await reportServer();
	const emulator = await startEmulator({ stuckTimeoutMs: 14 * 60_000 });
	const cluster = await startQueueCluster({
		extraPackages: [PROBE],
		env: { N8N_GRACEFUL_SHUTDOWN_TIMEOUT: String(GRACEFUL_SHUTDOWN_S) },
	});
	const result: Record<string, unknown> = { scenario, major: 2, mode: 'queue' };
	try {
		const credentialId = await cluster.main.createCredential('emulator', 'useApiNetApi', {
			apiToken: 'test-token',
			baseUrl: emulator.url,
		});
		const hook = `q-${randomUUID()}`;
		const isProbe = scenario.startsWith('queue-probe');
		const workflow = await cluster.main.createWorkflow(
			webhookThen(hook, isProbe ? probeNode(reports.url) : midjourneyNode(credentialId)),
		);
		await cluster.main.activateWorkflow(workflow.id);
		// Main serves production webhooks too (n8n's default): the execution is then enqueued by main.
		if (scenario.endsWith('-main')) await cluster.main.callWebhook(hook, {});
		else await cluster.callWebhook(hook, {});
		if (isProbe) await until('probe start', 60_000, () => reports.events.length > 0);
		else await until('job created', 60_000, () => emulator.listJobs().length > 0);
		await sleep(2_000);
		const [execution] = await cluster.main.listExecutions(workflow.id);
		const workerIndex = await until('worker of the execution', 20_000, () =>
			cluster.workerOf(execution.id),
		);
		const worker = cluster.workers[workerIndex];
		result.executionId = execution.id;
		const actionAt = Date.now();
		if (scenario.includes('-stop')) {
			result.stopAnswer = (
				await cluster.main.restRequest('POST', `/executions/${execution.id}/stop`)
			).status;
			await sleep(10_000);
			result.workerLogTail = worker.logs().split('\n').slice(-15);
		} else {
			process.kill(worker.pid, scenario.endsWith('-sigkill') ? 'SIGKILL' : 'SIGTERM');
			await until('worker exit', (GRACEFUL_SHUTDOWN_S + 30) * 1000, () =>
				alive(worker.pid) ? undefined : true,
			);
			result.workerExitedAfterMs = Date.now() - actionAt;
			await sleep(5_000);
			result.workerLogTail = worker.logs().split('\n').slice(-25);
		}
		result.execution = await executionOf(cluster.main, workflow.id);
		result.probe = relative(reports.events, actionAt);
		result.emulator = emulatorFacts(emulator, actionAt);
	} finally {
		await cluster.stop().catch(() => undefined);
		await emulator.close();
		reports.close();
	}
	return result;
}

async function main() {
	const [scenario] = process.argv.slice(2);
	const majorFlag = process.argv.indexOf('--major');
	const major = (majorFlag > 0 ? Number(process.argv[majorFlag + 1]) : 2) as N8nMajor;
	if (!scenario) throw new Error('name a scenario (see the comment at the top)');
	const result = scenario.startsWith('queue-')
		? await queue(scenario)
		: await regular(scenario, major);
	process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main().then(
	() => process.exit(0),
	(error) => {
		process.stderr.write(`${(error as Error).stack}\n`);
		process.exit(1);
	},
);
