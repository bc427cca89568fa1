import { NodeOperationError } from 'n8n-workflow';

import { submitJob, submitJobAnswer } from '../../transport/jobs';
import { streamJob } from '../../transport/jobStream';
import { isFinal, type Job } from '../../transport/types';
import type { JobRun } from '../jobRun';
import { submitAndSleep } from './callback';
import { JobWait, type JobSubmission } from './jobWait';
import { recoverLostStream } from './streamRecovery';
import type { WaitSettings } from './waitSettings';

export type { JobSubmission } from './jobWait';
export type { StreamLossPolicy, WaitMode, WaitSettings } from './waitSettings';

/** Don't Wait: the job as created. */
async function submitOnly(wait: JobWait): Promise<Job> {
	return await wait.submit(async () => await submitJob(wait.run.api, wait.request));
}

/**
 * Poll: submitted with `stream: false`, then read until final. An execute-once button answers its
 * existing child (200, not 201): followed, never cancelled, as it belongs to an earlier press.
 */
async function submitAndPoll(wait: JobWait): Promise<Job> {
	const submittedAt = Date.now();
	const { job, existing } = await wait.submit(
		async () => await submitJobAnswer(wait.run.api, wait.request),
	);
	return isFinal(job)
		? wait.finished(job)
		: await wait.pollUntilFinal(job.jobid, submittedAt, existing ? job : undefined, !existing);
}

/** Callback: the execution sleeps until useapi.net calls its resume URL (see callback.ts). */
async function submitAndCallBack(wait: JobWait): Promise<Job> {
	const submittedAt = Date.now();
	const { job, follow } = await wait.submit(async () => await submitAndSleep(wait));
	if (isFinal(job)) return wait.finished(job);
	// Not this execution's job (an execute-once child still running): followed as Poll mode follows a job.
	return follow ? await wait.pollUntilFinal(job.jobid, submittedAt, job, false) : job;
}

/** Stream: the job's live events until its final status; a lost stream is recovered. */
async function submitAndStream(wait: JobWait): Promise<Job> {
	const outcome = await wait.submit(async () => await streamJob(wait.run.api, wait.request));
	switch (outcome.kind) {
		case 'final':
			return wait.finished(outcome.job);
		case 'existing':
			// An execute-once child that is still running belongs to an earlier press: followed, never cancelled for a lost stream.
			return await wait.pollUntilFinal(outcome.job.jobid, Date.now(), outcome.job, false);
		case 'aborted':
			throw await wait.ended(outcome.jobId ? { jobid: outcome.jobId } : undefined);
		case 'interrupted':
			return await recoverLostStream(wait, outcome.jobId, outcome.reason);
		case 'lost':
			throw new NodeOperationError(
				wait.run.ctx.getNode(),
				'The connection to useapi.net ended before the job ID arrived',
				{
					itemIndex: wait.itemIndex,
					description:
						`${outcome.reason}. The job may have been created; it was not submitted again to avoid a duplicate. ` +
						'Check Job → List Running before retrying.',
				},
			);
	}
}

const WAIT_MODES = {
	none: submitOnly,
	poll: submitAndPoll,
	callback: submitAndCallBack,
	stream: submitAndStream,
} as const;

/**
 * The one way every job-creating operation submits its job and waits for the result, in the mode
 * the user picked. When waiting ends early the job is cancelled so that it does not hold one of the
 * account's slots. A live stream lost before the final status leaves its job stuck for 14 minutes
 * (SSE guide): the job is watched for 30 s, and only if it neither finished nor moved is it cancelled
 * and, at most once, submitted again without a stream and polled (streamRecovery.ts).
 */
export async function runJob(
	run: JobRun,
	itemIndex: number,
	submission: JobSubmission,
	settings: WaitSettings,
): Promise<Job> {
	const waitInMode = WAIT_MODES[settings.mode] ?? submitAndStream;
	return await run.waitWithin(
		settings.timeLimitMs,
		async (signal) => await waitInMode(new JobWait(run, itemIndex, submission, settings, signal)),
	);
}
