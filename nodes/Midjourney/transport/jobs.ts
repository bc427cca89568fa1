import type { IDataObject } from 'n8n-workflow';

import { MultipartBody } from './multipart';
import { apiRequest, outlivingExecution, type ApiContext, type BusyRetry } from './request';
import { createSseDecoder, MalformedEventError } from './sse';
import { isFinal, type InitializedEvent, type Job, type JobEvent, type StreamEvent } from './types';

export const V3 = '/v3/midjourney';

/** Job ids end in `-bot:midjourney`; the colon is kept as the API's own examples write it. */
export function jobPath(jobId: string): string {
	return `${V3}/jobs/${encodeURIComponent(jobId).replace(/%3A/gi, ':')}`;
}

export async function getJob(
	ctx: ApiContext,
	jobId: string,
	options: { itemIndex?: number; abortSignal?: AbortSignal } = {},
): Promise<Job> {
	const { body } = await apiRequest<Job>(ctx, { method: 'GET', path: jobPath(jobId), ...options });
	return body;
}

/**
 * Cancels a running job so it stops holding one of the account's slots (a job whose stream was
 * abandoned holds it for 14 minutes otherwise). Best effort: returns whether useapi.net confirmed.
 * Sent also when (and mostly because) the user stopped the execution.
 */
export async function cancelJob(ctx: ApiContext, jobId: string): Promise<boolean> {
	try {
		await apiRequest(outlivingExecution(ctx), { method: 'DELETE', path: jobPath(jobId), retry: 'read' });
		return true;
	} catch {
		return false;
	}
}

export interface SubmitRequest {
	/** e.g. `/v3/midjourney/jobs/imagine` */
	path: string;
	body: IDataObject | MultipartBody;
	itemIndex?: number;
	channel?: string;
	busyRetry?: BusyRetry;
	abortSignal?: AbortSignal;
}

/** The job-creating POST, answered as JSON or, with `stream`, as an unread SSE body. */
async function postJob<T>(ctx: ApiContext, request: SubmitRequest, stream: boolean) {
	return await apiRequest<T>(ctx, {
		method: 'POST',
		path: request.path,
		body: withFields(request.body, { stream }),
		itemIndex: request.itemIndex,
		channel: request.channel,
		retry: 'submit',
		busyRetry: request.busyRetry,
		encoding: stream ? 'stream' : 'json',
		abortSignal: request.abortSignal,
	});
}

/** Submits a job with `stream: false`: the answer is the job as created (201), or the existing child of an execute-once button (200). */
export async function submitJob(ctx: ApiContext, request: SubmitRequest): Promise<Job> {
	return (await postJob<Job>(ctx, request, false)).body;
}

export type StreamOutcome =
	| { kind: 'final'; job: Job }
	/** The stream ended or went silent before a final status; the job id is known, so the caller polls. */
	| { kind: 'interrupted'; jobId: string; reason: string; lastJob?: Job }
	/** The abort signal fired (time limit, or the user stopped the execution). */
	| { kind: 'aborted'; jobId?: string }
	/** The stream carried something unusable: the job id (if known) lets the caller cancel it. */
	| { kind: 'broken'; jobId?: string; reason: string }
	/** The stream ended before the job id was known: the job may exist, so it must not be submitted again. */
	| { kind: 'lost'; reason: string };

/** The request body with more fields, whether it is JSON or multipart/form-data. */
export function withFields(
	body: IDataObject | MultipartBody,
	fields: Record<string, string | number | boolean>,
): IDataObject | MultipartBody {
	if (!(body instanceof MultipartBody)) return { ...body, ...fields };
	for (const [name, value] of Object.entries(fields)) body.field(name, value);
	return body;
}

type SocketWithIdleTimeout = NodeJS.ReadableStream & {
	setTimeout?: (ms: number, callback: () => void) => unknown;
	destroy?: (error?: Error) => void;
};

/**
 * Submits a job with `stream: true` and follows its SSE events until a final status.
 * A silent connection (no event and no keep-alive for `stallMs`) is given up on, using the
 * socket's own idle timer. `onEvent` sees every event (progress reporting).
 */
export async function streamJob(
	ctx: ApiContext,
	request: SubmitRequest & { stallMs: number; onEvent?: (event: StreamEvent) => void },
): Promise<StreamOutcome> {
	const response = await postJob<SocketWithIdleTimeout>(ctx, request, true);
	const stream = response.body;

	// Written by the event callback, so kept in one object (TypeScript does not track closure writes).
	const seen: { jobId?: string; lastJob?: Job; errorEvent?: string; stalled: boolean } = { stalled: false };
	const finalJob = () => (seen.lastJob && isFinal(seen.lastJob) ? seen.lastJob : undefined);

	const isJson = (response.headers['content-type'] ?? '').includes('application/json');
	if (isJson) {
		// Execute-once buttons answer the existing child job as JSON even when a stream was asked for.
		const chunks: Buffer[] = [];
		for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
		const job = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Job;
		return isFinal(job) ? { kind: 'final', job } : { kind: 'interrupted', jobId: job.jobid, reason: 'json', lastJob: job };
	}

	const decoder = createSseDecoder((event) => {
		request.onEvent?.(event);
		const job = (event as JobEvent).job;
		if (event.event === 'initialized') seen.jobId = (event as InitializedEvent).jobId;
		else if (event.event !== 'error' && job && typeof job === 'object') {
			seen.lastJob = job;
			seen.jobId = job.jobid ?? seen.jobId;
		} else if (event.event === 'error') {
			const { error, message } = event as { error?: unknown; message?: unknown };
			seen.errorEvent = String(error ?? message ?? 'error event');
		}
	});

	stream.setTimeout?.(request.stallMs, () => {
		seen.stalled = true;
		stream.destroy?.();
	});
	// n8n's request helper does not end a body it has already handed over when the signal fires.
	const abortStream = () => stream.destroy?.();
	request.abortSignal?.addEventListener('abort', abortStream, { once: true });

	try {
		for await (const chunk of stream) {
			decoder.push(chunk as Buffer);
			if (finalJob() || seen.errorEvent) break;
		}
		if (!finalJob() && !seen.errorEvent) decoder.end();
	} catch (error) {
		if (error instanceof MalformedEventError) {
			return { kind: 'broken', jobId: seen.jobId, reason: error.message };
		}
		if (request.abortSignal?.aborted) return { kind: 'aborted', jobId: seen.jobId };
		// Any other read error is a dropped connection: handled below like an early end.
	} finally {
		request.abortSignal?.removeEventListener('abort', abortStream);
		stream.destroy?.();
	}

	const job = finalJob();
	if (job) return { kind: 'final', job };
	if (request.abortSignal?.aborted) return { kind: 'aborted', jobId: seen.jobId };
	const reason = seen.errorEvent ? `error event: ${seen.errorEvent}` : seen.stalled ? 'stalled' : 'dropped';
	if (!seen.jobId) return { kind: 'lost', reason };
	return { kind: 'interrupted', jobId: seen.jobId, reason, lastJob: seen.lastJob };
}
