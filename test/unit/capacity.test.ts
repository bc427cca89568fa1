import { NodeApiError, NodeOperationError, type INode } from 'n8n-workflow';
import { getEventListeners } from 'events';
import * as v8 from 'v8';
import * as vm from 'vm';

import { startEmulator, type Emulator } from '../emulator';
import type { ReadingsPreset } from '../emulator/readings';
import { executeContext } from '../helpers/n8nCore';
import { channelOfJobId, SlotReader } from '../../nodes/Midjourney/engine/capacity/capacity';
import { BlockedChannels, captchaFailure } from '../../nodes/Midjourney/engine/blockedChannels';
import { JobRun } from '../../nodes/Midjourney/engine/jobRun';
import { throwIfUnsuccessful } from '../../nodes/Midjourney/engine/waiting/jobOutcome';
import type { Job } from '../../nodes/Midjourney/transport/types';
import { runJob, type WaitSettings } from '../../nodes/Midjourney/engine/waiting/runJob';

/** The capacity reading and the bounded wait for a slot, against the emulator under both readings. */

const TOKEN = 'test-token';
const CHANNEL_A = '1100000000000000001';
const CHANNEL_B = '1200000000000000002';

const wait = (overrides: Partial<WaitSettings> = {}): WaitSettings => ({
	mode: 'poll',
	timeLimitMs: 10_000,
	pollIntervalMs: 100,
	onStreamLoss: 'resubmit',
	busyRetry: { baseDelayMs: 10_000, maxAttempts: 6 },
	...overrides,
});

describe.each<ReadingsPreset>(['least-friendly', 'friendly'])('readings: %s', (readings) => {
	let emulator: Emulator;
	beforeAll(async () => {
		emulator = await startEmulator({
			token: TOKEN,
			jobDurationMs: 300,
			readings,
			accounts: [
				{ channel: CHANNEL_A, maxJobs: 3, maxImageJobs: 3, maxVideoJobs: 3 },
				{ channel: CHANNEL_B, maxJobs: 2, maxImageJobs: 2, maxVideoJobs: 2 },
			],
		});
	});
	afterAll(async () => await emulator.close());
	beforeEach(() => emulator.reset());

	const ctx = (cancelSignal?: AbortSignal) =>
		executeContext({ credential: { baseUrl: emulator.url, token: TOKEN }, cancelSignal });

	it('an idle channel configured in GET accounts has all its slots free, listed in GET jobs or not', async () => {
		const reader = new SlotReader(new JobRun(ctx()).api, new Set(), 'image');
		expect(await reader.read()).toEqual({ [CHANNEL_A]: 3, [CHANNEL_B]: 2 });
		emulator.occupy({ channel: CHANNEL_A, forMs: 5_000, jobs: 2 });
		expect(await reader.read()).toEqual({ [CHANNEL_A]: 1, [CHANNEL_B]: 2 });
		// Limited to the run's channels; a channel in the error state (596) has no free slot.
		emulator.setChannelError(CHANNEL_B, 'CAPTCHA detected');
		const named = new SlotReader(new JobRun(ctx()).api, new Set([CHANNEL_A]), 'image');
		expect(await named.read()).toEqual({ [CHANNEL_A]: 1 });
		expect(await new SlotReader(new JobRun(ctx()).api, new Set(), 'image').read()).toEqual({
			[CHANNEL_A]: 1,
		});
	});

	it('an item answered 429 on a full account fails at its time limit, its prompt named, no job created', async () => {
		emulator.occupy({ forMs: 60_000 });
		emulator.occupy({ channel: CHANNEL_B, forMs: 60_000 });
		const run = new JobRun(ctx(), {
			start: 1,
			ceiling: 1,
			known: false,
			channels: new Set(),
			kind: 'image',
		});
		const startedAt = Date.now();
		const failure = await run
			.scheduler!.use(0, true, async () =>
				runJob(
					run,
					0,
					{
						path: '/v3/midjourney/jobs/imagine',
						body: { prompt: 'a cat that waits' },
						label: 'prompt "a cat that waits"',
					},
					wait({ timeLimitMs: 2_000 }),
				),
			)
			.catch((error: Error & { description?: string }) => error);
		const tookMs = Date.now() - startedAt;
		expect(failure).toBeInstanceOf(Error);
		expect((failure as Error).message).toBe(
			'No slot of the account came free within the time limit of 2 seconds for prompt "a cat that waits"',
		);
		expect((failure as { description?: string }).description).toMatch(/No job was created/);
		expect(tookMs).toBeGreaterThanOrEqual(1_900);
		expect(tookMs).toBeLessThan(3_000);
		expect(emulator.jobsCreated()).toBe(0);
	});

	it("the execution's cancel signal (Stop, n8n's shutdown) ends the wait for a slot at once", async () => {
		emulator.occupy({ forMs: 60_000 });
		emulator.occupy({ channel: CHANNEL_B, forMs: 60_000 });
		const cancel = new AbortController();
		const run = new JobRun(ctx(cancel.signal), {
			start: 1,
			ceiling: 1,
			known: false,
			channels: new Set(),
			kind: 'image',
		});
		const waiting = run.scheduler!.use(0, true, async () =>
			runJob(
				run,
				0,
				{ path: '/v3/midjourney/jobs/imagine', body: { prompt: 'stop me' } },
				wait({ timeLimitMs: 60_000 }),
			),
		);
		await new Promise((resolve) => setTimeout(resolve, 1_500));
		const stoppedAt = Date.now();
		cancel.abort();
		await expect(waiting).rejects.toThrow(/stopped while waiting for a free slot/);
		expect(Date.now() - stoppedAt).toBeLessThan(500);
		expect(emulator.jobsCreated()).toBe(0);
	});
});

describe("an item's time limit", () => {
	it('fires although nothing but the wait refers to it (Node 20, n8n 1.x: garbage collection)', async () => {
		v8.setFlagsFromString('--expose-gc');
		const gc = vm.runInNewContext('gc') as () => void;
		const run = new JobRun(
			executeContext({ credential: { baseUrl: 'http://127.0.0.1:9', token: TOKEN } }),
		);
		const fired: boolean[] = [];
		const watch = () =>
			void run.waitWithin(
				300,
				async (signal) =>
					await new Promise<void>((resolve) =>
						signal.addEventListener('abort', () => resolve(void fired.push(true))),
					),
			);
		for (let i = 0; i < 5; i++) watch();
		for (let i = 0; i < 10; i++) {
			gc();
			await new Promise((resolve) => setTimeout(resolve, 60));
		}
		expect(fired).toHaveLength(5);
	});

	it("leaves no listener on the run's stop signal once its wait has ended (a batch of many items)", async () => {
		const run = new JobRun(
			executeContext({ credential: { baseUrl: 'http://127.0.0.1:9', token: TOKEN } }),
		);
		const listeners = () => getEventListeners(run.stopSignal, 'abort').length;
		const before = listeners();
		let finish!: () => void;
		const finished = new Promise<void>((resolve) => (finish = resolve));
		const waits = Array.from({ length: 50 }, async () =>
			run.waitWithin(60_000, async () => await finished),
		);
		expect(listeners()).toBe(before + 50);
		finish();
		await Promise.all(waits);
		expect(listeners()).toBe(before);
		// A wait that fails releases its listener too.
		await expect(
			run.waitWithin(60_000, async () => {
				throw new Error('job failed');
			}),
		).rejects.toThrow('job failed');
		expect(listeners()).toBe(before);
	});
});

describe('channelOfJobId', () => {
	it('reads the channel of a job id, the way a button press finds its parent job', () => {
		expect(channelOfJobId('j1023141520123456789i-u12345-c1234567890123456789-bot:midjourney')).toBe(
			'1234567890123456789',
		);
		expect(channelOfJobId('not-a-job-id')).toBeUndefined();
		expect(channelOfJobId(undefined)).toBeUndefined();
	});
});

describe('BlockedChannels', () => {
	const node = { name: 'Midjourney', type: 'midjourney', typeVersion: 1 } as INode;
	const captchaJob = {
		jobid: `j1206212000000000000i-u1-c${CHANNEL_A}-bot:midjourney`,
		status: 'failed',
		code: 596,
		error: 'CAPTCHA detected',
	};

	it('a job that failed with code 596 blocks the channel it ran on, and no other', () => {
		const blocked = new BlockedChannels();
		const failure = captchaFailure(node, 0, captchaJob);
		expect(failure.message).toBe(
			`Midjourney job failed with a CAPTCHA on channel ${CHANNEL_A} (596): the channel is locked`,
		);
		// The item named no channel: useapi.net chose it, the job's id says which.
		blocked.noteFailure(undefined, failure);
		expect(blocked.refusal(node, 1, CHANNEL_A)?.message).toBe(failure.message);
		expect(blocked.refusal(node, 1, CHANNEL_B)).toBeUndefined();
	});

	it('an HTTP 596 on a button press (sent with its parent job channel) blocks only that channel', () => {
		const blocked = new BlockedChannels();
		const answer = new NodeApiError(node, { message: 'locked' }, { httpCode: '596' });
		blocked.noteFailure(CHANNEL_B, answer);
		expect(blocked.refusal(node, 1, CHANNEL_B)).toBeDefined();
		expect(blocked.refusal(node, 1, CHANNEL_A)).toBeUndefined();
		// Without a channel at all it still blocks every channel.
		blocked.noteFailure(undefined, answer);
		expect(blocked.refusal(node, 1, CHANNEL_A)).toBeDefined();
	});

	it('an ordinary failed job blocks nothing', () => {
		const blocked = new BlockedChannels();
		blocked.noteFailure(CHANNEL_A, new NodeOperationError(node, 'Midjourney job failed'));
		expect(blocked.refusal(node, 1, CHANNEL_A)).toBeUndefined();
	});

	it('throwIfUnsuccessful gives a job failed with code 596 the CAPTCHA advice', () => {
		const job = { ...captchaJob, verb: 'imagine', created: '', request: {} } as Job;
		expect(() => throwIfUnsuccessful({ getNode: () => node }, 0, job)).toThrow(
			/CAPTCHA on channel 1100000000000000001/,
		);
		expect(() =>
			throwIfUnsuccessful({ getNode: () => node }, 0, { ...job, code: 500 } as Job),
		).toThrow('Midjourney job failed: CAPTCHA detected');
	});
});
