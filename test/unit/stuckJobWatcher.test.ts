/**
 * Issue 21: a job-creating run answered 429 clears other clients' stuck jobs (the option "Cancel
 * Stuck Jobs After (Minutes)", on by default), run by n8n-core against the emulator. Streams are cut
 * to leave stuck jobs; the clock (`Date` only: timers stay real) is moved past the threshold, which
 * ages every job's `updated` on the emulator's clock the way minutes would.
 */
import type { INodeParameters } from 'n8n-workflow';

import { startEmulator, type Emulator } from '../emulator';
import { executeContext, runMidjourney } from '../helpers/n8nCore';
import { submitJob } from '../../nodes/Midjourney/transport/jobs';
import { streamJob } from '../../nodes/Midjourney/transport/jobStream';
import { ApiSession, type SubmissionObserver } from '../../nodes/Midjourney/transport/session';
import { cutStream, TEST_TOKEN } from '../helpers/unitEmulator';
import { moveClock } from '../helpers/clock';

const V3 = '/v3/midjourney';
const CHANNEL = '1100000000000000001';

let emulator: Emulator;
const credential = () => ({ baseUrl: emulator.url, token: TEST_TOKEN });

beforeAll(async () => {
	// Four slots: two stuck jobs, one job still `created`, and one more for a healthy job or the run.
	emulator = await startEmulator({
		token: TEST_TOKEN,
		jobDurationMs: 300,
		accounts: [{ channel: CHANNEL, maxJobs: 4, maxImageJobs: 4, maxVideoJobs: 2 }],
	});
});
afterAll(async () => await emulator.close());
beforeEach(() => emulator.reset());
afterEach(() => jest.useRealTimers());

async function post(verb: string, body: object): Promise<Response> {
	return await fetch(`${emulator.url}${V3}/jobs/${verb}`, {
		method: 'POST',
		headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
}

/** A job cut at its first progress, so stuck. */
const stuckJob = async () =>
	await cutStream(emulator, 'imagine', { prompt: 'cut --emu-drop --emu-ms=2000' });

/** A job another client created that stays `created` (a relax queue) for the whole test. */
async function createdJob(): Promise<string> {
	const response = await post('imagine', {
		prompt: 'queued elsewhere --emu-queued=600000',
		stream: false,
	});
	expect(response.status).toBe(201);
	return ((await response.json()) as { jobid: string }).jobid;
}

const deleted = () =>
	emulator.requests
		.filter((r) => r.method === 'DELETE')
		.map((r) => decodeURIComponent(r.path.slice(`${V3}/jobs/`.length)));
const readsOf = (jobId: string) =>
	emulator.requests.filter(
		(r) => r.method === 'GET' && decodeURIComponent(r.path) === `${V3}/jobs/${jobId}`,
	).length;
const submissionsOf = (prompt: string) =>
	emulator.requests.filter(
		(r) =>
			r.method === 'POST' &&
			r.path === `${V3}/jobs/imagine` &&
			(r.body as { prompt?: string }).prompt === prompt,
	).length;

const imagine = (options: INodeParameters = {}, extra: INodeParameters = {}): INodeParameters => ({
	resource: 'job',
	operation: 'imagine',
	prompt: '={{ $json.prompt }}',
	options,
	...extra,
});

describe('a run answered 429 behind stuck jobs', () => {
	it('cancels the stuck jobs once past the threshold (default 3 minutes), never a created one, and completes', async () => {
		const stuck = [await stuckJob(), await stuckJob()];
		const queued = await createdJob();
		// The fourth slot: another client's healthy job. The account is full; the run is answered 429.
		const [healthy] = emulator.occupy({ forMs: 120_000, jobs: 1, channel: CHANNEL });
		moveClock(4 * 60_000);

		const { items, error } = await runMidjourney({
			credential: credential(),
			parameters: imagine(),
			items: [{ prompt: 'after the crash 1' }, { prompt: 'after the crash 2' }],
		});
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json.status)).toEqual(['completed', 'completed']);
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		// Answered 429: more submissions than jobs the run created.
		expect(submissionsOf('after the crash 1') + submissionsOf('after the crash 2')).toBeGreaterThan(
			2,
		);
		expect(deleted().sort()).toEqual([...stuck].sort());
		for (const jobId of stuck)
			expect(emulator.getJob(jobId)).toMatchObject({
				status: 'failed',
				error: 'Job cancelled by user',
			});
		expect(emulator.getJob(queued)?.status).toBe('created');
		expect(emulator.getJob(healthy)?.status).not.toBe('failed');
		// Each job of another client read once (the run lasted well under a minute).
		for (const jobId of [...stuck, queued, healthy]) expect(readsOf(jobId)).toBe(1);
		// The run's own jobs: neither read one by one (they were streamed) nor cancelled.
		for (const item of items) {
			expect(readsOf(String(item.json.jobid))).toBe(0);
			expect(deleted()).not.toContain(item.json.jobid);
		}
	});

	it('before the threshold reads each job once a minute at most and cancels nothing', async () => {
		const stuck = [await stuckJob(), await stuckJob()];
		const queued = await createdJob();
		emulator.occupy({ forMs: 120_000, jobs: 1, channel: CHANNEL });

		const { error } = await runMidjourney({
			credential: credential(),
			parameters: imagine({ cancelStuckAfter: 1 }, { timeLimit: 5 }),
			items: [{ prompt: 'too early 1' }, { prompt: 'too early 2' }],
		});
		// Waited for a slot for the whole time limit (5 s of GET jobs once a second), then failed.
		expect(error?.message).toMatch(/time limit of 5 seconds/);
		expect(
			emulator.requests.filter((r) => r.method === 'GET' && r.path === `${V3}/jobs`).length,
		).toBeGreaterThan(3);
		for (const jobId of [...stuck, queued]) expect(readsOf(jobId)).toBe(1);
		expect(deleted()).toEqual([]);
		for (const jobId of stuck) expect(emulator.getJob(jobId)?.status).toBe('progress');
	});

	it('set to 0, reads no job and cancels nothing', async () => {
		const stuck = [await stuckJob(), await stuckJob(), await stuckJob(), await stuckJob()];
		moveClock(4 * 60_000);
		const { error } = await runMidjourney({
			credential: credential(),
			parameters: imagine({ cancelStuckAfter: 0 }, { timeLimit: 3 }),
			items: [{ prompt: 'left alone' }],
		});
		expect(error?.message).toMatch(/time limit of 3 seconds/);
		for (const jobId of stuck) expect(readsOf(jobId)).toBe(0);
		expect(deleted()).toEqual([]);
	});

	it("never touches the run's own jobs: its streamed job is not read or cancelled while another item waits", async () => {
		// Three slots taken by another client's healthy jobs, one by the run's first item.
		const others = emulator.occupy({ forMs: 60_000, jobs: 3, channel: CHANNEL });
		const { items, error } = await runMidjourney({
			credential: credential(),
			// Max Parallel Jobs 2: the second item is submitted and answered 429 behind the first.
			parameters: imagine({ maxParallelJobs: 2, cancelStuckAfter: 1 }, { timeLimit: 30 }),
			items: [{ prompt: 'mine --emu-ms=3000' }, { prompt: 'mine too' }],
		});
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json.status)).toEqual(['completed', 'completed']);
		expect(submissionsOf('mine too')).toBeGreaterThan(1);
		// The watcher was at work: it read the other client's jobs (healthy, so none was cancelled)...
		for (const jobId of others) expect(readsOf(jobId)).toBe(1);
		// ...and never the run's own job that was running beside them.
		expect(readsOf(String(items[0].json.jobid))).toBe(0);
		expect(deleted()).toEqual([]);
	});

	it('names the field and its limits when the threshold is out of range, before any request', async () => {
		const { error } = await runMidjourney({
			credential: credential(),
			parameters: imagine({ cancelStuckAfter: 0.5 }),
			items: [{ prompt: 'x' }],
		});
		expect(error?.message).toBe(
			'"Cancel Stuck Jobs After (Minutes)" must be a number from 1 to 14 minutes (or 0 to turn it off), got 0.5',
		);
		expect(emulator.requests).toHaveLength(0);
	});
});

describe("the run's own jobs", () => {
	it('the transport reports each job ID of a submission once: a JSON answer and a stream', async () => {
		const ids: string[] = [];
		const observer: SubmissionObserver = {
			onAccepted: () => undefined,
			waitForSlot: async () => undefined,
			onCancelled: () => undefined,
			onJobCreated: (jobId) => ids.push(jobId),
		};
		const api = new ApiSession(executeContext({ credential: credential() }), observer);
		const path = `${V3}/jobs/imagine`;
		const polled = await submitJob(api, { path, body: { prompt: 'as json' } });
		const streamed = await streamJob(api, { path, body: { prompt: 'as a stream' } });
		expect(streamed.kind).toBe('final');
		expect(ids).toEqual([polled.jobid, streamed.kind === 'final' ? streamed.job.jobid : '']);
	});
});
