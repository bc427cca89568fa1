import { NodeOperationError } from 'n8n-workflow';

import { asNodeError, withJob } from '../../transport/errors';
import { cancelJob, getJob, submitJob } from '../../transport/jobs';
import { isFinal, type Job } from '../../transport/types';
import type { StreamLoss } from './jobOutcome';
import type { JobWait } from './jobWait';

function cancelText(jobId: string, cancelled: boolean): string {
	return cancelled
		? `Job ${jobId} was cancelled (DELETE) so it no longer holds a slot.`
		: `Cancelling job ${jobId} failed; it holds a slot of the account until useapi.net times it out (14 minutes).`;
}

/**
 * A stream lost with the job id known: useapi.net leaves such a job stuck for 14 minutes (SSE
 * guide, https://useapi.net/docs/api-midjourney-v3/sse-streaming-guide). The job is read once; if it
 * has not finished it is cancelled and, as the user chose, the item fails or the job is submitted
 * once more without a stream and polled (the guide's advice for an unreliable connection).
 */
export async function recoverLostStream(
	wait: JobWait,
	jobId: string,
	reason: string,
	lastJob: Job | undefined,
): Promise<Job> {
	const { run, itemIndex, abortSignal } = wait;
	const node = run.ctx.getNode();
	const current = await getJob(run.api, jobId, { itemIndex, abortSignal }).catch(() => lastJob);
	if (wait.aborted) throw await wait.ended({ jobid: jobId, status: current?.status });
	if (current && isFinal(current)) return wait.finished(current);

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
