/**
 * Issue 10, nothing lost, in a real n8n 2.x: an item that fails after its job exists keeps the job
 * (Continue On Fail output, error description), and a wait rides out a blip of server errors
 * within its time limit instead of failing while its job runs on.
 */
import {
	READINGS_PRESETS,
	requestsTo,
	runMidjourneyNode,
	useEnvironment,
	useReadings,
} from './midjourney';

jest.setTimeout(10 * 60 * 1000);

const env = useEnvironment();

const imagine = (prompt: string, extra: Record<string, unknown> = {}) => ({
	resource: 'job',
	operation: 'imagine',
	prompt,
	timeLimit: 120,
	options: { pollInterval: 1 },
	...extra,
});

describe.each(READINGS_PRESETS)('emulator readings: %s', (preset) => {
	useReadings(env, preset);

	describe('a failed item keeps its job', () => {
		it.each(['stream', 'poll'])(
			'Continue On Fail outputs the failed job (%s): jobid, status, error, errorDetails',
			async (waitFor) => {
				const run = await runMidjourneyNode(
					env,
					{ ...imagine('={{ $json.prompt }}'), waitFor },
					{ items: [{ prompt: 'fine' }, { prompt: 'broken --emu-fail' }], continueOnFail: true },
				);
				expect(run.items).toHaveLength(2);
				const failedJobId = env.emulator
					.listJobs()
					.find((job: any) => job.request?.prompt === 'broken --emu-fail')?.jobid;
				expect(failedJobId).toBeTruthy();
				expect(run.items[1].pairedItem).toEqual({ item: 1 });
				expect(run.items[1].json).toEqual({
					jobid: failedJobId,
					status: 'failed',
					error: 'Midjourney job failed: Midjourney job failed',
					errorDetails: 'Emulated failure requested with --emu-fail',
				});
				expect(run.items[0].json.status).toBe('completed');
			},
		);

		it('Continue (using error output) routes the failed item there, its job under details, the good one on the regular output', async () => {
			const run = await runMidjourneyNode(
				env,
				{ ...imagine('={{ $json.prompt }}'), waitFor: 'poll' },
				{
					items: [{ prompt: 'fine' }, { prompt: 'broken --emu-fail' }, { prompt: '' }],
					continueOnFail: 'errorOutput',
				},
			);
			const failedJobId = env.emulator
				.listJobs()
				.find((job: any) => job.request?.prompt === 'broken --emu-fail')?.jobid;
			expect(failedJobId).toBeTruthy();
			expect(run.items).toHaveLength(1);
			expect(run.items[0].json.status).toBe('completed');
			expect(run.items[0].pairedItem).toEqual({ item: 0 });
			expect(run.errorItems).toHaveLength(2);
			// n8n adds the input item's fields to an error-output item.
			expect(run.errorItems[0].json).toEqual({
				prompt: 'broken --emu-fail',
				error: 'Midjourney job failed: Midjourney job failed',
				details: {
					jobid: failedJobId,
					status: 'failed',
					errorDetails: 'Emulated failure requested with --emu-fail',
				},
			});
			expect(run.errorItems[0].pairedItem).toEqual({ item: 1 });
			expect(run.errorItems[1].json).toEqual({ prompt: '', error: '"Prompt" is empty' });
			expect(run.errorItems[1].pairedItem).toEqual({ item: 2 });
		});

		it('without Continue On Fail the error description names the job', async () => {
			const run = await runMidjourneyNode(env, {
				...imagine('broken --emu-fail'),
				waitFor: 'poll',
			});
			const jobid = env.emulator.listJobs()[0].jobid;
			expect(run.error.message).toBe('Midjourney job failed: Midjourney job failed');
			expect(run.error.description).toContain(
				`Job ${jobid} · status: failed · error: Midjourney job failed`,
			);
		});

		it('an item that fails before its job exists keeps { error } only', async () => {
			const run = await runMidjourneyNode(env, imagine('={{ $json.prompt }}'), {
				items: [{ prompt: '' }],
				continueOnFail: true,
			});
			expect(run.items[0].json).toEqual({ error: '"Prompt" is empty' });
			expect(env.emulator.requests).toHaveLength(0);
		});
	});

	describe('waits ride out blips', () => {
		it('Poll mode completes through 12 s of 502s on its GETs, with one submission and no cancel', async () => {
			// The emulator answers every job GET with 502 until the blip is over.
			env.emulator.faults.status502OnGetNext = 1_000_000;
			const blipEnds = Date.now() + 12_000;
			const endBlip = setTimeout(() => {
				env.emulator.faults.status502OnGetNext = 0;
			}, 12_000);
			try {
				const run = await runMidjourneyNode(env, {
					...imagine('through the blip'),
					waitFor: 'poll',
				});
				expect(run.error).toBeUndefined();
				expect(run.items[0].json.status).toBe('completed');
				expect(Date.now()).toBeGreaterThanOrEqual(blipEnds);
			} finally {
				clearTimeout(endBlip);
			}
			expect(requestsTo(env, 'POST', '/v3/midjourney/jobs/imagine')).toHaveLength(1);
			expect(requestsTo(env, 'DELETE', /^\/v3\/midjourney\/jobs\//)).toHaveLength(0);
		});

		it('a blip longer than the time limit ends the wait and cancels the job', async () => {
			env.emulator.faults.status5xxOnGetNext = 1_000_000;
			const run = await runMidjourneyNode(env, {
				...imagine('never seen --emu-ms=60000'),
				waitFor: 'poll',
				timeLimit: 8,
			});
			env.emulator.faults.status5xxOnGetNext = 0;
			expect(run.error.message).toMatch(/did not finish within the time limit of 8 seconds/);
			expect(requestsTo(env, 'DELETE', /^\/v3\/midjourney\/jobs\//)).toHaveLength(1);
		});
	});
});

// Neither depends on a reading where the docs are silent: run once, with the default readings.
describe('preflight: every item is checked before anything is paid', () => {
	const fivePrompts = [
		{ prompt: 'row 0' },
		{ prompt: 'row 1' },
		{ prompt: '' },
		{ prompt: 'row 3' },
		{ prompt: 'row 4' },
	];

	// One job at a time, so that items 0 and 1 would run (and be paid) before item 2 is even read
	// were the items not all checked first: the 100-row sheet with a bad row 50, in small.
	const oneAtATime = imagine('={{ $json.prompt }}', {
		options: { pollInterval: 1, maxParallelJobs: 1 },
	});

	it('without Continue On Fail, an empty prompt in item 2 fails the node with nothing submitted', async () => {
		const run = await runMidjourneyNode(env, oneAtATime, { items: fivePrompts });
		expect(run.error.message).toBe('"Prompt" is empty');
		// n8n reports the failing item's index with the error.
		expect(JSON.stringify(run.error)).toMatch(/"itemIndex":2\b/);
		expect(env.emulator.submissions()).toBe(0);
		expect(env.emulator.requests.filter((request: any) => request.method === 'POST')).toHaveLength(
			0,
		);
	});

	it('with Continue On Fail, the four good items complete and item 2 carries its error, all paired', async () => {
		const run = await runMidjourneyNode(env, oneAtATime, {
			items: fivePrompts,
			continueOnFail: true,
		});
		expect(run.items.map((item) => item.pairedItem)).toEqual(
			fivePrompts.map((_, item) => ({ item })),
		);
		expect(run.items[2].json).toEqual({ error: '"Prompt" is empty' });
		expect(run.items.filter((_, i) => i !== 2).map((item) => item.json.status)).toEqual(
			Array(4).fill('completed'),
		);
		expect(env.emulator.submissions()).toBe(4);
	});

	it('a Time Limit that is not a number fails before any submission, naming the field', async () => {
		const run = await runMidjourneyNode(
			env,
			{ ...oneAtATime, timeLimit: '={{ $json.limit }}' },
			{
				items: [
					{ prompt: 'a', limit: 60 },
					{ prompt: 'b', limit: 60 },
					{ prompt: 'c', limit: 'soon' },
				],
			},
		);
		expect(run.error.message).toMatch(/Time Limit/);
		expect(env.emulator.submissions()).toBe(0);
	});
});

describe('downloads are bounded', () => {
	it('a media body that stalls fails its item within the stall timeout + 5 s (n8n 2.x)', async () => {
		env.emulator.faults.stallMediaBodyNext = 1;
		const started = Date.now();
		const run = await runMidjourneyNode(env, {
			resource: 'media',
			operation: 'download',
			cdnUrl: 'https://cdn.midjourney.com/0b6c9f4e-1111-2222-3333-444455556666/0_2.png',
		});
		const elapsed = Date.now() - started;
		expect(run.error.message).toMatch(/Media download stalled: no data for 60 seconds/);
		expect(elapsed).toBeLessThan(65_000);
		expect(elapsed).toBeGreaterThanOrEqual(59_000);
	});

	it('a Max File Size outside 1–10240 MB fails before any request (the limit itself: test/unit/mediaPolicy)', async () => {
		const run = await runMidjourneyNode(env, {
			resource: 'media',
			operation: 'download',
			cdnUrl: 'https://cdn.midjourney.com/0b6c9f4e-1111-2222-3333-444455556666/0_3.png',
			maxFileSizeMb: '={{ 0 }}',
		});
		expect(run.error.message).toBe(
			'"Max File Size (MB)" must be a number from 1 to 10240 MB, got 0',
		);
		expect(env.emulator.requests).toHaveLength(0);
	});
});
