import type { IDataObject } from 'n8n-workflow';

import { apiRequest, type ApiContext, type BusyRetry } from './request';

export const V2 = '/v2';

/** A v2 job: the request's fields sit at the top level (api-docs/v2 pages). */
export interface V2Job extends IDataObject {
	jobid: string;
	verb?: string;
	status: string;
	replyRef?: string;
	error?: string;
	errorDetails?: string;
}

/** The v2 commands this node submits: `POST /v2/jobs/<verb>`. */
export type V2Verb = 'imagine' | 'seed_async';

/**
 * A v2 job is still running while its status is one of these (the v2 pages: "if value is created,
 * started or progress wait … and retry"); any other status (completed, failed, moderated,
 * cancelled) is final.
 */
const V2_RUNNING_STATUSES = ['created', 'started', 'progress'];

export function isV2Final(job: Pick<V2Job, 'status'>): boolean {
	return !V2_RUNNING_STATUSES.includes(job.status);
}

/** GET /v2/jobs/?jobid= */
export async function getV2Job(
	ctx: ApiContext,
	jobId: string,
	options: { itemIndex?: number; abortSignal?: AbortSignal } = {},
): Promise<V2Job> {
	const { body } = await apiRequest<V2Job>(ctx, {
		method: 'GET',
		path: `${V2}/jobs/`,
		qs: { jobid: jobId },
		...options,
	});
	return body;
}

export interface V2Submission {
	verb: V2Verb;
	body: IDataObject;
	/** Named in the 596 message. */
	channel?: string;
	itemIndex?: number;
	busyRetry?: BusyRetry;
	abortSignal?: AbortSignal;
}

/**
 * POST /v2/jobs/imagine or /v2/jobs/seed_async: the job as started (200). A 429 (account busy) is
 * retried after a pause, as the v2 pages advise; 422 (moderated), 596 (pending moderation) and
 * 5xx become errors in the transport without a retry, since the job may exist.
 */
export async function submitV2Job(ctx: ApiContext, submission: V2Submission): Promise<V2Job> {
	const { body } = await apiRequest<V2Job>(ctx, {
		method: 'POST',
		path: `${V2}/jobs/${submission.verb}`,
		body: submission.body,
		channel: submission.channel,
		itemIndex: submission.itemIndex,
		retry: 'submit',
		busyRetry: submission.busyRetry,
		abortSignal: submission.abortSignal,
	});
	return body;
}
