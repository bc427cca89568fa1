import type { IDataObject } from 'n8n-workflow';

import { apiRequest } from './request';
import type { BusyRetry } from './retryPolicy';
import type { ApiCaller } from './session';

/** The legacy Midjourney API (v2): the Legacy (V2) resource. */
export const V2 = '/v2';

/**
 * A job of useapi.net's legacy v2 API: the request's fields sit at the top level
 * (https://useapi.net/docs/api-v2/post-jobs-imagine).
 */
export interface LegacyJob extends IDataObject {
	jobid: string;
	verb?: string;
	status: string;
	replyRef?: string;
	error?: string;
	errorDetails?: string;
}

/** The v2 commands this node submits: `POST /v2/jobs/<verb>`. */
export type LegacyVerb = 'imagine' | 'seed_async';

/**
 * A v2 job is still running while its status is one of these (the v2 pages: "if value is created,
 * started or progress wait … and retry"); any other status (completed, failed, moderated,
 * cancelled) is final.
 */
const LEGACY_RUNNING_STATUSES = ['created', 'started', 'progress'];

export function isLegacyFinal(job: Pick<LegacyJob, 'status'>): boolean {
	return !LEGACY_RUNNING_STATUSES.includes(job.status);
}

/** GET /v2/jobs/?jobid= */
export async function getLegacyJob(
	api: ApiCaller,
	jobId: string,
	options: { itemIndex?: number; abortSignal?: AbortSignal } = {},
): Promise<LegacyJob> {
	const { body } = await apiRequest<LegacyJob>(api, {
		method: 'GET',
		path: `${V2}/jobs/`,
		qs: { jobid: jobId },
		...options,
	});
	return body;
}

export interface LegacySubmission {
	verb: LegacyVerb;
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
export async function submitLegacyJob(
	api: ApiCaller,
	submission: LegacySubmission,
): Promise<LegacyJob> {
	const { body } = await apiRequest<LegacyJob>(api, {
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
