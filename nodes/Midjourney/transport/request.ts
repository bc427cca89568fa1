import type { IDataObject, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';

import { apiError, connectionError } from './errors';
import { MultipartBody } from './multipart';
import { errorMessageOf, lowerCaseHeaders, networkErrorCode } from './responses';
import {
	busyDelayMs,
	defaultRetryPolicy,
	defaultTimeoutMs,
	DEFAULT_BUSY_RETRY,
	READ_RETRY_ATTEMPTS,
	readRetryDelayMs,
	requestAborted,
	sleepUnlessAborted,
	type BusyRetry,
	type RetryPolicy,
} from './retryPolicy';
import { CREDENTIAL_TYPE, detachedFromCancel, sessionOf, type ApiCaller } from './session';

export interface ApiRequest {
	method: IHttpRequestMethods;
	/** Path from the base URL, e.g. `/v3/midjourney/jobs/imagine`; built in transport/ only. */
	path: string;
	body?: IDataObject | MultipartBody;
	qs?: IDataObject;
	itemIndex?: number;
	/** Named in the 596 message. */
	channel?: string;
	retry?: RetryPolicy;
	busyRetry?: BusyRetry;
	/** `stream` hands back the unread body (SSE); `arraybuffer` hands back bytes (media). */
	encoding?: 'json' | 'stream' | 'arraybuffer';
	abortSignal?: AbortSignal;
	/** Statuses handed back to the caller instead of becoming errors (e.g. 404 of GET accounts). */
	acceptStatuses?: number[];
	/** Per attempt; by default from REQUEST_TIMEOUT_MS by method (none for a streamed POST). */
	timeoutMs?: number;
	/**
	 * Not tied to the execution's cancel signal (see detachedFromCancel): the clean-up DELETE that
	 * must leave after the user stopped the execution, and submissions bound to their own
	 * `abortSignal` (the wait signal, which already includes that cancel signal).
	 */
	outlivesExecution?: boolean;
}

export interface ApiResponse<T = unknown> {
	statusCode: number;
	headers: Record<string, string>;
	body: T;
}

const JOB_PATH = /\/jobs\/([^/]+)$/;

function requestOptions(
	baseUrl: string,
	request: ApiRequest,
	timeout: number | undefined,
): IHttpRequestOptions {
	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${baseUrl}${request.path}`,
		qs: request.qs,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		// The API does not redirect; a redirect (to another origin) would carry the token along.
		disableFollowRedirect: true,
		abortSignal: request.abortSignal,
	};
	if (timeout !== undefined) options.timeout = timeout;
	if (request.body instanceof MultipartBody) {
		options.body = request.body.toBuffer();
		options.headers = { 'content-type': request.body.contentType };
	} else if (request.body !== undefined) {
		options.body = request.body;
		options.headers = { 'content-type': 'application/json' };
	}
	const encoding = request.encoding ?? 'json';
	if (encoding === 'json') options.json = true;
	else options.encoding = encoding;
	return options;
}

/**
 * The one place that sends a request to useapi.net. Every status outside 2xx (and `acceptStatuses`)
 * becomes a NodeApiError whose message says what to do; connection failures become errors that
 * carry only the error code, never the request (it holds the token). Failures are retried as the
 * request's RetryPolicy allows (retryPolicy.ts); a 429 of a submission inside a job run waits for
 * the run's scheduler instead (the session's observer).
 */
export async function apiRequest<T = unknown>(
	caller: ApiCaller,
	request: ApiRequest,
): Promise<ApiResponse<T>> {
	const session = sessionOf(caller);
	const { ctx, observer } = session;
	const node = ctx.getNode();
	const baseUrl = await session.baseUrl();
	const retry = request.retry ?? defaultRetryPolicy(request.method);
	const busyRetry = request.busyRetry ?? DEFAULT_BUSY_RETRY;
	// The signal that ends the retries: the caller's, else the user's stop of the execution.
	const stopSignal = request.abortSignal ?? session.cancelSignal;
	// A read bound to the caller's signal rides out transient failures until that signal fires.
	const retryUntilAborted = retry === 'read' && request.abortSignal !== undefined;
	const timeout = request.timeoutMs ?? defaultTimeoutMs(request);
	const options = requestOptions(baseUrl, request, timeout);
	const sender = request.outlivesExecution ? detachedFromCancel(ctx) : ctx;
	const aborted = (lastFailure?: string) => requestAborted(node, request.itemIndex, lastFailure);

	/** Pauses before the next try; false when the caller's signal or the user's stop ended waiting. */
	const pause = async (ms: number): Promise<boolean> => {
		await sleepUnlessAborted(ms, stopSignal);
		return !stopSignal?.aborted;
	};

	let lastFailure: string | undefined;
	for (let attempt = 0; ; attempt++) {
		if (stopSignal?.aborted && request.abortSignal) throw aborted(lastFailure);
		let response: { statusCode: number; headers: unknown; body: unknown };
		try {
			response = (await ctx.helpers.httpRequestWithAuthentication.call(
				sender,
				CREDENTIAL_TYPE,
				options,
			)) as typeof response;
		} catch (error) {
			if (request.abortSignal?.aborted) throw aborted(lastFailure);
			const code = networkErrorCode(error);
			const retryable = retry === 'read' || (retry === 'submit' && code === 'ECONNREFUSED');
			if (retryable && (retryUntilAborted || attempt < READ_RETRY_ATTEMPTS)) {
				lastFailure = `no answer: ${code ?? 'connection failed'}`;
				if (await pause(readRetryDelayMs(attempt))) continue;
				if (request.abortSignal) throw aborted(lastFailure);
			}
			throw connectionError(
				node,
				baseUrl,
				request.method,
				request.path,
				code,
				request.itemIndex,
				timeout,
			);
		}

		const { statusCode } = response;
		if (statusCode >= 200 && statusCode < 300 && observer) {
			if (retry === 'submit') {
				observer.onAccepted(request);
				const jobId = (response.body as { jobid?: unknown } | undefined)?.jobid;
				if (typeof jobId === 'string') observer.onJobCreated?.(jobId);
			}
			const cancelled = request.method === 'DELETE' ? JOB_PATH.exec(request.path) : null;
			if (cancelled) observer.onCancelled(decodeURIComponent(cancelled[1]));
		}
		if ((statusCode >= 200 && statusCode < 300) || request.acceptStatuses?.includes(statusCode)) {
			return { statusCode, headers: lowerCaseHeaders(response.headers), body: response.body as T };
		}

		const apiMessage = await errorMessageOf(response.body);
		if (statusCode === 429 && retry === 'submit' && observer) {
			// The run waits for a slot the API shows free, at most the API's 10–30 s; its item's time
			// limit (the abort signal) bounds the wait.
			await observer.waitForSlot(request, attempt);
			if (request.abortSignal?.aborted) throw aborted();
			continue;
		}
		const busy =
			statusCode === 429 &&
			retry !== 'none' &&
			(retryUntilAborted || attempt < busyRetry.maxAttempts);
		const serverError =
			statusCode >= 500 &&
			statusCode !== 596 &&
			retry === 'read' &&
			(retryUntilAborted || attempt < READ_RETRY_ATTEMPTS);
		if (busy || serverError) {
			lastFailure = `useapi.net answered ${statusCode}`;
			if (await pause(busy ? busyDelayMs(busyRetry, attempt) : readRetryDelayMs(attempt))) continue;
			if (request.abortSignal) throw aborted(lastFailure);
		}
		throw apiError(
			node,
			{
				statusCode,
				method: request.method,
				path: request.path,
				apiMessage,
				channel: request.channel,
				retries: statusCode === 429 ? attempt : undefined,
			},
			request.itemIndex,
		);
	}
}
