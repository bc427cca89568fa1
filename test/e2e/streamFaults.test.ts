/**
 * Issues 9 and 19 in a real n8n 2.x: a live stream lost before the final status, as the SSE guide
 * describes it, and a stream that stays open but silent. The emulator leaves a job whose stream was
 * cut stuck in `progress` (it will never finish by itself): the node watches it for 30 s, and only
 * a job that does not move is DELETEd and submitted again without a stream. A quiet stream is
 * healthy and is followed to its end; a stream silent for a minute is checked with GET, so a job
 * that completed behind a half-open connection still reaches the output.
 *
 * Every case runs under both emulator presets (README "Readings"). The cases spend most of their
 * time waiting (a 30 s watch, a minute of silence, a two-minute quiet job), so they all start
 * together in one n8n when the file starts, each against an emulator of its own (its jobs, slots,
 * requests and readings meet no other case's), and each test awaits its case and judges it.
 */
import { PRESETS, type Emulator, type Readings, type RecordedRequest } from '../emulator';
import {
	connectEmulator,
	READINGS_PRESETS,
	runMidjourneyNode,
	TOKEN,
	startEnvironment,
	stopEnvironment,
	type E2eEnvironment,
	type NodeRun,
} from './midjourney';

jest.setTimeout(10 * 60 * 1000);

const SECOND_JOB_MS = 3_000;
/** Silent for more than two minutes: the node reads it with GET twice, at most once a minute. */
const QUIET_JOB_MS = 130_000;
/** The node watches a lost stream's job this long before judging it stuck (streamRecovery.ts). */
const WATCH_MS = 30_000;

interface FaultRun {
	run: NodeRun;
	emulator: Emulator;
	wallMs: number;
	endedAt: number;
	/** The child job an earlier press made (pressOfAnEarlierChild). */
	earlierChild?: string;
}

type Case = (env: E2eEnvironment) => Promise<FaultRun>;

/** Imagine with default wait settings (Stream) and the given emulator markers. */
const imagine =
	(markers: string, options: Record<string, unknown> = {}): Case =>
	async (env) => {
		const started = Date.now();
		const run = await runMidjourneyNode(env, {
			resource: 'job',
			operation: 'imagine',
			prompt: `a lighthouse ${markers}`,
			options,
		});
		const endedAt = Date.now();
		return { run, emulator: env.emulator, wallMs: endedAt - started, endedAt };
	};

/**
 * At the time limit, a press whose execute-once child already exists (another client pressed U1
 * first, and its child runs for a minute) must not DELETE that child.
 */
const pressOfAnEarlierChild: Case = async (env) => {
	const post = async (verb: string, body: object) =>
		(await (
			await fetch(`${env.emulator.url}/v3/midjourney/jobs/${verb}`, {
				method: 'POST',
				headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
				body: JSON.stringify({ stream: false, ...body }),
			})
		).json()) as { jobid: string };
	const parent = await post('imagine', { prompt: 'parent --emu-ms=300' });
	for (let i = 0; i < 50 && env.emulator.getJob(parent.jobid)?.status !== 'completed'; i++) {
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	const child = await post('button', {
		jobId: parent.jobid,
		button: 'U1',
		prompt: '--emu-ms=60000',
	});
	const started = Date.now();
	const run = await runMidjourneyNode(env, {
		resource: 'job',
		operation: 'button',
		jobId: parent.jobid,
		button: ['U1'],
		timeLimit: 4,
		options: { download: 'none' },
	});
	const endedAt = Date.now();
	return {
		run,
		emulator: env.emulator,
		wallMs: endedAt - started,
		endedAt,
		earlierChild: child.jobid,
	};
};

/** A case, and the readings it changes on top of the preset. */
interface CaseSpec {
	run: Case;
	readings?: Partial<Readings>;
}

const CASES = {
	cutAfterInitialized: { run: imagine(`--emu-drop-after-initialized --emu-ms=${SECOND_JOB_MS}`) },
	cutMidProgress: { run: imagine(`--emu-drop --emu-ms=${SECOND_JOB_MS}`) },
	errorEvent: { run: imagine('--emu-error-event') },
	cutWithFail: { run: imagine('--emu-drop', { streamLoss: 'fail' }) },
	// The server ends the stream and the job runs on (the friendlier reading of a server-side end).
	endedButMoving: {
		run: imagine('--emu-close --emu-ms=20000'),
		readings: { endedStreamStrandsJob: false },
	},
	// A half-open connection: after 1 s of silence the stream writes nothing more; the job completes at 8 s.
	silentWhileCompleting: {
		run: imagine('--emu-ms=8000'),
		readings: { silentStreamMs: 1_000, silentStreamFate: 'stall' },
	},
	malformedEvent: { run: imagine('--emu-malformed') },
	earlierChild: { run: pressOfAnEarlierChild },
	quietHealthy: { run: imagine(`--emu-quiet --emu-ms=${QUIET_JOB_MS}`) },
} satisfies Record<string, CaseSpec>;

let env: E2eEnvironment;
const emulators: Emulator[] = [];
const caseRuns = new Map<string, Promise<FaultRun>>();

beforeAll(async () => {
	env = await startEnvironment();
	for (const preset of READINGS_PRESETS) {
		for (const [name, spec] of Object.entries(CASES)) {
			const { run, readings }: CaseSpec = spec;
			const own = await connectEmulator(env.n8n, { readings: { ...PRESETS[preset], ...readings } });
			emulators.push(own.emulator);
			const fault = run(own);
			// Judged by its test; marked handled here so a failure before its test awaits it is no crash.
			fault.catch(() => undefined);
			caseRuns.set(`${preset}/${name}`, fault);
		}
	}
});
afterAll(async () => {
	await stopEnvironment(env);
	await Promise.all(emulators.map((emulator) => emulator.close()));
});

const decodedPath = (request: RecordedRequest) => decodeURIComponent(request.path);

/** What the case's emulator saw: its submissions, and the GETs and DELETEs of its jobs. */
function seenBy({ emulator }: FaultRun) {
	const submissions = emulator.requests.filter(
		(r) => r.method === 'POST' && r.path === '/v3/midjourney/jobs/imagine',
	);
	const jobIds = emulator.listJobs().map((job) => String(job.jobid));
	const about = (method: string) =>
		emulator.requests.filter(
			(r) => r.method === method && jobIds.some((id) => decodedPath(r).endsWith(`/jobs/${id}`)),
		);
	return { submissions, jobIds, gets: about('GET'), deletes: about('DELETE') };
}

/** The cut job is cancelled once and replaced by one stream:false job that completes, within 40 s of the cut. */
function expectCancelledAndResubmitted(fault: FaultRun) {
	const { run, emulator, endedAt } = fault;
	expect(run.error).toBeFalsy();
	expect(run.items).toHaveLength(1);
	const job = run.items[0].json;
	expect(job.status).toBe('completed');
	const { submissions, deletes } = seenBy(fault);
	expect(submissions.map((post) => (post.body as { stream?: boolean }).stream)).toEqual([
		true,
		false,
	]);
	expect(deletes).toHaveLength(1);
	const cancelled = job.streamLost.cancelledJobid as string;
	expect(decodedPath(deletes[0]).endsWith(`/jobs/${cancelled}`)).toBe(true);
	expect(cancelled).not.toBe(job.jobid);
	// The cancelled job stays cancelled: it no longer holds a slot.
	const first = emulator.getJob(cancelled);
	expect(first?.status).toBe('failed');
	// A cut job is frozen at the cut (its `updated` no longer moves): the output came within 40 s of it.
	const cutAt = Date.parse(String(first?.created));
	expect(endedAt - cutAt).toBeLessThan(40_000);
	return job;
}

describe.each(READINGS_PRESETS)('streams under the %s readings (real n8n 2.x)', (preset) => {
	const result = (name: keyof typeof CASES) => caseRuns.get(`${preset}/${name}`)!;

	it('cut right after initialized: watched, then cancelled and resubmitted once, within 40 s of the cut', async () => {
		const fault = await result('cutAfterInitialized');
		const job = expectCancelledAndResubmitted(fault);
		expect(fault.run.items[0].json.streamLost.reason).toMatch(/dropped|ended/);
		const second = fault.emulator.getJob(job.jobid);
		const secondJobMs = Date.parse(String(second?.updated)) - Date.parse(String(second?.created));
		expect(secondJobMs).toBeGreaterThanOrEqual(SECOND_JOB_MS);
		// The node's own time: the watch of the lost job, then the second job and a few seconds of reads.
		const nodeMs = fault.run.execution.data?.resultData?.runData?.Midjourney?.[0]?.executionTime;
		expect(typeof nodeMs).toBe('number');
		expect(nodeMs).toBeGreaterThanOrEqual(WATCH_MS);
		expect(nodeMs).toBeLessThan(WATCH_MS + secondJobMs + 6_000);
	});

	it('cut mid-progress: the same, and the first job was read through the watch before it was cancelled', async () => {
		const fault = await result('cutMidProgress');
		const job = expectCancelledAndResubmitted(fault);
		const firstJobGets = fault.emulator.requests.filter(
			(r) =>
				r.method === 'GET' && decodedPath(r).endsWith(`/jobs/${job.streamLost.cancelledJobid}`),
		);
		// Read every 5 s for 30 s: it never moved.
		expect(firstJobGets.length).toBeGreaterThanOrEqual(6);
		expect(firstJobGets.length).toBeLessThanOrEqual(8);
	});

	it('an error event ends the stream: the same recovery', async () => {
		const fault = await result('errorEvent');
		expectCancelledAndResubmitted(fault);
		expect(fault.run.items[0].json.streamLost.reason).toMatch(/error event/);
	});

	it('"If the Stream Is Lost: Cancel and Fail" fails the item with the cancelled job and submits nothing more', async () => {
		const fault = await result('cutWithFail');
		expect(fault.run.error).toBeTruthy();
		expect(fault.run.error.message).toMatch(/live stream of the Midjourney job was lost/);
		const { submissions, deletes, jobIds } = seenBy(fault);
		expect(submissions).toHaveLength(1);
		expect(deletes).toHaveLength(1);
		expect(fault.run.error.description).toContain(jobIds[0]);
	});

	it('a lost stream whose job keeps moving is followed to its end: one submission, no DELETE', async () => {
		const fault = await result('endedButMoving');
		expect(fault.emulator.readings.endedStreamStrandsJob).toBe(false);
		expect(fault.run.error).toBeFalsy();
		const job = fault.run.items[0].json;
		expect(job.status).toBe('completed');
		expect(job.streamLost).toBeUndefined();
		const { submissions, deletes, jobIds } = seenBy(fault);
		expect(submissions).toHaveLength(1);
		expect(deletes).toHaveLength(0);
		expect(job.jobid).toBe(jobIds[0]);
	});

	it('a stream left open and silent while its job completes: the completed job within 70 s, one submission, no DELETE', async () => {
		const fault = await result('silentWhileCompleting');
		expect(fault.run.error).toBeFalsy();
		expect(fault.run.items[0].json.status).toBe('completed');
		expect(fault.wallMs).toBeLessThan(70_000);
		// Nothing reached the node by the stream after the stall: it waited a minute of silence, then read the job.
		expect(fault.wallMs).toBeGreaterThanOrEqual(60_000);
		const { submissions, deletes, gets } = seenBy(fault);
		expect(submissions).toHaveLength(1);
		expect(deletes).toHaveLength(0);
		expect(gets).toHaveLength(1);
	});

	it('a malformed event is skipped: the job completes with one submission and no DELETE', async () => {
		const fault = await result('malformedEvent');
		expect(fault.run.error).toBeFalsy();
		expect(fault.run.items[0].json.status).toBe('completed');
		expect(fault.run.items[0].json.streamLost).toBeUndefined();
		const { submissions, deletes } = seenBy(fault);
		expect(submissions).toHaveLength(1);
		expect(deletes).toHaveLength(0);
	});

	it('at the time limit, the existing child of an execute-once button (an earlier press) is not DELETEd', async () => {
		const { run, emulator, earlierChild } = await result('earlierChild');
		expect(run.error).toBeTruthy();
		expect(run.error.message).toMatch(/time limit/);
		expect(run.error.description).toContain(`Job ${earlierChild} was made by an earlier press`);
		const deletes = emulator.requests.filter(
			(r) => r.method === 'DELETE' && decodedPath(r).endsWith(`/jobs/${earlierChild}`),
		);
		expect(deletes).toHaveLength(0);
		expect(emulator.getJob(earlierChild!)?.status).not.toBe('failed');
	});

	it('a quiet but healthy stream (silent for two minutes) is followed to its end: one submission, no DELETE, one GET a minute at most', async () => {
		const fault = await result('quietHealthy');
		expect(fault.run.error).toBeFalsy();
		expect(fault.run.items[0].json.status).toBe('completed');
		expect(fault.wallMs).toBeGreaterThanOrEqual(QUIET_JOB_MS);
		const { submissions, deletes, gets } = seenBy(fault);
		expect(submissions).toHaveLength(1);
		expect((submissions[0].body as { stream?: boolean }).stream).toBe(true);
		expect(deletes).toHaveLength(0);
		// Read after each minute of silence, never more often.
		expect(gets.length).toBeGreaterThanOrEqual(1);
		expect(gets.length).toBeLessThanOrEqual(Math.floor(QUIET_JOB_MS / 60_000));
		const times = gets.map((r) => r.time);
		for (let i = 1; i < times.length; i++)
			expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(59_000);
	});
});
