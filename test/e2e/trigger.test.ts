/**
 * Issue 5, the trigger, in a real n8n 2.x: useapi.net (the emulator) calls the trigger's URL as a
 * job's replyUrl; the workflow starts once per selected event, never for calls without the secret,
 * for jobs the API does not know, or for a repeated delivery.
 */
import { randomUUID } from 'crypto';
import * as http from 'http';
import type { AddressInfo } from 'net';

import { midjourneyTriggerWorkflow, TOKEN, useEnvironment } from './midjourney';

jest.setTimeout(10 * 60 * 1000);

const env = useEnvironment();

const SECRET = 'trigger-secret-0123456789abcdef';

async function triggerWorkflow(parameters: Record<string, unknown>) {
	const webhookId = randomUUID();
	const workflow = await env.n8n.createWorkflow(
		midjourneyTriggerWorkflow({
			name: `Trigger ${webhookId}`,
			webhookId,
			parameters: { secret: SECRET, ...parameters },
			credentials: env.credentials,
		}),
	);
	await env.n8n.activateWorkflow(workflow.id);
	const url = `${env.n8n.baseUrl}/webhook/${webhookId}/midjourney/${SECRET}`;
	// 2.x registers production webhooks a moment after activation: wait until the URL answers.
	for (let attempt = 0; attempt < 80; attempt++) {
		const probe = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: '{}',
		});
		if (probe.status !== 404) break;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	return { workflow, url, webhookId };
}

async function submitImagine(body: Record<string, unknown>) {
	const response = await fetch(`${env.emulator.url}/v3/midjourney/jobs/imagine`, {
		method: 'POST',
		headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
		body: JSON.stringify({ stream: false, ...body }),
	});
	expect(response.status).toBe(201);
	return (await response.json()) as { jobid: string };
}

async function settle(ms = 2500) {
	await new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitForStatus(jobid: string, status: string, timeoutMs = 30_000) {
	const deadline = Date.now() + timeoutMs;
	while (env.emulator.getJob(jobid)?.status !== status) {
		if (Date.now() > deadline) throw new Error(`job ${jobid} did not reach ${status}`);
		await settle(100);
	}
}

async function post(url: string, body: unknown) {
	return await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
}

describe('Midjourney Trigger', () => {
	it('starts one execution for the final event, with the job as data', async () => {
		const { workflow, url } = await triggerWorkflow({});
		const job = await submitImagine({ prompt: 'callback me', replyUrl: url });
		const execution = await env.n8n.waitForExecution(
			workflow.id,
			(e) => e.status === 'success',
			30_000,
		);
		await settle();
		const executions = await env.n8n.listExecutions(workflow.id);
		expect(executions).toHaveLength(1);
		const item = env.n8n.nodeOutput(execution, 'Midjourney Trigger')[0];
		expect(item.json).toMatchObject({ jobid: job.jobid, status: 'completed' });
		expect(env.emulator.callbacks.filter((c) => c.url === url).length).toBeGreaterThanOrEqual(3);
	});

	it('starts one execution per selected event', async () => {
		const { workflow, url } = await triggerWorkflow({
			events: ['created', 'started', 'progress', 'completed'],
			verifyWithApi: false,
		});
		const job = await submitImagine({ prompt: 'every event', replyUrl: url, replyLevel: 'all' });
		for (let i = 0; i < 100 && env.emulator.getJob(job.jobid)?.status !== 'completed'; i++)
			await settle(100);
		await env.emulator.callbacksSettled();
		const delivered = env.emulator.callbacks.filter((c) => c.url === url && c.status === 200);
		// A progress event is told apart by its percentage, or, where the API leaves it out (the least
		// friendly reading), by its updated time or content.
		const eventOf = (body: any) =>
			body.status !== 'progress'
				? body.status
				: `progress|${body.response?.progress_percent ?? body.updated ?? body.response?.content}`;
		const distinctEvents = new Set(delivered.map((c) => eventOf(c.body)));
		expect(delivered.length).toBeGreaterThanOrEqual(4);
		await env.n8n.waitForExecutions(
			workflow.id,
			(executions) => executions.length >= distinctEvents.size,
			30_000,
		);
		await settle(1500);
		const executions = await env.n8n.listExecutions(workflow.id);
		// One execution per event: progress events count apart.
		expect(executions.length).toBe(distinctEvents.size);
	});

	it('rejects a call without the secret and starts nothing', async () => {
		const { workflow, webhookId } = await triggerWorkflow({});
		const job = await submitImagine({ prompt: 'x' });
		const response = await fetch(
			`${env.n8n.baseUrl}/webhook/${webhookId}/midjourney/wrong-secret-000000000`,
			{
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ jobid: job.jobid, status: 'completed', request: {} }),
			},
		);
		expect(response.status).toBeGreaterThanOrEqual(400);
		await settle(1000);
		expect(await env.n8n.listExecutions(workflow.id)).toHaveLength(0);
	});

	it('rejects a forged callback for a job useapi.net does not know and starts nothing', async () => {
		const { workflow, url } = await triggerWorkflow({});
		const response = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				jobid: 'j0000000000000000000i-u1-c1-bot:midjourney',
				verb: 'imagine',
				status: 'completed',
				request: { prompt: 'forged' },
			}),
		});
		expect(response.status).toBe(404);
		await settle(1000);
		expect(await env.n8n.listExecutions(workflow.id)).toHaveLength(0);
	});

	it('outputs the API copy, not an altered callback body', async () => {
		const { workflow, url } = await triggerWorkflow({});
		const job = await submitImagine({ prompt: 'the real prompt' });
		await settle(1500);
		const response = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				jobid: job.jobid,
				verb: 'imagine',
				status: 'completed',
				request: { prompt: 'INJECTED' },
			}),
		});
		expect(response.status).toBe(200);
		const execution = await env.n8n.waitForExecution(
			workflow.id,
			(e) => e.status === 'success',
			30_000,
		);
		expect(env.n8n.nodeOutput(execution, 'Midjourney Trigger')[0].json.request.prompt).toBe(
			'the real prompt',
		);
	});

	it('a repeated delivery starts nothing new', async () => {
		const { workflow, url } = await triggerWorkflow({});
		const job = await submitImagine({ prompt: 'once' });
		await settle(1500);
		const body = JSON.stringify(env.emulator.getJob(job.jobid));
		for (let i = 0; i < 3; i++) {
			const response = await fetch(url, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body,
			});
			expect(response.status).toBe(200);
		}
		await settle(1500);
		expect(await env.n8n.listExecutions(workflow.id)).toHaveLength(1);
	});

	it('three progress events start three executions when Progress is selected, a repeat of one starts none', async () => {
		const { workflow, url } = await triggerWorkflow({ events: ['progress'] });
		const job = await submitImagine({ prompt: 'progressing' });
		// Verified against the API's copy: the job has finished, so each percentage is one it passed.
		await waitForStatus(job.jobid, 'completed');
		const event = (percent: number) => ({
			jobid: job.jobid,
			verb: 'imagine',
			status: 'progress',
			request: { prompt: 'progressing' },
			response: { progress_percent: percent },
		});
		for (const percent of [15, 54, 96, 54]) {
			const response = await fetch(url, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(event(percent)),
			});
			expect(response.status).toBe(200);
		}
		await env.n8n.waitForExecutions(workflow.id, (executions) => executions.length >= 3, 30_000);
		await settle(1500);
		expect(await env.n8n.listExecutions(workflow.id)).toHaveLength(3);
	});

	it('judges the delivered event, and outputs the API copy', async () => {
		// The job is completed by the time the progress event arrives: the event is what the filter sees.
		const { workflow, url } = await triggerWorkflow({ events: ['progress'] });
		const job = await submitImagine({ prompt: 'done already' });
		await settle(1500);
		const response = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				jobid: job.jobid,
				verb: 'imagine',
				status: 'progress',
				request: { prompt: 'done already' },
				response: { progress_percent: 40 },
			}),
		});
		expect(response.status).toBe(200);
		const execution = await env.n8n.waitForExecution(
			workflow.id,
			(e) => e.status === 'success',
			30_000,
		);
		expect(env.n8n.nodeOutput(execution, 'Midjourney Trigger')[0].json.status).toBe('completed');
	});

	it('answers useapi.net with JSON', async () => {
		const { workflow, url } = await triggerWorkflow({});
		const job = await submitImagine({ prompt: 'json answer' });
		await settle(1500);
		const response = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(env.emulator.getJob(job.jobid)),
		});
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toMatch(/application\/json/);
		expect(await response.json()).toEqual({ received: true, started: true });
		await env.n8n.waitForExecution(workflow.id, (e) => e.status === 'success', 30_000);
	});

	it('an event whose media download failed is processed again when delivered again', async () => {
		// A stand-in for a Discord attachment host: its first answer is a 500, later ones the file.
		let calls = 0;
		const server = http.createServer((_req, res) => {
			calls++;
			if (calls === 1) {
				res.writeHead(500).end('busy');
				return;
			}
			res
				.writeHead(200, { 'content-type': 'image/png' })
				.end(Buffer.from('89504e470d0a1a0a', 'hex'));
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		try {
			const port = (server.address() as AddressInfo).port;
			const { workflow, url } = await triggerWorkflow({
				verifyWithApi: false,
				download: 'combined',
			});
			const event = {
				jobid: 'j1123456789012345678i-u1-c1100000000000000001-bot:midjourney',
				verb: 'imagine',
				status: 'completed',
				request: { prompt: 'redelivered' },
				response: { attachments: [{ url: `http://127.0.0.1:${port}/grid.png` }] },
			};
			const post = async () =>
				await fetch(url, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify(event),
				});

			const first = await post();
			expect(first.status).toBe(502);
			expect((await first.json()).error).toMatch(/could not be processed/);
			await settle(1000);
			expect(await env.n8n.listExecutions(workflow.id)).toHaveLength(0);

			const second = await post();
			expect(second.status).toBe(200);
			const execution = await env.n8n.waitForExecution(
				workflow.id,
				(e) => e.status === 'success',
				30_000,
			);
			expect(env.n8n.nodeOutput(execution, 'Midjourney Trigger')[0].binary?.data_1).toBeDefined();

			const third = await post();
			expect(await third.json()).toEqual({ received: true, started: false, duplicate: true });
		} finally {
			server.close();
		}
	});
	it('a forged completed while the API says progress starts nothing; the genuine completion starts one execution', async () => {
		const { workflow, url } = await triggerWorkflow({});
		const job = await submitImagine({
			prompt: 'slow enough to forge --emu-ms=8000',
			replyUrl: url,
		});
		await waitForStatus(job.jobid, 'progress');
		const forged = await post(url, {
			...env.emulator.getJob(job.jobid),
			status: 'completed',
		});
		expect(forged.status).toBe(409);
		expect(await forged.json()).toMatchObject({
			received: true,
			started: false,
			stale: true,
			error: expect.stringMatching(/says completed, useapi.net says the job is progress/),
		});
		await settle(1000);
		expect(await env.n8n.listExecutions(workflow.id)).toHaveLength(0);

		// The genuine completion (useapi.net calls the replyUrl) is not answered as a duplicate.
		const execution = await env.n8n.waitForExecution(
			workflow.id,
			(e) => e.status === 'success',
			30_000,
		);
		await env.emulator.callbacksSettled();
		await settle(1500);
		expect(await env.n8n.listExecutions(workflow.id)).toHaveLength(1);
		const output = env.n8n.nodeOutput(execution, 'Midjourney Trigger')[0].json;
		expect(output).toMatchObject({ jobid: job.jobid, status: 'completed' });
		const genuine = env.emulator.callbacks.filter(
			(c) => c.url === url && (c.body as any).status === 'completed',
		);
		expect(genuine).toHaveLength(1);
		expect(genuine[0].status).toBe(200);
	});

	it("masks its own secret in its output (the job's replyUrl is the trigger's URL)", async () => {
		const { workflow, url } = await triggerWorkflow({});
		const job = await submitImagine({ prompt: 'mask the secret', replyUrl: url });
		const execution = await env.n8n.waitForExecution(
			workflow.id,
			(e) => e.status === 'success',
			30_000,
		);
		const output = env.n8n.nodeOutput(execution, 'Midjourney Trigger')[0].json;
		expect(output.jobid).toBe(job.jobid);
		expect(output.request.replyUrl).toBe(url.replace(SECRET, '***'));
		// The workflow keeps its secret as a parameter; what the trigger output carries does not.
		expect(JSON.stringify(execution.data.resultData)).not.toContain(SECRET);
	});

	it('20 concurrent deliveries of one event start one execution', async () => {
		const { workflow, url } = await triggerWorkflow({});
		const job = await submitImagine({ prompt: 'twenty at once' });
		await waitForStatus(job.jobid, 'completed');
		const body = env.emulator.getJob(job.jobid);
		const answers = await Promise.all(
			Array.from({ length: 20 }, async () => await (await post(url, body)).json()),
		);
		expect(answers.filter((answer) => answer.started === true)).toHaveLength(1);
		expect(answers.filter((answer) => answer.duplicate === true)).toHaveLength(19);
		await settle(1500);
		expect(await env.n8n.listExecutions(workflow.id)).toHaveLength(1);
	});

	it('runs once per event across a restart of n8n', async () => {
		const { workflow, url } = await triggerWorkflow({});
		const job = await submitImagine({ prompt: 'before and after a restart' });
		await waitForStatus(job.jobid, 'completed');
		const body = env.emulator.getJob(job.jobid);
		expect(await (await post(url, body)).json()).toEqual({ received: true, started: true });
		await env.n8n.waitForExecution(workflow.id, (e) => e.status === 'success', 30_000);
		await settle(1000);
		await env.n8n.restart();
		let again: Response | undefined;
		// 2.x registers production webhooks a moment after start.
		for (let attempt = 0; attempt < 80; attempt++) {
			again = await post(url, body);
			if (again.status !== 404) break;
			await settle(250);
		}
		expect(await again!.json()).toEqual({ received: true, started: false, duplicate: true });
		expect(await env.n8n.listExecutions(workflow.id)).toHaveLength(1);
	});

	it('a secret that is not [A-Za-z0-9_-]{16,} guards nothing: no call through it starts the workflow', async () => {
		// A leading ":" makes the path an n8n route parameter that accepts any value.
		const webhookId = randomUUID();
		const workflow = await env.n8n.createWorkflow(
			midjourneyTriggerWorkflow({
				name: `Trigger ${webhookId}`,
				webhookId,
				parameters: { secret: ':any-value-here-at-all' },
				credentials: env.credentials,
			}),
		);
		await env.n8n.activateWorkflow(workflow.id).catch(() => undefined);
		const job = await submitImagine({ prompt: 'through a route parameter' });
		await waitForStatus(job.jobid, 'completed');
		let response: Response | undefined;
		for (let attempt = 0; attempt < 20; attempt++) {
			response = await post(
				`${env.n8n.baseUrl}/webhook/${webhookId}/midjourney/anything-at-all`,
				env.emulator.getJob(job.jobid),
			);
			if (response.status !== 404) break;
			await settle(250);
		}
		// Either n8n did not register the route (the activation check refused the secret), or the node
		// itself refuses every call while its secret does not match the pattern.
		expect([403, 404]).toContain(response!.status);
		if (response!.status === 403) {
			expect((await response!.json()).error).toMatch(/must match \[A-Za-z0-9_-\]\{16,\}/);
		}
		await settle(1000);
		expect(await env.n8n.listExecutions(workflow.id)).toHaveLength(0);
	});

	it('with Verify With API off, fetches media only from the hosts the docs name', async () => {
		const { workflow, url } = await triggerWorkflow({
			verifyWithApi: false,
			download: 'combined',
		});
		const response = await post(url, {
			jobid: 'j1123456789012345679i-u1-c1100000000000000001-bot:midjourney',
			verb: 'imagine',
			status: 'completed',
			request: { prompt: 'elsewhere' },
			response: { attachments: [{ url: 'https://evil.example/grid.png' }] },
		});
		expect(response.status).toBe(502);
		expect((await response.json()).error).toMatch(
			/Media download refused: evil.example is not a media host/,
		);
		await settle(1000);
		expect(await env.n8n.listExecutions(workflow.id)).toHaveLength(0);
	});

	it('a media body that stalls fails the event within the stall timeout + 5 s; its redelivery is processed', async () => {
		const { workflow, url } = await triggerWorkflow({ download: 'combined' });
		const job = await submitImagine({ prompt: 'a stalled grid' });
		await waitForStatus(job.jobid, 'completed');
		const body = env.emulator.getJob(job.jobid);
		env.emulator.faults.stallMediaBodyNext = 1;
		const started = Date.now();
		const first = await post(url, body);
		const elapsed = Date.now() - started;
		expect(first.status).toBe(502);
		expect((await first.json()).error).toMatch(/stalled: no data for 60 seconds/);
		expect(elapsed).toBeLessThan(65_000);
		expect(await env.n8n.listExecutions(workflow.id)).toHaveLength(0);

		const second = await post(url, body);
		expect(await second.json()).toEqual({ received: true, started: true });
		const execution = await env.n8n.waitForExecution(
			workflow.id,
			(e) => e.status === 'success',
			30_000,
		);
		expect(env.n8n.nodeOutput(execution, 'Midjourney Trigger')[0].binary?.data_4).toBeDefined();
	});
});
