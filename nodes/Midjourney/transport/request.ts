import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	INode,
	IWebhookFunctions,
} from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { baseUrlProblem, normalizedBaseUrl } from './baseUrl';
import { apiError, connectionError } from './errors';
import { MultipartBody } from './multipart';

export type ApiContext =
	IExecuteFunctions | ILoadOptionsFunctions | IWebhookFunctions | IHookFunctions;

export const CREDENTIAL_TYPE = 'useApiNetApi';
export const DEFAULT_BASE_URL = 'https://api.useapi.net';

/**
 * How a request may be repeated after a failure.
 * - `read`: idempotent (GET, DELETE): retried on 5xx, 429, connection errors and timeouts. With an
 *   `abortSignal` (the GETs of a wait) until the signal fires, i.e. until the item's time limit or
 *   the user's stop, so a blip of any length within the limit is ridden out; without one a few times.
 * - `submit`: creates a job: retried only where the answer proves nothing was created, i.e. 429
 *   (channel busy) and a refused connection. A 5xx or a reset after sending may have created the
 *   job, so it is reported instead of risking a duplicate.
 * - `none`: never repeated.
 */
export type RetryPolicy = 'read' | 'submit' | 'none';

export interface BusyRetry {
	/** First wait after a 429; later waits grow by half each time, capped at 30 s, with ±25% jitter. */
	baseDelayMs: number;
	maxAttempts: number;
}

/** useapi.net advises waiting 10–30 s after a 429. */
export const DEFAULT_BUSY_RETRY: BusyRetry = { baseDelayMs: 10_000, maxAttempts: 6 };

/** Reads without an abort signal: tried this many times more. */
const READ_RETRY_ATTEMPTS = 4;
const READ_RETRY_BASE_MS = 500;
/** The longest pause between two tries of a read: short enough to notice the end of a blip soon. */
const READ_RETRY_MAX_DELAY_MS = 5_000;

/**
 * How long one attempt may take before it counts as failed (a read is then tried again), by kind of
 * request. A stream's silence is bounded by the caller instead (stall timer, idle timer).
 */
export const REQUEST_TIMEOUT_MS = {
	/** GET of a job, the running jobs (capacity), accounts; the trigger's and the resume call's verification GET. */
	read: 15_000,
	/** DELETE: cancelling a job, often while the execution is being stopped. */
	cancel: 10_000,
	/** A job-creating or account POST answered as JSON (may carry uploaded images). */
	submit: 60_000,
	/** A media download: until its headers, and then the longest silence while its body arrives. */
	download: 60_000,
} as const;

export interface ApiRequest {
	method: IHttpRequestMethods;
	/** Path from the base URL, e.g. `/v3/midjourney/jobs/imagine`. */
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
}

export interface ApiResponse<T = unknown> {
	statusCode: number;
	headers: Record<string, string>;
	body: T;
}

/**
 * Raised when the caller's abort signal fired (time limit or the user stopping the execution), also
 * while a read was being retried: `context.lastFailure` then says what useapi.net kept answering. A
 * NodeOperationError marked `context.requestAborted`, which the wait loops recognise with
 * isRequestAborted() and turn into their own "time limit / stopped" error. The job the request was
 * about may still be running: the caller cancels it.
 */
export function requestAborted(
	node: INode,
	itemIndex?: number,
	lastFailure?: string,
): NodeOperationError {
	const error = new NodeOperationError(
		node,
		lastFailure
			? `The request to useapi.net was aborted while retrying (${lastFailure})`
			: 'The request to useapi.net was aborted (time limit or execution stopped)',
		{ itemIndex },
	);
	error.context.requestAborted = true;
	if (lastFailure) error.context.lastFailure = lastFailure;
	return error;
}

export function isRequestAborted(error: unknown): boolean {
	return error instanceof NodeOperationError && error.context.requestAborted === true;
}

/**
 * Waits `ms`, or less when `signal` fires first (time limit, the user's stop): a retry pause never
 * keeps a stopped execution alive. Uses n8n's `sleep`, no timers of its own.
 */
export async function sleepUnlessAborted(
	ms: number,
	signal: AbortSignal | undefined,
): Promise<void> {
	if (!signal) return await sleep(ms);
	if (signal.aborted) return;
	let onAbort: () => void = () => undefined;
	const aborted = new Promise<void>((resolve) => {
		onAbort = resolve;
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		await Promise.race([sleep(ms), aborted]);
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
}

/** The signal that ends a request's retries: the caller's, else the user's stop of the execution. */
function stopSignalOf(ctx: ApiContext, request: ApiRequest): AbortSignal | undefined {
	if (request.abortSignal) return request.abortSignal;
	return 'getExecutionCancelSignal' in ctx
		? (ctx as IExecuteFunctions).getExecutionCancelSignal?.()
		: undefined;
}

function defaultTimeoutMs(request: ApiRequest): number | undefined {
	if (request.method === 'DELETE') return REQUEST_TIMEOUT_MS.cancel;
	if (request.method === 'GET')
		return request.encoding === 'json' || !request.encoding
			? REQUEST_TIMEOUT_MS.read
			: REQUEST_TIMEOUT_MS.download;
	return request.encoding === 'stream' ? undefined : REQUEST_TIMEOUT_MS.submit;
}

/**
 * Told about the answers that change the account's job slots, so that a run's scheduler
 * (helpers/capacity/concurrency.ts) adapts to the API's own state: accepted submissions, submissions answered
 * 429 (it decides when to try again instead of the fixed backoff) and cancelled jobs.
 */
export interface SubmissionObserver {
	onAccepted(request: ApiRequest): void;
	/** Resolves when the submission may be sent again; rejects with requestAborted() when the run stops. */
	waitForSlot(request: ApiRequest): Promise<void>;
	onCancelled(jobId: string): void;
}

const observers = new WeakMap<object, SubmissionObserver>();

export function observeSubmissions(ctx: ApiContext, observer: SubmissionObserver): void {
	observers.set(ctx, observer);
}

const JOB_PATH = /\/jobs\/([^/]+)$/;

const baseUrlCache = new WeakMap<object, Promise<string>>();

export async function getBaseUrl(ctx: ApiContext): Promise<string> {
	let cached = baseUrlCache.get(ctx);
	if (!cached) {
		cached = ctx.getCredentials(CREDENTIAL_TYPE).then((credentials) => {
			const baseUrl = normalizedBaseUrl(credentials.baseUrl, DEFAULT_BASE_URL);
			const problem = baseUrlProblem(baseUrl);
			// The token goes wherever the Base URL points: a plain-http or password-carrying one sends nothing.
			if (problem) throw new NodeOperationError(ctx.getNode(), problem);
			return baseUrl;
		});
		baseUrlCache.set(ctx, cached);
	}
	return await cached;
}

/**
 * The same context, except that its requests are not tied to the execution's cancel signal.
 * n8n 2.x's httpRequestWithAuthentication replaces every request's abortSignal with that signal
 * when `this` has `getExecutionCancelSignal`; once the user stops the execution it is aborted, so a
 * DELETE sent to free a job's slot would be cut before it left. Only for that clean-up request.
 */
export function outlivingExecution(ctx: ApiContext): ApiContext {
	if (!('getExecutionCancelSignal' in ctx)) return ctx;
	const outliving = new Proxy(ctx, {
		has: (target, key) => key !== 'getExecutionCancelSignal' && Reflect.has(target, key),
	});
	const observer = observers.get(ctx);
	if (observer) observers.set(outliving, observer);
	return outliving;
}

/** The first network error code (ECONNRESET, ECONNREFUSED…) found along an error's cause chain. */
export function networkErrorCode(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; current && depth < 6; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string' && /^(E[A-Z_]+|ERR_[A-Z_]+|UND_ERR[A-Z_]*)$/.test(code))
			return code;
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}

function jitter(ms: number): number {
	return Math.round(ms * (0.75 + Math.random() * 0.5));
}

function readRetryDelayMs(attempt: number): number {
	return jitter(Math.min(READ_RETRY_BASE_MS * Math.pow(2, attempt), READ_RETRY_MAX_DELAY_MS));
}

export function busyDelayMs(policy: BusyRetry, attempt: number): number {
	return jitter(Math.min(policy.baseDelayMs * Math.pow(1.5, attempt), 30_000));
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream)
		chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
	return Buffer.concat(chunks);
}

/** The `error` text of a useapi.net answer, whatever form the body arrived in. */
async function errorMessageOf(body: unknown): Promise<string> {
	let value = body;
	if (value && typeof (value as NodeJS.ReadableStream).pipe === 'function') {
		value = await readAll(value as NodeJS.ReadableStream);
	}
	if (Buffer.isBuffer(value) || value instanceof ArrayBuffer)
		value = Buffer.from(value as Buffer).toString('utf8');
	if (typeof value === 'string') {
		const text = value;
		try {
			value = JSON.parse(text);
		} catch {
			return text.slice(0, 500);
		}
	}
	if (value && typeof value === 'object') {
		const { error, message } = value as { error?: unknown; message?: unknown };
		if (typeof error === 'string') return error;
		if (typeof message === 'string') return message;
		return JSON.stringify(value).slice(0, 500);
	}
	return '';
}

function lowerCaseHeaders(headers: unknown): Record<string, string> {
	const result: Record<string, string> = {};
	if (headers && typeof headers === 'object') {
		for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
			result[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
		}
	}
	return result;
}

/**
 * The one place that sends a request to useapi.net. Every status outside 2xx (and `acceptStatuses`)
 * becomes a NodeApiError whose message says what to do; connection failures become errors that
 * carry only the error code, never the request (it holds the token).
 */
export async function apiRequest<T = unknown>(
	ctx: ApiContext,
	request: ApiRequest,
): Promise<ApiResponse<T>> {
	const baseUrl = await getBaseUrl(ctx);
	const retry =
		request.retry ?? (request.method === 'GET' || request.method === 'DELETE' ? 'read' : 'none');
	const busyRetry = request.busyRetry ?? DEFAULT_BUSY_RETRY;
	const encoding = request.encoding ?? 'json';
	const stopSignal = stopSignalOf(ctx, request);
	// A read bound to the caller's signal rides out transient failures until that signal fires.
	const retryUntilAborted = retry === 'read' && request.abortSignal !== undefined;
	const timeout = request.timeoutMs ?? defaultTimeoutMs(request);

	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${baseUrl}${request.path}`,
		qs: request.qs,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		abortSignal: request.abortSignal,
		// The API does not redirect; a redirect (to another origin) would carry the token along.
		disableFollowRedirect: true,
	};
	if (timeout !== undefined) options.timeout = timeout;
	if (request.body instanceof MultipartBody) {
		options.body = request.body.toBuffer();
		options.headers = { 'content-type': request.body.contentType };
	} else if (request.body !== undefined) {
		options.body = request.body;
		options.headers = { 'content-type': 'application/json' };
	}
	if (encoding === 'json') options.json = true;
	else options.encoding = encoding;

	/** Pauses before the next try; false when the caller's signal or the user's stop ended waiting. */
	const pause = async (ms: number): Promise<boolean> => {
		await sleepUnlessAborted(ms, stopSignal);
		return !stopSignal?.aborted;
	};

	let lastFailure: string | undefined;
	for (let attempt = 0; ; attempt++) {
		if (stopSignal?.aborted && request.abortSignal)
			throw requestAborted(ctx.getNode(), request.itemIndex, lastFailure);
		let response: { statusCode: number; headers: unknown; body: unknown };
		try {
			response = (await ctx.helpers.httpRequestWithAuthentication.call(
				ctx,
				CREDENTIAL_TYPE,
				options,
			)) as typeof response;
		} catch (error) {
			if (request.abortSignal?.aborted)
				throw requestAborted(ctx.getNode(), request.itemIndex, lastFailure);
			const code = networkErrorCode(error);
			const retryable = retry === 'read' || (retry === 'submit' && code === 'ECONNREFUSED');
			if (retryable && (retryUntilAborted || attempt < READ_RETRY_ATTEMPTS)) {
				lastFailure = `no answer: ${code ?? 'connection failed'}`;
				if (await pause(readRetryDelayMs(attempt))) continue;
				if (request.abortSignal)
					throw requestAborted(ctx.getNode(), request.itemIndex, lastFailure);
			}
			throw connectionError(
				ctx.getNode(),
				baseUrl,
				request.method,
				request.path,
				code,
				request.itemIndex,
				timeout,
			);
		}

		const { statusCode } = response;
		const observer = observers.get(ctx);
		if (statusCode >= 200 && statusCode < 300 && observer) {
			if (retry === 'submit') observer.onAccepted(request);
			const cancelled = request.method === 'DELETE' ? JOB_PATH.exec(request.path) : null;
			if (cancelled) observer.onCancelled(decodeURIComponent(cancelled[1]));
		}
		if ((statusCode >= 200 && statusCode < 300) || request.acceptStatuses?.includes(statusCode)) {
			return { statusCode, headers: lowerCaseHeaders(response.headers), body: response.body as T };
		}

		const apiMessage = await errorMessageOf(response.body);
		if (statusCode === 429 && retry === 'submit' && observer) {
			// The run waits for a slot the API shows free instead of the fixed 10–30 s backoff; its
			// item's time limit (the abort signal) bounds the wait.
			await observer.waitForSlot(request);
			if (request.abortSignal?.aborted) throw requestAborted(ctx.getNode(), request.itemIndex);
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
			if (request.abortSignal) throw requestAborted(ctx.getNode(), request.itemIndex, lastFailure);
		}
		throw apiError(
			ctx.getNode(),
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
