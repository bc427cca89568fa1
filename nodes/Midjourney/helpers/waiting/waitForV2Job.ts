import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

import { asNodeError, jobOfError, withJob } from '../../transport/errors';
import { isRequestAborted, sleepUnlessAborted } from '../../transport/request';
import {
	getV2Job,
	isV2Final,
	submitV2Job,
	type V2Job,
	type V2Submission,
} from '../../transport/v2';
import { stopReason, waitSignal, type WaitSettings } from './waitForJob';

/** A final v2 job that is not `completed` (failed, moderated, cancelled) fails its item. */
function completedV2Job(ctx: IExecuteFunctions, itemIndex: number, job: V2Job): V2Job {
	if (job.status === 'completed') return job;
	const reason =
		job.status === 'moderated' ? 'was moderated by Midjourney' : `ended as "${job.status}"`;
	throw withJob(
		new NodeOperationError(
			ctx.getNode(),
			`Midjourney v2 job ${reason}: ${job.error ?? job.status}`,
			{
				itemIndex,
				description: [`Job ${job.jobid}.`, job.errorDetails].filter(Boolean).join(' '),
			},
		),
		job,
	);
}

/**
 * Submits a v2 job and, unless the user chose not to wait, polls `GET /v2/jobs/?jobid=` until it is
 * final. This is separate from runJob (v3) because v2 has no stream and its pages document no
 * cancel: when the wait ends early the job is left running and the error says how to fetch it later.
 */
export async function runV2Job(
	ctx: IExecuteFunctions,
	itemIndex: number,
	submission: V2Submission,
	wait: WaitSettings,
): Promise<V2Job> {
	const abortSignal = waitSignal(ctx, wait.timeLimitMs);
	const deadline = Date.now() + wait.timeLimitMs;

	const waitEnded = (jobId: string | undefined) => {
		const error = new NodeOperationError(
			ctx.getNode(),
			stopReason(ctx) === 'stopped'
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

	let job: V2Job | undefined;
	try {
		job = await submitV2Job(ctx, {
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
		while (!isV2Final(job)) {
			const remaining = deadline - Date.now();
			if (remaining <= 0 || abortSignal.aborted) throw waitEnded(job.jobid);
			await sleepUnlessAborted(Math.min(wait.pollIntervalMs, remaining), abortSignal);
			job = await getV2Job(ctx, job.jobid, { itemIndex, abortSignal });
		}
	} catch (error) {
		if (isRequestAborted(error)) throw waitEnded(job?.jobid);
		// A failed GET while the job runs: the job stays findable (v2 documents no cancel).
		const failure = asNodeError(ctx.getNode(), error, itemIndex);
		if (job?.jobid && !jobOfError(failure))
			throw withJob(failure, { jobid: job.jobid, status: job.status });
		throw failure;
	}
	return completedV2Job(ctx, itemIndex, job);
}
