/**
 * Issue 19 in a real n8n 2.x, under the least friendly readings of the API pages: every wait for a
 * slot is bounded (slotWaitSuite.ts, also on 1.x), capacity needs no idle channel listed in GET jobs,
 * and a job that fails with code 596 (CAPTCHA) stops the run's submissions to its channel.
 */
import { TOKEN, requestsTo, runMidjourneyNode } from './midjourney';
import { until } from './midjourney';
import { IMAGINE_PATH, executionMs, slotWaitSuite } from './slotWaitSuite';

const env = slotWaitSuite(2);

const CHANNEL_A = '1100000000000000001';
const CHANNEL_B = '1200000000000000002';
const BUTTON_PATH = '/v3/midjourney/jobs/button';

const imagine = (prompt: string, options: Record<string, unknown> = {}) => ({
	resource: 'job',
	operation: 'imagine',
	prompt,
	waitFor: 'poll',
	options: { pollInterval: 0.3, ...options },
});

/** A job created straight at the emulator (not through n8n), e.g. a parent for button presses. */
async function createJob(body: Record<string, unknown>): Promise<string> {
	const res = await fetch(`${env.emulator.url}${IMAGINE_PATH}`, {
		method: 'POST',
		headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
		body: JSON.stringify({ stream: false, ...body }),
	});
	expect(res.status).toBe(201);
	return ((await res.json()) as { jobid: string }).jobid;
}

async function addChannelB(): Promise<void> {
	const added = await fetch(`${env.emulator.url}/v3/midjourney/accounts`, {
		method: 'POST',
		headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
		body: JSON.stringify({
			discord: `${Buffer.from(CHANNEL_B).toString('base64')}.x.y`,
			maxJobs: 3,
			maxImageJobs: 3,
		}),
	});
	expect(added.status).toBeLessThan(300);
}

describe('n8n 2.x: capacity without an idle channel listed in GET jobs', () => {
	it('one prompt answered 429 once, while GET jobs lists no channel, completes within 35 s', async () => {
		env.emulator.faults.status429Next = 1;
		const run = await runMidjourneyNode(env, imagine('answered 429 once'));

		expect(run.error).toBeFalsy();
		expect(run.items[0].json.status).toBe('completed');
		expect(executionMs(run.execution)).toBeLessThan(35_000);
		expect(requestsTo(env, 'POST', IMAGINE_PATH)).toHaveLength(2);
		expect(env.emulator.jobsCreated()).toBe(1);
		// The least friendly reading was in force: GET jobs named no idle channel.
		expect(env.emulator.readings.listIdleChannels).toBe(false);
	});

	it("an execution answered 429 while another holds every slot starts within 1.5 s of that execution's jobs ending", async () => {
		const holderPrompts = [0, 1, 2].map((i) => ({ prompt: `holds a slot ${i} --emu-ms=6000` }));
		const holding = runMidjourneyNode(env, imagine('={{ $json.prompt }}'), {
			items: holderPrompts,
		});
		await until(
			'the first execution holding every slot',
			() => env.emulator.listJobs().filter((job) => job.status !== 'completed').length === 3,
		);
		const waiting = runMidjourneyNode(env, imagine('waits for the first execution'));
		const [holder, waiter] = await Promise.all([holding, waiting]);

		expect(holder.items.map((item) => item.json.status)).toEqual([
			'completed',
			'completed',
			'completed',
		]);
		expect(waiter.items[0].json.status).toBe('completed');
		const jobs = env.emulator.listJobs();
		const holderEnded = Math.max(
			...jobs
				.filter((job) => String(job.request?.prompt).startsWith('holds a slot'))
				.map((job) => Date.parse(job.updated!)),
		);
		const waiterJob = jobs.find((job) => job.request?.prompt === 'waits for the first execution')!;
		const waiterPosts = requestsTo(env, 'POST', IMAGINE_PATH).filter(
			(request) => (request.body as { prompt?: string }).prompt === 'waits for the first execution',
		);
		// It was answered 429 first (the account was full), then submitted once the slots were free.
		expect(waiterPosts.length).toBeGreaterThanOrEqual(2);
		expect(waiterPosts[0].time).toBeLessThan(holderEnded);
		const startedAfter = Date.parse(waiterJob.created) - holderEnded;
		expect(startedAfter).toBeGreaterThanOrEqual(0);
		expect(startedAfter).toBeLessThan(1_500);
		expect(env.emulator.jobsCreated()).toBe(4);
	});
});

describe('n8n 2.x: a CAPTCHA (596) stops the run using its channel', () => {
	it('a job failing with code 596 fails its item with the CAPTCHA advice; no more submissions to its channel in that run', async () => {
		const items = [
			{ prompt: 'meets a CAPTCHA --emu-captcha --emu-ms=1000' },
			{ prompt: 'after the CAPTCHA 1' },
			{ prompt: 'after the CAPTCHA 2' },
		];
		const run = await runMidjourneyNode(
			env,
			{ ...imagine('={{ $json.prompt }}', { maxParallelJobs: 1 }), channel: CHANNEL_A },
			{ items, continueOnFail: true },
		);

		const captchaJob = env.emulator.listJobs().find((job) => job.code === 596)!;
		expect(captchaJob).toBeDefined();
		expect(run.items).toHaveLength(3);
		const [failed, ...refused] = run.items.map((item) => item.json);
		expect(failed.error).toBe(
			`Midjourney job failed with a CAPTCHA on channel ${CHANNEL_A} (596): the channel is locked`,
		);
		expect(failed.jobid).toBe(captchaJob.jobid);
		for (const item of refused) expect(item.error).toBe(failed.error);
		// One submission: the later items were never sent to the locked channel.
		expect(requestsTo(env, 'POST', IMAGINE_PATH)).toHaveLength(1);
		expect(env.emulator.jobsCreated()).toBe(1);
		const output = env.n8n.nodeOutput(run.execution, 'Midjourney')[0].json;
		expect(JSON.stringify(output)).not.toContain(TOKEN);
	});

	it('the CAPTCHA advice names the cool-off and Account → Reset', async () => {
		const run = await runMidjourneyNode(env, {
			...imagine('meets a CAPTCHA alone --emu-captcha'),
			channel: CHANNEL_A,
		});
		expect(run.error.message).toBe(
			`Midjourney job failed with a CAPTCHA on channel ${CHANNEL_A} (596): the channel is locked`,
		);
		expect(run.error.description).toMatch(/CAPTCHA solver/);
		expect(run.error.description).toMatch(/cool-off of 10-15 minutes/);
		expect(run.error.description).toMatch(/Account → Reset/);
	});

	it("a 596 on a button press blocks only its parent's channel", async () => {
		await addChannelB();
		const parentA = await createJob({ prompt: 'parent on A', channel: CHANNEL_A });
		const parentB = await createJob({ prompt: 'parent on B', channel: CHANNEL_B });
		await until('both parents completed', () =>
			[parentA, parentB].every((id) => env.emulator.getJob(id)?.status === 'completed'),
		);
		// The next job-creating POST locks its channel (the parent's) and is answered 596.
		env.emulator.faults.status596Next = 1;
		const presses = [
			{ jobId: parentA, button: 'V1' },
			{ jobId: parentB, button: 'V1' },
			{ jobId: parentA, button: 'V2' },
		];
		const run = await runMidjourneyNode(
			env,
			{
				resource: 'job',
				operation: 'button',
				jobId: '={{ $json.jobId }}',
				button: '={{ $json.button }}',
				waitFor: 'poll',
				options: { pollInterval: 0.3, maxParallelJobs: 1 },
			},
			{ items: presses, continueOnFail: true },
		);

		const outputs = run.items.map((item) => item.json);
		expect(outputs[0].error).toBe(
			`Midjourney needs attention on channel ${CHANNEL_A} (596): moderation or CAPTCHA pending`,
		);
		// Channel B was not blocked by it: its press was submitted and completed.
		expect(outputs[1].status).toBe('completed');
		expect(outputs[2].error).toBe(outputs[0].error);
		const pressed = requestsTo(env, 'POST', BUTTON_PATH).map(
			(request) => (request.body as { jobId: string }).jobId,
		);
		expect(pressed).toEqual([parentA, parentB]);
	});
});
