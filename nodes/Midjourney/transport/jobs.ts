import type { IDataObject } from 'n8n-workflow';

import { MultipartBody } from './multipart';
import { apiRequest } from './request';
import type { BusyRetry, RetryPolicy } from './retryPolicy';
import type { ApiCaller } from './session';
import type { Job } from './types';

export const V3 = '/v3/midjourney';

/** Job ids end in `-bot:midjourney`; the colon is kept as the API's own examples write it. */
export function jobPath(jobId: string): string {
	return `${V3}/jobs/${encodeURIComponent(jobId).replace(/%3A/gi, ':')}`;
}

/** `POST jobs/<verb>`: the command that creates a job (imagine, button, describe, settings…). */
export function jobCommandPath(verb: string): string {
	return `${V3}/jobs/${verb}`;
}

/** `GET jobs`: what runs on every channel of the account now, with the channels' limits. */
export async function listRunningJobs<T = IDataObject>(
	api: ApiCaller,
	options: { itemIndex?: number; retry?: RetryPolicy } = {},
): Promise<T> {
	const { body } = await apiRequest<T>(api, { method: 'GET', path: `${V3}/jobs`, ...options });
	return body;
}

export async function getJob(
	api: ApiCaller,
	jobId: string,
	options: { itemIndex?: number; abortSignal?: AbortSignal } = {},
): Promise<Job> {
	const { body } = await apiRequest<Job>(api, { method: 'GET', path: jobPath(jobId), ...options });
	return body;
}

/** `DELETE jobs/<jobid>` as the user's Cancel operation sends it: once, its failure the item's. */
export async function deleteJob(api: ApiCaller, jobId: string, itemIndex?: number): Promise<void> {
	await apiRequest(api, { method: 'DELETE', path: jobPath(jobId), itemIndex, retry: 'none' });
}

/**
 * Cancels a running job so it stops holding one of the account's slots (a job whose stream was
 * abandoned holds it for 14 minutes otherwise). Best effort: returns whether useapi.net confirmed.
 * Sent also when (and mostly because) the user stopped the execution.
 */
export async function cancelJob(api: ApiCaller, jobId: string): Promise<boolean> {
	try {
		await apiRequest(api, {
			method: 'DELETE',
			path: jobPath(jobId),
			retry: 'read',
			outlivesExecution: true,
		});
		return true;
	} catch {
		return false;
	}
}

export interface SubmitRequest {
	/** `jobCommandPath(verb)`, e.g. `/v3/midjourney/jobs/imagine` */
	path: string;
	body: IDataObject | MultipartBody;
	itemIndex?: number;
	channel?: string;
	busyRetry?: BusyRetry;
	abortSignal?: AbortSignal;
}

/** The job-creating POST, answered as JSON or, with `stream`, as an unread SSE body (jobStream.ts). */
export async function postJob<T>(api: ApiCaller, request: SubmitRequest, stream: boolean) {
	return await apiRequest<T>(api, {
		method: 'POST',
		path: request.path,
		body: withFields(request.body, { stream }),
		itemIndex: request.itemIndex,
		channel: request.channel,
		retry: 'submit',
		busyRetry: request.busyRetry,
		encoding: stream ? 'stream' : 'json',
		abortSignal: request.abortSignal,
		// n8n-core replaces a request's abortSignal with the execution's cancel signal; the wait signal
		// (time limit + that cancel signal) must reach the request, or a quiet stream outlives the limit.
		outlivesExecution: request.abortSignal !== undefined,
	});
}

/** Submits a job with `stream: false`: the answer is the job as created (201), or the existing child of an execute-once button (200). */
export async function submitJob(api: ApiCaller, request: SubmitRequest): Promise<Job> {
	return (await postJob<Job>(api, request, false)).body;
}

/**
 * Submits a job with `stream: false` and says whether the answer is an existing job: an execute-once
 * button (U1–U4, seed) pressed again answers its existing child with 200 instead of 201 (button
 * page: "200 OK Execute-once button (U1-U4) already executed - returning existing child job").
 */
export async function submitJobAnswer(
	api: ApiCaller,
	request: SubmitRequest,
): Promise<{ job: Job; existing: boolean }> {
	const { statusCode, body } = await postJob<Job>(api, request, false);
	return { job: body, existing: statusCode === 200 };
}

/** The request body with more fields, whether it is JSON or multipart/form-data; the given body is left as it is. */
export function withFields(
	body: IDataObject | MultipartBody,
	fields: Record<string, string | number | boolean>,
): IDataObject | MultipartBody {
	if (!(body instanceof MultipartBody)) return { ...body, ...fields };
	const copy = body.clone();
	for (const [name, value] of Object.entries(fields)) copy.field(name, value);
	return copy;
}
