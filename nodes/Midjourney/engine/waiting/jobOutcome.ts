import { NodeOperationError, type INode } from 'n8n-workflow';

import { withJob, type FailedJob } from '../../transport/errors';
import { captchaFailure } from '../blockedChannels';
import type { Job } from '../../transport/types';

/** What an error keeps of a job: its id and how far it got. */
export function failedJob(job: Job): FailedJob {
	return { jobid: job.jobid, status: job.status, error: job.error, errorDetails: job.errorDetails };
}

/** A failed or moderated job is an error of its item; its details go into the description and `context.job`. */
export function throwIfUnsuccessful(ctx: { getNode(): INode }, itemIndex: number, job: Job): Job {
	// A CAPTCHA locked the job's channel: the advice differs, and the run stops using that channel.
	if (job.status === 'failed' && job.code === 596)
		throw withJob(captchaFailure(ctx.getNode(), itemIndex, job), failedJob(job));
	if (job.status === 'failed' || job.status === 'moderated') {
		const what = job.status === 'failed' ? 'failed' : 'was moderated by Midjourney';
		const details = [
			job.error,
			job.errorDetails,
			...(job.response?.embeds ?? []).map((e) => e.description),
		]
			.filter(Boolean)
			.join(' — ');
		throw withJob(
			new NodeOperationError(ctx.getNode(), `Midjourney job ${what}: ${job.error ?? job.status}`, {
				itemIndex,
				description: `Job ${job.jobid}. ${details}`.trim(),
			}),
			failedJob(job),
		);
	}
	return job;
}

/** How a lost stream is named in the output of the job that replaced it. */
export interface StreamLoss {
	cancelledJobid: string;
	reason: string;
}
