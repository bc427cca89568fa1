/**
 * Proves the real-n8n harness (test/e2e/n8n.ts) with n8n's own nodes and the wait-probe fixture:
 * webhook workflows, reading executions back, the editor's loadOptions endpoint, how a waiting
 * node is resumed (also across a restart), restart and stop. 2.x in full, 1.x as a smoke test.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

import {
	ExecutionDetails,
	N8nInstance,
	N8nMajor,
	PACKAGE_ROOT,
	WAIT_PROBE_PACKAGE,
	pidAlive,
	startN8n,
	stopAllN8n,
} from './n8n';

jest.setTimeout(15 * 60 * 1000);

afterAll(async () => {
	await stopAllN8n();
});

const PROBE_TYPE = 'n8n-nodes-wait-probe.waitProbe';

function webhookNode(webhookPath: string, responseMode: 'lastNode' | 'onReceived') {
	return {
		id: randomUUID(),
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: randomUUID(),
		parameters: { httpMethod: 'POST', path: webhookPath, responseMode, options: {} },
	};
}

function setNode(name: string, fields: Record<string, string>, x = 220) {
	return {
		id: randomUUID(),
		name,
		type: 'n8n-nodes-base.set',
		typeVersion: 3.4,
		position: [x, 0],
		parameters: {
			mode: 'manual',
			assignments: {
				assignments: Object.entries(fields).map(([fieldName, value]) => ({
					id: randomUUID(),
					name: fieldName,
					value,
					type: 'string',
				})),
			},
			includeOtherFields: false,
			options: {},
		},
	};
}

function chain(...names: string[]) {
	const connections: Record<string, unknown> = {};
	for (let i = 0; i < names.length - 1; i++) {
		connections[names[i]] = { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] };
	}
	return connections;
}

/** Webhook (lastNode) → Set: answers { greeting: "hello <body.name>", major }. */
async function createGreetingWorkflow(n8n: N8nInstance, webhookPath: string) {
	const wf = await n8n.createWorkflow({
		name: `Harness ${webhookPath}`,
		nodes: [
			webhookNode(webhookPath, 'lastNode'),
			setNode('Greeting', {
				greeting: '={{ "hello " + $json.body.name }}',
				major: String(n8n.major),
			}),
		],
		connections: chain('Webhook', 'Greeting'),
	});
	await n8n.activateWorkflow(wf.id);
	return wf;
}

/** Webhook (onReceived) → Wait Probe(operation): the probe waits until its resume URL is called. */
async function createProbeWorkflow(
	n8n: N8nInstance,
	webhookPath: string,
	operation: 'wait' | 'sendAndWait',
) {
	const wf = await n8n.createWorkflow({
		name: `Probe ${webhookPath}`,
		nodes: [
			webhookNode(webhookPath, 'onReceived'),
			{
				id: randomUUID(),
				name: 'Probe',
				type: PROBE_TYPE,
				typeVersion: 1,
				position: [220, 0],
				parameters: { operation },
			},
			setNode('After', { done: '={{ JSON.stringify($json.resumedWith) }}' }, 440),
		],
		connections: chain('Webhook', 'Probe', 'After'),
	});
	await n8n.activateWorkflow(wf.id);
	return wf;
}

/** Starts the probe workflow and returns the waiting execution and what the probe reported. */
async function startWaiting(n8n: N8nInstance, workflowId: string, webhookPath: string) {
	const res = await n8n.callWebhook(webhookPath, { start: true });
	expect(res.status).toBe(200);
	const execution = await n8n.waitForExecution(workflowId, (e) => e.status === 'waiting');
	const [probe] = n8n.nodeOutput(execution, 'Probe');
	expect(probe).toBeDefined();
	// evaluateExpression('{{ $execution.resumeUrl }}') and getWorkflowDataProxy() agree.
	expect(probe.json.proxyResumeUrl).toBe(probe.json.resumeUrl);
	return {
		execution,
		resumeUrl: String(probe.json.resumeUrl),
		signedResumeUrl: String(probe.json.signedResumeUrl),
		nodeId: String(probe.json.nodeId),
	};
}

async function expectResumed(
	n8n: N8nInstance,
	workflowId: string,
	executionId: string,
	answer: unknown,
) {
	const done = await n8n.waitForExecution(
		workflowId,
		(e) => e.id === executionId && e.status !== 'waiting' && e.status !== 'running',
	);
	expect(done.status).toBe('success');
	expect(n8n.nodeOutput(done, 'After')[0].json.done).toBe(JSON.stringify(answer));
	return done;
}

function withoutQuery(url: string) {
	const u = new URL(url);
	u.search = '';
	return u.toString();
}

function ownNodeBuilt() {
	return fs.existsSync(
		path.join(PACKAGE_ROOT, 'dist', 'nodes', 'Midjourney', 'Midjourney.node.js'),
	);
}

/** Webhook workflow round trip + executions read back: shared by both majors. */
async function webhookRoundTrip(n8n: N8nInstance, major: N8nMajor) {
	const wf = await createGreetingWorkflow(n8n, `harness-${major}`);
	const res = await n8n.callWebhook(`harness-${major}`, { name: 'Ada' });
	expect(res.status).toBe(200);
	expect(res.body).toEqual({ greeting: 'hello Ada', major: String(major) });

	const executions = await n8n.listExecutions(wf.id);
	expect(executions).toHaveLength(1);
	expect(executions[0]).toMatchObject({ status: 'success', finished: true, mode: 'webhook' });
	const execution: ExecutionDetails = await n8n.getExecution(executions[0].id);
	expect(execution.status).toBe('success');
	expect(n8n.nodeOutput(execution, 'Webhook')[0].json.body).toEqual({ name: 'Ada' });
	expect(n8n.nodeOutput(execution, 'Greeting')).toEqual([
		expect.objectContaining({ json: { greeting: 'hello Ada', major: String(major) } }),
	]);
	expect(n8n.nodeError(execution, 'Greeting')).toBeUndefined();
	return wf;
}

describe('n8n 2.x harness', () => {
	let n8n: N8nInstance;
	let greetingWorkflowId: string;

	beforeAll(async () => {
		n8n = await startN8n({ major: 2, extraPackages: [WAIT_PROBE_PACKAGE] });
	});

	it('starts on loopback with an owner session', async () => {
		expect(n8n.major).toBe(2);
		expect(n8n.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(pidAlive(n8n.pid)).toBe(true);
		expect(n8n.logs()).toContain('Editor is now accessible');
		const me = await n8n.restGet('/login'); // the current user
		expect(me.email).toBe('owner@example.com');
		const settings = await n8n.restGet('/settings');
		expect(settings.versionCli).toBe('2.41.1');
	});

	it('loads community packages from .n8n/nodes', async () => {
		const probe = await n8n.nodeTypeDescription(PROBE_TYPE, 1);
		expect(probe?.displayName).toBe('Wait Probe');
		if (ownNodeBuilt()) {
			const own = await n8n.nodeTypeDescription('n8n-nodes-useapi-midjourney.midjourney', 1);
			expect(own?.displayName).toEqual(expect.any(String));
		}
	});

	it('runs a Webhook → Set workflow and reads the execution back', async () => {
		const wf = await webhookRoundTrip(n8n, 2);
		greetingWorkflowId = wf.id;
	});

	it('answers the editor loadOptions endpoint (core node and fixture)', async () => {
		const timezones = await n8n.loadOptions({
			nodeType: 'n8n-nodes-base.dateTime',
			nodeVersion: 1,
			path: 'parameters.options.fromTimezone',
			methodName: 'getTimezones',
			currentNodeParameters: { action: 'format', value: '', dataPropertyName: 'data' },
		});
		expect(timezones.length).toBeGreaterThan(100);
		expect(timezones).toEqual(
			expect.arrayContaining([expect.objectContaining({ value: 'Europe/Berlin' })]),
		);

		const choices = await n8n.loadOptions({
			nodeType: PROBE_TYPE,
			nodeVersion: 1,
			path: 'parameters.choice',
			methodName: 'getChoices',
			currentNodeParameters: { operation: 'wait', prefix: 'pick' },
		});
		expect(choices).toEqual([
			{ name: 'pick 1', value: 'pick-1' },
			{ name: 'pick 2', value: 'pick-2' },
			{ name: 'pick 3', value: 'pick-3' },
		]);
	});

	it('resumes a waiting node on $execution.resumeUrl (token required), also after a restart', async () => {
		const wf = await createProbeWorkflow(n8n, 'probe-resume-2', 'wait');
		const { execution, resumeUrl } = await startWaiting(n8n, wf.id, 'probe-resume-2');
		// 2.x: <WEBHOOK_URL>webhook-waiting/<executionId>?signature=<per-execution resumeToken>
		expect(resumeUrl).toMatch(
			new RegExp(`^${n8n.baseUrl}/webhook-waiting/${execution.id}\\?signature=[0-9a-f]+$`),
		);
		expect(execution.data.resumeToken).toBe(new URL(resumeUrl).searchParams.get('signature'));

		// Without the token the waiting webhook refuses.
		const unsigned = await n8n.http('POST', withoutQuery(resumeUrl), { answer: 'no' });
		expect(unsigned.status).toBe(401);

		await n8n.restart();
		expect((await n8n.listExecutions(wf.id)).find((e) => e.id === execution.id)?.status).toBe(
			'waiting',
		);

		const resumed = await n8n.http('POST', resumeUrl, { answer: 42 });
		expect(resumed.status).toBe(200);
		expect(resumed.body).toEqual({ resumed: true }); // webhook() webhookResponse, responseData ''
		const done = await expectResumed(n8n, wf.id, execution.id, { answer: 42 });
		expect(n8n.nodeOutput(done, 'Probe')[0].json.resumedWith).toEqual({ answer: 42 });

		// A finished execution cannot be resumed twice.
		const again = await n8n.http('POST', resumeUrl, { answer: 43 });
		expect(again.status).toBe(409);
	});

	it('refuses getSignedResumeUrl() unless the node operation is sendAndWait', async () => {
		const wf = await createProbeWorkflow(n8n, 'probe-signed-2', 'wait');
		const { execution, signedResumeUrl, nodeId } = await startWaiting(n8n, wf.id, 'probe-signed-2');
		// <WEBHOOK_URL>webhook-waiting/<executionId>/<nodeId>?<params>&signature=<HMAC-SHA256(path+query)>
		expect(signedResumeUrl).toMatch(
			new RegExp(
				`^${n8n.baseUrl}/webhook-waiting/${execution.id}/${nodeId}\\?probe=1&signature=[0-9a-f]{64}$`,
			),
		);
		const res = await n8n.http('POST', signedResumeUrl, { answer: 'signed' });
		expect(res.status).toBe(401);
		expect((await n8n.getExecution(execution.id)).status).toBe('waiting');

		const send = await createProbeWorkflow(n8n, 'probe-send-2', 'sendAndWait');
		const waiting = await startWaiting(n8n, send.id, 'probe-send-2');
		const tampered = waiting.signedResumeUrl.replace('probe=1', 'probe=2');
		expect((await n8n.http('POST', tampered, { answer: 'x' })).status).toBe(401);
		const ok = await n8n.http('POST', waiting.signedResumeUrl, { answer: 'signed' });
		expect(ok.status).toBe(200);
		await expectResumed(n8n, send.id, waiting.execution.id, { answer: 'signed' });
	});

	it('keeps answering active webhooks after restart()', async () => {
		const before = n8n.pid;
		await n8n.restart();
		expect(n8n.pid).not.toBe(before);
		expect(pidAlive(before)).toBe(false);
		const res = await n8n.callWebhook('harness-2', { name: 'again' });
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ greeting: 'hello again', major: '2' });
		expect((await n8n.listExecutions(greetingWorkflowId)).length).toBe(2);
	});

	it('stop() ends the process and removes the user folder', async () => {
		const { pid, userFolder } = n8n;
		await n8n.stop();
		expect(pidAlive(pid)).toBe(false);
		expect(fs.existsSync(userFolder)).toBe(false);
	});
});

describe('n8n 1.x smoke', () => {
	let n8n: N8nInstance;

	beforeAll(async () => {
		n8n = await startN8n({ major: 1, extraPackages: [WAIT_PROBE_PACKAGE] });
	});

	it('starts, sets up the owner and runs a webhook workflow', async () => {
		expect((await n8n.restGet('/settings')).versionCli).toBe('1.123.50');
		await webhookRoundTrip(n8n, 1);
	});

	it('answers loadOptions with the same body', async () => {
		const choices = await n8n.loadOptions({
			nodeType: PROBE_TYPE,
			nodeVersion: 1,
			path: 'parameters.choice',
			methodName: 'getChoices',
			currentNodeParameters: { operation: 'wait', prefix: 'one' },
		});
		expect(choices.map((c) => c.value)).toEqual(['one-1', 'one-2', 'one-3']);
	});

	it('resumes on the plain $execution.resumeUrl and on getSignedResumeUrl()', async () => {
		const wf = await createProbeWorkflow(n8n, 'probe-resume-1', 'wait');
		const { execution, resumeUrl, signedResumeUrl, nodeId } = await startWaiting(
			n8n,
			wf.id,
			'probe-resume-1',
		);
		// 1.x: no token at all.
		expect(resumeUrl).toBe(`${n8n.baseUrl}/webhook-waiting/${execution.id}`);
		expect(signedResumeUrl).toMatch(
			new RegExp(
				`^${n8n.baseUrl}/webhook-waiting/${execution.id}/${nodeId}\\?probe=1&signature=[0-9a-f]{64}$`,
			),
		);
		const resumed = await n8n.http('POST', resumeUrl, { answer: 1 });
		expect(resumed.status).toBe(200);
		expect(resumed.body).toEqual({ resumed: true });
		await expectResumed(n8n, wf.id, execution.id, { answer: 1 });

		const signed = await createProbeWorkflow(n8n, 'probe-signed-1', 'wait');
		const waiting = await startWaiting(n8n, signed.id, 'probe-signed-1');
		expect((await n8n.http('POST', waiting.signedResumeUrl, { answer: 2 })).status).toBe(200);
		await expectResumed(n8n, signed.id, waiting.execution.id, { answer: 2 });
	});

	it('stops', async () => {
		const { pid } = n8n;
		await n8n.stop();
		expect(pidAlive(pid)).toBe(false);
	});
});
