/**
 * Issue 5, Wait for Result: Callback, in a real n8n 2.x: the execution waits holding no
 * connection, and useapi.net (the emulator) wakes it at the execution's resume URL — also after a
 * restart of n8n in between.
 */
import { randomUUID } from 'crypto';

import { PRESETS, type ReadingsPreset } from '../emulator';

import {
	midjourneyWorkflow,
	requestsTo,
	runMidjourneyNode,
	TOKEN,
	useEnvironment,
} from './midjourney';

jest.setTimeout(10 * 60 * 1000);

const env = useEnvironment();

/** Webhook (answers at once) → Midjourney Imagine (or `parameters`) with Wait for Result: Callback. */
async function callbackWorkflow(
	prompt: string,
	parameters: Record<string, unknown> = { resource: 'job', operation: 'imagine', prompt },
	continueOnFail?: 'errorOutput',
) {
	const path = `callback-${randomUUID()}`;
	const workflow = await env.n8n.createWorkflow(
		midjourneyWorkflow({
			path,
			parameters: {
				...parameters,
				waitFor: 'callback',
				timeLimit: 600,
				options: { ...((parameters.options as object) ?? {}) },
			},
			credentials: env.credentials,
			respond: 'onReceived',
			continueOnFail,
		}),
	);
	await env.n8n.activateWorkflow(workflow.id);
	const response = await env.n8n.callWebhook(path, {});
	expect(response.status).toBe(200);
	return workflow;
}

/** The execution of `workflow` once it is parked (status waiting) until its callback. */
async function parked(workflow: { id: string }) {
	return await env.n8n.waitForExecution(workflow.id, (e) => e.status === 'waiting', 30_000);
}

/** The execution of `workflow` once it has ended: neither new, running nor waiting any more. */
async function ended(workflow: { id: string }, timeoutMs = 60_000) {
	return await env.n8n.waitForExecution(
		workflow.id,
		(e) => e.status !== 'waiting' && e.status !== 'running' && e.status !== 'new',
		timeoutMs,
	);
}

/** A job submitted straight to the emulator (not by n8n), finished. */
async function finishedJob(verb: string, body: Record<string, unknown>): Promise<string> {
	const response = await fetch(`${env.emulator.url}/v3/midjourney/jobs/${verb}`, {
		method: 'POST',
		headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
		body: JSON.stringify({ stream: false, ...body }),
	});
	const { jobid } = (await response.json()) as { jobid: string };
	for (let i = 0; i < 100 && env.emulator.getJob(jobid)?.status !== 'completed'; i++) {
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	return jobid;
}

const presets: ReadingsPreset[] = ['least-friendly', 'friendly'];

describe.each(presets)('under the %s readings', (preset) => {
	// After useEnvironment's reset, which restores the readings the emulator started with.
	beforeEach(() => Object.assign(env.emulator.readings, PRESETS[preset]));

	describe('Callback mode, only for its own job', () => {
		it('a repeated U1 ends with the existing child job without waiting for a callback', async () => {
			const parent = await finishedJob('imagine', { prompt: 'parent' });
			const child = await finishedJob('button', { jobId: parent, button: 'U1' });
			// A U child's image is a Discord attachment (button page), which these tests cannot reach: no download.
			const workflow = await callbackWorkflow('', {
				resource: 'job',
				operation: 'button',
				jobId: parent,
				button: ['U1'],
				options: { download: 'none' },
			});
			const done = await ended(workflow, 30_000);
			expect(done.status).toBe('success');
			const output = env.n8n.nodeOutput(done, 'Midjourney');
			expect(output[0].json).toMatchObject({ jobid: child, status: 'completed' });
			expect((await env.n8n.listExecutions(workflow.id)).some((e) => e.status === 'waiting')).toBe(
				false,
			);
			await env.n8n.deactivateWorkflow(workflow.id);
		});

		it('refuses a resume call naming another job; the execution keeps waiting for its own', async () => {
			const workflow = await callbackWorkflow('my own job --emu-ms=6000');
			const waiting = await parked(workflow);
			const post = requestsTo(env, 'POST', '/v3/midjourney/jobs/imagine')[0];
			const resumeUrl = String((post.body as any).replyUrl);
			const other = await finishedJob('imagine', { prompt: 'somebody else' });

			const refused = await env.n8n.http('POST', resumeUrl, { jobid: other, status: 'completed' });
			expect(refused.status).toBe(403);
			expect(refused.body).toEqual({
				error: `Job ${other} is not the job this execution waits for`,
			});
			expect((await env.n8n.getExecution(waiting.id)).status).toBe('waiting');

			const done = await ended(workflow);
			expect(done.status).toBe('success');
			expect(done.id).toBe(waiting.id);
			const output = env.n8n.nodeOutput(done, 'Midjourney');
			expect(output[0].json.request.prompt).toBe('my own job --emu-ms=6000');
			await env.n8n.deactivateWorkflow(workflow.id);
		});

		it('a failed job resumes as the item failure, with its job', async () => {
			const workflow = await callbackWorkflow('will fail --emu-fail');
			const done = await ended(workflow);
			const jobid = env.emulator.listJobs()[0].jobid;
			expect(env.n8n.nodeOutput(done, 'Midjourney')[0].json).toEqual({
				jobid,
				status: 'failed',
				error: 'Midjourney job failed: Midjourney job failed',
				errorDetails: 'Emulated failure requested with --emu-fail',
			});
			await env.n8n.deactivateWorkflow(workflow.id);
		});

		it('with On Error: Continue (using error output), a failed job resumes on the error output, its job under details', async () => {
			const workflow = await callbackWorkflow('will fail --emu-fail', undefined, 'errorOutput');
			const done = await ended(workflow);
			const jobid = env.emulator.listJobs()[0].jobid;
			expect(env.n8n.nodeOutput(done, 'Midjourney', 0)).toEqual([]);
			const [failed, ...more] = env.n8n.nodeOutput(done, 'Midjourney', 1);
			expect(more).toEqual([]);
			// n8n adds the input item's fields (here the webhook call's) to an error-output item.
			expect(failed.json).toMatchObject({
				error: 'Midjourney job failed: Midjourney job failed',
				details: {
					jobid,
					status: 'failed',
					errorDetails: 'Emulated failure requested with --emu-fail',
				},
			});
			expect(failed.json.jobid).toBeUndefined();
			await env.n8n.deactivateWorkflow(workflow.id);
		});
	});

	describe('Wait for Result: Callback', () => {
		it('waits while the job runs and resumes with the completed job when useapi.net calls back', async () => {
			const workflow = await callbackWorkflow('sleep on it --emu-ms=3000');
			const waiting = await parked(workflow);
			const post = requestsTo(env, 'POST', '/v3/midjourney/jobs/imagine')[0];
			expect(post.body).toMatchObject({ stream: false, replyLevel: 'minimal' });
			expect(String((post.body as any).replyUrl)).toContain(`/webhook-waiting/${waiting.id}`);

			const done = await ended(workflow);
			expect(done.status).toBe('success');
			expect(done.id).toBe(waiting.id);
			const output = env.n8n.nodeOutput(done, 'Midjourney');
			expect(output).toHaveLength(1);
			expect(output[0].json.status).toBe('completed');
			expect(output[0].json.response.imageUx).toHaveLength(4);
			expect(
				env.emulator.callbacks.some(
					(c) => c.url === (post.body as any).replyUrl && c.status === 200,
				),
			).toBe(true);
			await env.n8n.deactivateWorkflow(workflow.id);
		});

		it('still resumes when n8n was restarted while it waited', async () => {
			const workflow = await callbackWorkflow('outlive a restart --emu-ms=25000');
			const waiting = await parked(workflow);
			await env.n8n.restart();
			const done = await ended(workflow, 90_000);
			expect(done.status).toBe('success');
			expect(done.id).toBe(waiting.id);
			expect(env.n8n.nodeOutput(done, 'Midjourney')[0].json.status).toBe('completed');
			expect(requestsTo(env, 'POST', '/v3/midjourney/jobs/imagine')).toHaveLength(1);
			await env.n8n.deactivateWorkflow(workflow.id);
		});

		it('resumes with the job as its operation presents it (Describe: the four prompts)', async () => {
			const workflow = await callbackWorkflow('', {
				resource: 'job',
				operation: 'describe',
				imageUrl: 'https://example.com/cat.png',
			});
			const done = await ended(workflow);
			expect(done.status).toBe('success');
			const output = env.n8n.nodeOutput(done, 'Midjourney');
			expect(output[0].json.verb).toBe('describe');
			expect(output[0].json.prompts).toHaveLength(4);
			await env.n8n.deactivateWorkflow(workflow.id);
		});

		it('refuses a Reply URL of its own, before any request (also for an uploaded image)', async () => {
			const run = await runMidjourneyNode(env, {
				resource: 'job',
				operation: 'describe',
				imageUrl: 'https://example.com/cat.png',
				waitFor: 'callback',
				options: { replyUrl: 'https://example.com/hook' },
			});
			expect(run.error.message).toBe(
				'"Reply URL" cannot be combined with Wait for Result: Callback',
			);
			expect(env.emulator.requests).toHaveLength(0);
		});

		it('takes one item per run, checked before any request', async () => {
			const run = await runMidjourneyNode(
				env,
				{
					resource: 'job',
					operation: 'imagine',
					prompt: '={{ $json.p }}',
					waitFor: 'callback',
					options: {},
				},
				{ items: [{ p: 'a' }, { p: 'b' }] },
			);
			expect(run.error.message).toBe('Wait for Result: Callback takes one item per run, got 2');
			expect(env.emulator.requests).toHaveLength(0);
		});
	});

	describe('a job that ends before its execution is parked (issue 19)', () => {
		// Whether useapi.net tries a refused callback again is not documented: both readings.
		for (const retries of [0, 3]) {
			it(`ends with the job, not the input passed on (refused callbacks retried ${retries} times)`, async () => {
				env.emulator.readings.callbackRetries = retries;
				env.emulator.readings.callbackRetryDelayMs = 2_000;
				const started = Date.now();
				const workflow = await callbackWorkflow('race the park --emu-ms=1', undefined);
				const done = await ended(workflow);
				const jobid = String(env.emulator.listJobs()[0].jobid);
				expect(done.status).toBe('success');
				expect(env.n8n.nodeOutput(done, 'Midjourney')[0].json).toMatchObject({
					jobid,
					status: 'completed',
				});
				expect(Date.now() - started).toBeLessThan(40_000);
				await env.n8n.deactivateWorkflow(workflow.id);
			});
		}
	});
});
