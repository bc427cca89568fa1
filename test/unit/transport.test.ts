import { executeContext } from '../helpers/n8nCore';
import { TEST_TOKEN, useUnitEmulator } from '../helpers/unitEmulator';
import { apiRequest } from '../../nodes/Midjourney/transport/request';
import { submitJob } from '../../nodes/Midjourney/transport/jobs';
import { streamJob } from '../../nodes/Midjourney/transport/jobStream';
import { JobRun } from '../../nodes/Midjourney/engine/jobRun';
import { runJob, type WaitSettings } from '../../nodes/Midjourney/engine/waiting/runJob';

const { emulator, credential } = useUnitEmulator();

const ctx = (token = TEST_TOKEN) => executeContext({ credential: credential(token) });

const wait = (overrides: Partial<WaitSettings> = {}): WaitSettings => ({
	mode: 'stream',
	timeLimitMs: 10_000,
	pollIntervalMs: 100,
	onStreamLoss: 'resubmit',
	busyRetry: { baseDelayMs: 50, maxAttempts: 6 },
	lostStreamWatch: { forMs: 1_000, everyMs: 200 },
	...overrides,
});

const imagine = (prompt: string) => ({ path: '/v3/midjourney/jobs/imagine', body: { prompt } });

function jobPosts() {
	return emulator().requests.filter(
		(r) => r.method === 'POST' && r.path === '/v3/midjourney/jobs/imagine',
	);
}

async function errorOf(
	promise: Promise<unknown>,
): Promise<Error & { description?: string; httpCode?: string }> {
	try {
		await promise;
	} catch (error) {
		return error as Error;
	}
	throw new Error('expected the call to fail');
}

describe('transport against the emulator', () => {
	it('streams an imagine job to completion with one submission', async () => {
		const job = await runJob(new JobRun(ctx()), 0, imagine('a cat in a hat'), wait());
		expect(job.status).toBe('completed');
		expect(job.response?.imageUx).toHaveLength(4);
		expect(jobPosts()).toHaveLength(1);
		expect(jobPosts()[0].body).toMatchObject({ prompt: 'a cat in a hat', stream: true });
		expect(jobPosts()[0].headers.authorization).toBe(`Bearer ${TEST_TOKEN}`);
	});

	it('polls with stream:false in poll mode', async () => {
		const job = await runJob(new JobRun(ctx()), 0, imagine('poll me'), wait({ mode: 'poll' }));
		expect(job.status).toBe('completed');
		expect(jobPosts()[0].body).toMatchObject({ stream: false });
		expect(
			emulator().requests.some(
				(r) => r.method === 'GET' && r.path.startsWith('/v3/midjourney/jobs/j'),
			),
		).toBe(true);
	});

	it('returns the created job at once in none mode', async () => {
		const job = await runJob(new JobRun(ctx()), 0, imagine('no wait'), wait({ mode: 'none' }));
		expect(job.status).toBe('created');
		expect(job.jobid).toMatch(/^j/);
	});

	it('cancels the stuck job of a dropped stream and resubmits it once without a stream', async () => {
		const job = await runJob(new JobRun(ctx()), 0, imagine('dropped --emu-drop'), wait());
		expect(job.status).toBe('completed');
		const posts = jobPosts();
		expect(posts.map((post) => (post.body as { stream?: boolean }).stream)).toEqual([true, false]);
		const deletes = emulator().requests.filter((r) => r.method === 'DELETE');
		expect(deletes).toHaveLength(1);
		const lost = (job.streamLost as { cancelledJobid: string }).cancelledJobid;
		expect(deletes[0].path).toContain(lost);
		expect(lost).not.toBe(job.jobid);
	});

	it('fails with the cancelled job when the user chose not to resubmit', async () => {
		const error = await errorOf(
			runJob(new JobRun(ctx()), 0, imagine('dropped --emu-drop'), wait({ onStreamLoss: 'fail' })),
		);
		expect(error.message).toMatch(/live stream of the Midjourney job was lost/);
		const context = (
			error as unknown as { context: { job?: { jobid: string; cancelled?: boolean } } }
		).context;
		expect(context.job?.jobid).toMatch(/^j/);
		expect(context.job?.cancelled).toBe(true);
		expect(jobPosts()).toHaveLength(1);
		expect(emulator().requests.filter((r) => r.method === 'DELETE')).toHaveLength(1);
	});

	it('never closes a stream for being quiet: a stalled stream is waited on until the time limit', async () => {
		const started = Date.now();
		const error = await errorOf(
			runJob(new JobRun(ctx()), 0, imagine('stalled --emu-stall'), wait({ timeLimitMs: 1_500 })),
		);
		expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
		expect(error.message).toMatch(/time limit/);
		expect(jobPosts()).toHaveLength(1);
	});

	it('follows a lost stream whose job keeps moving: no DELETE, no second submission', async () => {
		// The friendlier reading: a stream the server ends leaves its job running (the default strands it).
		emulator().readings.endedStreamStrandsJob = false;
		const job = await runJob(
			new JobRun(ctx()),
			0,
			imagine('runs on --emu-close --emu-ms=2000'),
			wait({ lostStreamWatch: { forMs: 1_500, everyMs: 200 } }),
		);
		expect(job.status).toBe('completed');
		expect(job.streamLost).toBeUndefined();
		expect(jobPosts()).toHaveLength(1);
		expect(emulator().requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);
	});

	it('judges a lost stream stuck only after watching it: its job is read several times before the DELETE', async () => {
		const started = Date.now();
		const job = await runJob(new JobRun(ctx()), 0, imagine('stranded --emu-close'), wait());
		expect(job.status).toBe('completed');
		const lost = (job.streamLost as { cancelledJobid: string }).cancelledJobid;
		const reads = emulator().requests.filter(
			(r) => r.method === 'GET' && decodeURIComponent(r.path).endsWith(lost),
		);
		// Watched for 1 s, read every 200 ms.
		expect(reads.length).toBeGreaterThanOrEqual(4);
		expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
	});

	for (const mode of ['stream', 'poll'] as const) {
		it(`${mode}: at the time limit, an execute-once child made by an earlier press is not cancelled`, async () => {
			const parent = await runJob(new JobRun(ctx()), 0, imagine('parent'), wait());
			const button = (prompt: string) => ({
				path: '/v3/midjourney/jobs/button',
				body: { jobId: parent.jobid, button: 'U1', prompt },
			});
			const first = await runJob(
				new JobRun(ctx()),
				0,
				button('--emu-ms=4000'),
				wait({ mode: 'none' }),
			);
			const error = await errorOf(
				runJob(new JobRun(ctx()), 0, button(''), wait({ mode, timeLimitMs: 700 })),
			);
			expect(error.message).toMatch(/time limit/);
			expect(error.description).toContain(`Job ${first.jobid} was made by an earlier press`);
			expect(emulator().requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);
			expect(emulator().getJob(first.jobid)?.status).not.toBe('failed');
		});
	}

	it('skips a malformed event and follows the job to the end', async () => {
		const job = await runJob(new JobRun(ctx()), 0, imagine('bad --emu-malformed'), wait());
		expect(job.status).toBe('completed');
		expect(jobPosts()).toHaveLength(1);
		expect(emulator().requests.some((r) => r.method === 'DELETE')).toBe(false);
	});

	it('cancels the job with DELETE when the time limit passes', async () => {
		const error = await errorOf(
			runJob(new JobRun(ctx()), 0, imagine('slow --emu-ms=5000'), wait({ timeLimitMs: 500 })),
		);
		expect(error.message).toMatch(/did not finish within the time limit of 1 seconds|time limit/);
		expect(error.description).toMatch(/was cancelled \(DELETE\)/);
		const deletes = emulator().requests.filter((r) => r.method === 'DELETE');
		expect(deletes).toHaveLength(1);
	});

	it('turns a failed job into an error of the item', async () => {
		const error = await errorOf(runJob(new JobRun(ctx()), 0, imagine('x --emu-fail'), wait()));
		expect(error.message).toMatch(/Midjourney job failed/);
	});

	it('turns a moderated job into an error of the item', async () => {
		const error = await errorOf(
			runJob(new JobRun(ctx()), 0, imagine('x --emu-moderated'), wait({ mode: 'poll' })),
		);
		expect(error.message).toMatch(/moderated/);
	});

	it('retries 429 with backoff and submits once it is accepted', async () => {
		emulator().faults.status429Next = 2;
		const job = await runJob(new JobRun(ctx()), 0, imagine('busy'), wait());
		expect(job.status).toBe('completed');
		expect(jobPosts()).toHaveLength(3);
		expect(emulator().submissions()).toBe(1);
	});

	it('explains 401 without showing the token', async () => {
		const error = await errorOf(
			runJob(new JobRun(ctx('wrong-secret-token')), 0, imagine('x'), wait()),
		);
		expect(error.message).toMatch(/token was rejected \(401\)/);
		expect(JSON.stringify(error)).not.toContain('wrong-secret-token');
		expect(String(error.description)).not.toContain('wrong-secret-token');
	});

	it('explains 402', async () => {
		const error = await errorOf(
			runJob(new JobRun(ctx('no-subscription')), 0, imagine('x'), wait()),
		);
		expect(error.message).toMatch(/subscription is missing or expired \(402\)/);
	});

	it('explains 596 and names the channel', async () => {
		const error = await errorOf(
			submitJob(ctx(), {
				path: '/v3/midjourney/jobs/imagine',
				body: { prompt: 'x --emu-596', channel: '1100000000000000001' },
				channel: '1100000000000000001',
			}),
		);
		expect(error.message).toMatch(/596/);
		expect(error.message).toContain('1100000000000000001');
		expect(error.description).toMatch(/Account → Reset/);
	});

	it('explains 410 for an expired job', async () => {
		const error = await errorOf(
			apiRequest(ctx(), {
				method: 'GET',
				path: '/v3/midjourney/jobs/j0101010101010101010i-expired-u1-c1-bot:midjourney',
			}),
		);
		expect(error.message).toMatch(/expired \(410\)/);
	});

	it('retries a GET after 5xx and connection resets', async () => {
		const created = await submitJob(ctx(), {
			path: '/v3/midjourney/jobs/imagine',
			body: { prompt: 'x' },
		});
		emulator().faults.status5xxOnGetNext = 1;
		emulator().faults.resetOnGetNext = 1;
		const { body } = await apiRequest<{ jobid: string }>(ctx(), {
			method: 'GET',
			path: `/v3/midjourney/jobs/${created.jobid}`,
		});
		expect(body.jobid).toBe(created.jobid);
	});

	it('does not repeat a job submission answered 5xx', async () => {
		emulator().faults.status5xxOnPostNext = 1;
		const error = await errorOf(runJob(new JobRun(ctx()), 0, imagine('x'), wait()));
		expect(error.message).toMatch(/server error \(500\)/);
		expect(jobPosts()).toHaveLength(1);
		expect(emulator().submissions()).toBe(0);
	});

	it('reads a stream split into events with their jobId first', async () => {
		const events: string[] = [];
		const outcome = await streamJob(ctx(), {
			...imagine('events'),
			onEvent: (event) => events.push(event.event),
		});
		expect(outcome.kind).toBe('final');
		expect(events[0]).toBe('initialized');
		expect(events).toContain('midjourney_created');
		expect(events[events.length - 1]).toBe('midjourney_completed');
	});
});
