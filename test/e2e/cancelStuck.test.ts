/**
 * Issue 21, Job → Cancel Stuck Jobs, in a real n8n 2.x against the emulator. The account holds one
 * job stuck in progress (its stream was cut: `updated` frozen, SSE guide), one healthy job in progress
 * (its `updated` moves every 20 s) and one job still `created`; only the stuck one may be cancelled,
 * and only once it has been unchanged for the threshold by useapi.net's clock.
 */
import {
	MIDJOURNEY_TYPE,
	requestsTo,
	runMidjourneyNode,
	sleep,
	TOKEN,
	useEnvironment,
} from './midjourney';

jest.setTimeout(5 * 60 * 1000);

const env = useEnvironment();
const V3 = '/v3/midjourney';
const THRESHOLD_MINUTES = 1;

async function post(path: string, body: object): Promise<Response> {
	return await fetch(`${env.emulator.url}${path}`, {
		method: 'POST',
		headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
}

/** A job created with `stream: false` (201), as a Don't Wait run leaves it. */
async function createJob(prompt: string): Promise<string> {
	const response = await post(`${V3}/jobs/imagine`, { prompt, stream: false });
	expect(response.status).toBe(201);
	return ((await response.json()) as { jobid: string }).jobid;
}

/** A streamed job whose connection the emulator cuts at its first progress event: stuck (SSE guide). */
async function cutStreamJob(): Promise<string> {
	const response = await post(`${V3}/jobs/imagine`, {
		prompt: 'cut off --emu-drop --emu-ms=2000',
		stream: true,
	});
	let text = '';
	try {
		for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>)
			text += Buffer.from(chunk).toString('utf8');
	} catch {
		// The cut: the emulator destroys the connection without a final event.
	}
	const initialized = JSON.parse(text.split('\n')[0].replace(/^data: /, ''));
	return initialized.jobId as string;
}

const deletes = () => requestsTo(env, 'DELETE', /^\/v3\/midjourney\/jobs\//);

describe('Cancel Stuck Jobs', () => {
	it('checks the threshold before any request', async () => {
		const run = await runMidjourneyNode(env, {
			resource: 'job',
			operation: 'cancelStuck',
			thresholdMinutes: '={{ 0.5 }}',
		});
		expect(run.error.message).toBe('"Threshold (Minutes)" must be a number from 1 to 14, got 0.5');
		expect(env.emulator.requests).toHaveLength(0);
	});

	it('offers all channels or one; with nothing running it still outputs one summary item', async () => {
		const options = await env.n8n.loadOptions({
			nodeType: MIDJOURNEY_TYPE,
			nodeVersion: 1,
			path: 'parameters.channel',
			methodName: 'getChannelsToExamine',
			currentNodeParameters: { resource: 'job', operation: 'cancelStuck' },
			credentials: env.credentials,
		});
		expect(options.map((option) => [option.name, option.value])).toEqual([
			['All Channels', ''],
			['1100000000000000001', '1100000000000000001'],
		]);
		const run = await runMidjourneyNode(env, {
			resource: 'job',
			operation: 'cancelStuck',
			channel: '1100000000000000001',
		});
		expect(run.items).toHaveLength(1);
		expect(run.items[0].json).toEqual({
			thresholdMinutes: 3,
			channel: '1100000000000000001',
			dryRun: false,
			examined: 0,
			stuck: 0,
			cancelled: 0,
			stuckJobIds: [],
			cancelledJobIds: [],
			jobs: [],
		});
		expect(requestsTo(env, 'GET', `${V3}/jobs`)).toHaveLength(1);
	});

	it('cancels only the job stuck in progress for the threshold: not a healthy one, not a created one', async () => {
		const stuck = await cutStreamJob();
		const healthy = await createJob('healthy --emu-ms=100000');
		const queued = await createJob('still created --emu-ms=600000');
		await sleep(1_000);
		const stuckUpdated = env.emulator.getJob(stuck)?.updated;
		expect(env.emulator.getJob(stuck)?.status).toBe('progress');
		expect(stuckUpdated).toBeDefined();

		// Cut a moment ago: unchanged for less than the threshold, so not stuck yet.
		const early = await runMidjourneyNode(env, {
			resource: 'job',
			operation: 'cancelStuck',
			thresholdMinutes: THRESHOLD_MINUTES,
		});
		expect(early.error).toBeFalsy();
		expect(early.items[0].json).toMatchObject({ examined: 3, stuck: 0, cancelled: 0 });
		expect(deletes()).toHaveLength(0);

		// Wait until the stuck job has been unchanged for the threshold (emulator and test share a clock).
		const unchangedSince = Date.parse(stuckUpdated as string);
		await sleep(Math.max(0, unchangedSince + THRESHOLD_MINUTES * 60_000 + 3_000 - Date.now()));
		expect(env.emulator.getJob(stuck)?.updated).toBe(stuckUpdated);
		expect(env.emulator.getJob(healthy)?.status).toBe('progress');
		expect(env.emulator.getJob(queued)?.status).toBe('created');

		const dry = await runMidjourneyNode(env, {
			resource: 'job',
			operation: 'cancelStuck',
			thresholdMinutes: THRESHOLD_MINUTES,
			dryRun: true,
		});
		expect(dry.items[0].json).toMatchObject({
			dryRun: true,
			examined: 3,
			stuck: 1,
			cancelled: 0,
			stuckJobIds: [stuck],
			cancelledJobIds: [],
		});
		expect(deletes()).toHaveLength(0);

		const run = await runMidjourneyNode(env, {
			resource: 'job',
			operation: 'cancelStuck',
			thresholdMinutes: THRESHOLD_MINUTES,
		});
		expect(run.error).toBeFalsy();
		expect(run.items).toHaveLength(1);
		expect(run.items[0].pairedItem).toEqual({ item: 0 });
		const summary = run.items[0].json as any;
		expect(summary).toMatchObject({
			thresholdMinutes: THRESHOLD_MINUTES,
			channel: 'all',
			dryRun: false,
			examined: 3,
			stuck: 1,
			cancelled: 1,
			stuckJobIds: [stuck],
			cancelledJobIds: [stuck],
		});
		const byId = Object.fromEntries(summary.jobs.map((job: any) => [job.jobid, job]));
		expect(byId[stuck]).toMatchObject({ status: 'progress', stuck: true, cancelled: true });
		expect(byId[stuck].unchangedForMinutes).toBeGreaterThanOrEqual(THRESHOLD_MINUTES);
		expect(byId[healthy]).toMatchObject({ status: 'progress', stuck: false, cancelled: false });
		expect(byId[healthy].reason).toMatch(/less than the threshold/);
		expect(byId[queued]).toMatchObject({ status: 'created', stuck: false, cancelled: false });
		expect(byId[queued].reason).toMatch(/^created:/);

		// Exactly one DELETE, of the stuck job; the other two run on.
		expect(deletes().map((request) => decodeURIComponent(request.path))).toEqual([
			`${V3}/jobs/${stuck}`,
		]);
		expect(env.emulator.getJob(stuck)).toMatchObject({
			status: 'failed',
			error: 'Job cancelled by user',
		});
		expect(env.emulator.getJob(healthy)?.status).toBe('progress');
		expect(env.emulator.getJob(queued)?.status).toBe('created');
	});
});
