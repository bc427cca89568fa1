/**
 * Issue 9 in a real n8n 2.x: a live stream lost before the final status, as the SSE guide describes
 * it. The emulator leaves a job whose stream was cut stuck in `progress` (it will never finish by
 * itself), so the node must read it once, DELETE it and submit it again without a stream. A quiet
 * stream, on the other hand, is healthy and must never be closed for its silence.
 *
 * The emulator is not reset between these tests: the quiet job runs for three minutes while the
 * others run, so every assertion picks its own requests by the prompt's tag.
 */
import { randomUUID } from 'crypto';

import type { RecordedRequest } from '../emulator';
import {
	runMidjourneyNode,
	startEnvironment,
	stopEnvironment,
	type E2eEnvironment,
	type NodeRun,
} from './midjourney';

jest.setTimeout(10 * 60 * 1000);

let env: E2eEnvironment;
beforeAll(async () => {
	env = await startEnvironment();
});
afterAll(async () => {
	await stopEnvironment(env);
});

const SECOND_JOB_MS = 4_000;
const QUIET_JOB_MS = 180_000;

interface FaultRun {
	run: NodeRun;
	tag: string;
	wallMs: number;
}

/** Imagine with default wait settings (Stream), its prompt tagged so its requests can be found. */
async function imagine(markers: string, options: Record<string, unknown> = {}): Promise<FaultRun> {
	const tag = `t${randomUUID().slice(0, 8)}`;
	const started = Date.now();
	const run = await runMidjourneyNode(env, {
		resource: 'job',
		operation: 'imagine',
		prompt: `a lighthouse ${tag} ${markers}`,
		options,
	});
	return { run, tag, wallMs: Date.now() - started };
}

const decodedPath = (request: RecordedRequest) => decodeURIComponent(request.path);

/** What the emulator saw of one run: its submissions, and the GETs and DELETEs of its jobs. */
function seenBy(tag: string) {
	const submissions = env.emulator.requests.filter(
		(r) =>
			r.method === 'POST' &&
			r.path === '/v3/midjourney/jobs/imagine' &&
			String((r.body as { prompt?: string })?.prompt).includes(tag),
	);
	const jobIds = env.emulator
		.listJobs()
		.filter((job) =>
			String((job.request as { prompt?: string } | undefined)?.prompt ?? '').includes(tag),
		)
		.map((job) => String(job.jobid));
	const about = (method: string) =>
		env.emulator.requests.filter(
			(r) => r.method === method && jobIds.some((id) => decodedPath(r).endsWith(`/jobs/${id}`)),
		);
	return { submissions, jobIds, gets: about('GET'), deletes: about('DELETE') };
}

/** The cut job is cancelled once and replaced by one stream:false job that completes. */
function expectCancelledAndResubmitted({ run, tag }: FaultRun) {
	expect(run.error).toBeFalsy();
	expect(run.items).toHaveLength(1);
	const job = run.items[0].json;
	expect(job.status).toBe('completed');
	const { submissions, deletes } = seenBy(tag);
	expect(submissions.map((post) => (post.body as { stream?: boolean }).stream)).toEqual([
		true,
		false,
	]);
	expect(deletes).toHaveLength(1);
	const cancelled = job.streamLost.cancelledJobid as string;
	expect(decodedPath(deletes[0]).endsWith(`/jobs/${cancelled}`)).toBe(true);
	expect(cancelled).not.toBe(job.jobid);
	// The cancelled job stays cancelled: it no longer holds a slot.
	expect(env.emulator.getJob(cancelled)?.status).toBe('failed');
	return job;
}

describe('a stream lost before the final status (real n8n 2.x)', () => {
	// Started first and awaited last: three minutes of silence overlap the other tests.
	let quiet: Promise<FaultRun>;
	beforeAll(() => {
		quiet = imagine(`--emu-quiet --emu-ms=${QUIET_JOB_MS}`);
	});

	it('cut right after initialized: the stuck job is cancelled and one resubmission completes, in about the time of the second job', async () => {
		const fault = await imagine(`--emu-drop-after-initialized --emu-ms=${SECOND_JOB_MS}`);
		const job = expectCancelledAndResubmitted(fault);
		expect(fault.run.items[0].json.streamLost.reason).toMatch(/dropped|ended/);
		// The first job ran for no time at all: the node's own time is the second job's run time
		// (as the emulator recorded it) plus a few seconds for the read, the DELETE and the last poll.
		const second = env.emulator.getJob(job.jobid);
		const secondJobMs = Date.parse(String(second?.updated)) - Date.parse(String(second?.created));
		expect(secondJobMs).toBeGreaterThanOrEqual(SECOND_JOB_MS);
		const nodeMs = fault.run.execution.data?.resultData?.runData?.Midjourney?.[0]?.executionTime;
		expect(typeof nodeMs).toBe('number');
		expect(nodeMs).toBeLessThan(secondJobMs + 5_000);
	});

	it('cut mid-progress: the same, and the first job was read once before it was cancelled', async () => {
		const fault = await imagine(`--emu-drop --emu-ms=${SECOND_JOB_MS}`);
		const job = expectCancelledAndResubmitted(fault);
		const firstJobGets = env.emulator.requests.filter(
			(r) =>
				r.method === 'GET' && decodedPath(r).endsWith(`/jobs/${job.streamLost.cancelledJobid}`),
		);
		expect(firstJobGets).toHaveLength(1);
	});

	it('an error event ends the stream: the same recovery', async () => {
		const fault = await imagine('--emu-error-event');
		expectCancelledAndResubmitted(fault);
		expect(fault.run.items[0].json.streamLost.reason).toMatch(/error event/);
	});

	it('"If the Stream Is Lost: Cancel and Fail" fails the item with the cancelled job and submits nothing more', async () => {
		const fault = await imagine('--emu-drop', { streamLoss: 'fail' });
		expect(fault.run.error).toBeTruthy();
		expect(fault.run.error.message).toMatch(/live stream of the Midjourney job was lost/);
		const { submissions, deletes, jobIds } = seenBy(fault.tag);
		expect(submissions).toHaveLength(1);
		expect(deletes).toHaveLength(1);
		expect(fault.run.error.description).toContain(jobIds[0]);
	});

	it('a malformed event is skipped: the job completes with one submission and no DELETE', async () => {
		const fault = await imagine('--emu-malformed');
		expect(fault.run.error).toBeFalsy();
		expect(fault.run.items[0].json.status).toBe('completed');
		expect(fault.run.items[0].json.streamLost).toBeUndefined();
		const { submissions, deletes } = seenBy(fault.tag);
		expect(submissions).toHaveLength(1);
		expect(deletes).toHaveLength(0);
	});

	it('a stream silent for 3 minutes (no keep-alives) whose job then completes ends completed, one submission, no DELETE', async () => {
		const fault = await quiet;
		expect(fault.run.error).toBeFalsy();
		expect(fault.run.items[0].json.status).toBe('completed');
		expect(fault.wallMs).toBeGreaterThanOrEqual(QUIET_JOB_MS);
		const { submissions, deletes, gets } = seenBy(fault.tag);
		expect(submissions).toHaveLength(1);
		expect((submissions[0].body as { stream?: boolean }).stream).toBe(true);
		expect(deletes).toHaveLength(0);
		expect(gets).toHaveLength(0);
	});
});
