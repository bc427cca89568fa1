import { NodeOperationError, type INode } from 'n8n-workflow';

import { asNodeError, jobOfError, withJob } from '../../transport/errors';
import { isRequestAborted, sleepUnlessAborted } from '../../transport/retryPolicy';
import type { JobRun } from '../jobRun';
import {
	getLegacyJob,
	isLegacyFinal,
	submitLegacyJob,
	type LegacyJob,
	type LegacySubmission,
} from '../../transport/legacy';
import type { WaitSettings } from './waitSettings';

/** A final legacy (v2) job that is not `completed` (failed, moderated, cancelled) fails its item. */
function completedLegacyJob(node: INode, itemIndex: number, job: LegacyJob): LegacyJob {
	if (job.status === 'completed') return job;
	const reason =
		job.status === 'moderated' ? 'was moderated by Midjourney' : `ended as "${job.status}"`;
	throw withJob(
		new NodeOperationError(node, `Midjourney v2 job ${reason}: ${job.error ?? job.status}`, {
			itemIndex,
			description: [`Job ${job.jobid}.`, job.errorDetails].filter(Boolean).join(' '),
		}),
		job,
	);
}

/**
 * Submits a legacy (v2) job and, unless the user chose not to wait, polls `GET /v2/jobs/?jobid=` until it is
 * final. This is separate from runJob (v3) because v2 has no stream and its pages document no
 * cancel: when the wait ends early the job is left running and the error says how to fetch it later.
 */
export async function runLegacyJob(
	run: JobRun,
	itemIndex: number,
	submission: LegacySubmission,
	wait: WaitSettings,
): Promise<LegacyJob> {
	return await run.waitWithin(
		wait.timeLimitMs,
		async (abortSignal) => await followLegacyJob(run, itemIndex, submission, wait, abortSignal),
	);
}

/** runLegacyJob within its wait's signal. */
async function followLegacyJob(
	run: JobRun,
	itemIndex: number,
	submission: LegacySubmission,
	wait: WaitSettings,
	abortSignal: AbortSignal,
): Promise<LegacyJob> {
	const { ctx, api } = run;
	const deadline = Date.now() + wait.timeLimitMs;

	const waitEnded = (jobId: string | undefined) => {
		const error = new NodeOperationError(
			ctx.getNode(),
			run.stopReason() === 'stopped'
				? 'The execution was stopped while waiting for the Midjourney v2 job'
				: `The Midjourney v2 job did not finish within the time limit of ${Math.round(wait.timeLimitMs / 1000)} seconds`,
			{
				itemIndex,
				description: jobId
					? `Job ${jobId} keeps running on useapi.net: fetch it later with Legacy (V2) → Get Job, or raise "Time Limit (Seconds)".`
					: 'No job had been created yet. Raise "Time Limit (Seconds)" when the account is busy.',
			},
		);
		return jobId ? withJob(error, { jobid: jobId, status: job?.status }) : error;
	};

	let job: LegacyJob | undefined;
	try {
		job = await submitLegacyJob(api, {
			...submission,
			itemIndex,
			busyRetry: wait.busyRetry,
			abortSignal,
		});
		if (wait.mode === 'none') return job;
		if (!job.jobid) {
			throw new NodeOperationError(
				ctx.getNode(),
				'useapi.net accepted the v2 job but sent no job ID to follow',
				{
					itemIndex,
					description: 'Switch "Wait for Result" to Don\'t Wait and use a Reply URL for this job.',
				},
			);
		}
		while (!isLegacyFinal(job)) {
			const remaining = deadline - Date.now();
			if (remaining <= 0 || abortSignal.aborted) throw waitEnded(job.jobid);
			await sleepUnlessAborted(Math.min(wait.pollIntervalMs, remaining), abortSignal);
			job = await getLegacyJob(api, job.jobid, { itemIndex, abortSignal });
		}
	} catch (error) {
		if (isRequestAborted(error)) throw waitEnded(job?.jobid);
		// A failed GET while the job runs: the job stays findable (v2 documents no cancel).
		const failure = asNodeError(ctx.getNode(), error, itemIndex);
		if (job?.jobid && !jobOfError(failure))
			throw withJob(failure, { jobid: job.jobid, status: job.status });
		throw failure;
	}
	return completedLegacyJob(ctx.getNode(), itemIndex, job);
}
