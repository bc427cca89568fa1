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
		const distinctEvents = new Set(
			delivered.map(
				(c) => `${(c.body as any).status}|${(c.body as any).response?.progress_percent ?? ''}`,
			),
		);
		expect(delivered.length).toBeGreaterThanOrEqual(4);
		await env.n8n.waitForExecutions(
			workflow.id,
			(executions) => executions.length >= distinctEvents.size,
			30_000,
		);
		await settle(1500);
		const executions = await env.n8n.listExecutions(workflow.id);
		// One execution per event: progress events count apart by their percentage.
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
});
