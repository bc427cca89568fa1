import { NodeOperationError } from 'n8n-workflow';

import { asNodeError, withJob } from '../../transport/errors';
import { cancelJob, getJob, submitJob } from '../../transport/jobs';
import { sleepUnlessAborted } from '../../transport/retryPolicy';
import { isFinal, type Job } from '../../transport/types';
import type { StreamLoss } from './jobOutcome';
import type { JobWait } from './jobWait';

function cancelText(jobId: string, cancelled: boolean): string {
	return cancelled
		? `Job ${jobId} was cancelled (DELETE) so it no longer holds a slot.`
		: `Cancelling job ${jobId} failed; it holds a slot of the account until useapi.net times it out (14 minutes).`;
}

/** How long a job whose stream was lost is watched before it is judged stuck, and how often it is read meanwhile. */
export const LOST_STREAM_WATCH_MS = 30_000;
export const LOST_STREAM_READ_EVERY_MS = 5_000;

/**
 * What shows that a job lives: a stuck job (SSE guide) is frozen, while a running one changes its
 * `status`, its progress (`progress_percent`, or the percent in `content` where the percent is not
 * given: "not always present") or `updated`.
 */
function signOfLife(job: Job): string {
	const { status, updated, response } = job;
	return JSON.stringify([status, updated, response?.progress_percent, response?.content]);
}

type Watched =
	| { kind: 'final'; job: Job }
	| { kind: 'moving'; job: Job }
	| { kind: 'still'; job: Job | undefined };

/** Reads the job for up to LOST_STREAM_WATCH_MS: until it is final or shows it moves. */
async function watchLostJob(wait: JobWait, jobId: string): Promise<Watched> {
	const { run, itemIndex, abortSignal } = wait;
	const read = async () =>
		await getJob(run.api, jobId, { itemIndex, abortSignal }).catch(() => undefined);
	const { forMs, everyMs } = wait.settings.lostStreamWatch ?? {
		forMs: LOST_STREAM_WATCH_MS,
		everyMs: LOST_STREAM_READ_EVERY_MS,
	};
	const watchEnds = Date.now() + forMs;
	let first = await read();
	for (;;) {
		if (wait.aborted) return { kind: 'still', job: first };
		if (first && isFinal(first)) return { kind: 'final', job: first };
		const left = watchEnds - Date.now();
		if (left <= 0) return { kind: 'still', job: first };
		await sleepUnlessAborted(Math.min(everyMs, left), abortSignal);
		if (wait.aborted) return { kind: 'still', job: first };
		const current = await read();
		if (!current) continue;
		if (isFinal(current)) return { kind: 'final', job: current };
		if (first && signOfLife(current) !== signOfLife(first)) return { kind: 'moving', job: current };
		first ??= current;
	}
}

/**
 * A stream lost with the job id known. useapi.net leaves a job whose stream was cut stuck for 14
 * minutes (SSE guide, https://useapi.net/docs/api-midjourney-v3/sse-streaming-guide), but a lost
 * stream does not prove the job is stuck: it is read for up to 30 s first. A job that finishes ends
 * the wait with its result; one that moves (status, progress, `updated`) is followed by polling and
 * nothing is submitted; only a job that does not move is cancelled and, as the user chose, the item
 * fails or the job is submitted once more without a stream and polled (the guide's advice for an
 * unreliable connection).
 */
export async function recoverLostStream(
	wait: JobWait,
	jobId: string,
	reason: string,
): Promise<Job> {
	const { run, itemIndex } = wait;
	const node = run.ctx.getNode();
	const watchedFrom = Date.now();
	const watched = await watchLostJob(wait, jobId);
	const current = watched.job;
	if (wait.aborted) throw await wait.ended({ jobid: jobId, status: current?.status });
	if (watched.kind === 'final') return wait.finished(watched.job);
	if (watched.kind === 'moving') {
		return await wait.pollUntilFinal(jobId, watchedFrom, watched.job);
	}

	const cancelled = await cancelJob(run.api, jobId);
	if (wait.settings.onStreamLoss === 'fail') {
		throw withJob(
			new NodeOperationError(
				node,
				'The live stream of the Midjourney job was lost before the job finished',
				{
					itemIndex,
					description:
						`${reason}. useapi.net leaves such a job stuck for 14 minutes. ${cancelText(jobId, cancelled)} ` +
						'Run the item again, set "If the Stream Is Lost" to Cancel and Resubmit, or choose Wait for Result: Poll.',
				},
			),
			{ jobid: jobId, status: current?.status, cancelled },
		);
	}

	const submittedAt = Date.now();
	const replacement = await wait.submit(async () => await submitJob(run.api, wait.request));
	const streamLost: StreamLoss = { cancelledJobid: jobId, reason };
	try {
		const job = isFinal(replacement)
			? wait.finished(replacement)
			: await wait.pollUntilFinal(replacement.jobid, submittedAt);
		return { ...job, streamLost };
	} catch (error) {
		const failure = withJob(asNodeError(node, error, itemIndex), {
			jobid: replacement.jobid,
			cancelledJobid: jobId,
		});
		failure.description =
			`${failure.description ?? ''} This was the second job for the item: job ${replacement.jobid} replaced ` +
			`job ${jobId}, whose live stream was lost (${reason}). ${cancelText(jobId, cancelled)}`.trim();
		throw failure;
	}
}
