import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { getJob } from '../transport/jobs';
import { isFinal, type Job } from '../transport/types';
import { jobItems, outputOptionsFrom, type OutputOptions } from './jobOutput';

/**
 * Wakes an execution that waits in Callback mode. useapi.net posts the job to the execution's
 * resume URL; the job is read again from the API (a callback body is not trusted) and becomes the
 * node's output. A call that is not the final status answers without waking the execution.
 */
export async function resumeFromCallback(
	ctx: IWebhookFunctions,
	finishedJob: (job: Job) => Job = (job) => job,
): Promise<IWebhookResponseData> {
	const body = (ctx.getBodyData() ?? {}) as IDataObject;
	const jobId = typeof body.jobid === 'string' ? body.jobid : '';
	if (!jobId) {
		ctx.getResponseObject().status(400).json({ error: 'Not a useapi.net job callback: "jobid" is missing' });
		return { noWebhookResponse: true };
	}
	const job = await getJob(ctx, jobId);
	if (!isFinal(job)) return { webhookResponse: { received: true, resumed: false } };

	const options = outputOptionsFrom(ctx.getNodeParameter('options', {}) as Partial<OutputOptions>);
	const items = await jobItems(ctx, 0, [finishedJob(job)], options);
	return {
		webhookResponse: { received: true, resumed: true },
		workflowData: [items.map((item) => ({ ...item, pairedItem: { item: 0 } }))],
	};
}
