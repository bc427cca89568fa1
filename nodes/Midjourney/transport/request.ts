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

import { apiError, connectionError } from './errors';
import { MultipartBody } from './multipart';

export type ApiContext = IExecuteFunctions | ILoadOptionsFunctions | IWebhookFunctions | IHookFunctions;

export const CREDENTIAL_TYPE = 'useApiNetApi';
export const DEFAULT_BASE_URL = 'https://api.useapi.net';

/**
 * How a request may be repeated after a failure.
 * - `read`: idempotent (GET, DELETE): retried on 5xx, 429 and connection errors.
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

const READ_RETRY_ATTEMPTS = 4;
const READ_RETRY_BASE_MS = 500;

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
}

export interface ApiResponse<T = unknown> {
	statusCode: number;
	headers: Record<string, string>;
	body: T;
}

/**
 * Raised when the caller's abort signal fired (time limit or the user stopping the execution): a
 * NodeOperationError marked `context.requestAborted`, which the wait loops recognise with
 * isRequestAborted() and turn into their own "time limit / stopped" error.
 */
export function requestAborted(node: INode, itemIndex?: number): NodeOperationError {
	const error = new NodeOperationError(node, 'The request to useapi.net was aborted (time limit or execution stopped)', {
		itemIndex,
	});
	error.context.requestAborted = true;
	return error;
}

export function isRequestAborted(error: unknown): boolean {
	return error instanceof NodeOperationError && error.context.requestAborted === true;
}

/**
 * Told about the answers that change the account's job slots, so that a run's scheduler
 * (helpers/concurrency.ts) adapts to the API's own state: accepted submissions, submissions answered
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
		cached = ctx.getCredentials(CREDENTIAL_TYPE).then((credentials) =>
			String(credentials.baseUrl || DEFAULT_BASE_URL).trim().replace(/\/+$/, ''),
		);
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
		if (typeof code === 'string' && /^(E[A-Z_]+|ERR_[A-Z_]+|UND_ERR[A-Z_]*)$/.test(code)) return code;
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}

function jitter(ms: number): number {
	return Math.round(ms * (0.75 + Math.random() * 0.5));
}

export function busyDelayMs(policy: BusyRetry, attempt: number): number {
	return jitter(Math.min(policy.baseDelayMs * Math.pow(1.5, attempt), 30_000));
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
	return Buffer.concat(chunks);
}

/** The `error` text of a useapi.net answer, whatever form the body arrived in. */
async function errorMessageOf(body: unknown): Promise<string> {
	let value = body;
	if (value && typeof (value as NodeJS.ReadableStream).pipe === 'function') {
		value = await readAll(value as NodeJS.ReadableStream);
	}
	if (Buffer.isBuffer(value) || value instanceof ArrayBuffer) value = Buffer.from(value as Buffer).toString('utf8');
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
export async function apiRequest<T = unknown>(ctx: ApiContext, request: ApiRequest): Promise<ApiResponse<T>> {
	const baseUrl = await getBaseUrl(ctx);
	const retry = request.retry ?? (request.method === 'GET' || request.method === 'DELETE' ? 'read' : 'none');
	const busyRetry = request.busyRetry ?? DEFAULT_BUSY_RETRY;
	const encoding = request.encoding ?? 'json';

	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${baseUrl}${request.path}`,
		qs: request.qs,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		abortSignal: request.abortSignal,
	};
	if (request.body instanceof MultipartBody) {
		options.body = request.body.toBuffer();
		options.headers = { 'content-type': request.body.contentType };
	} else if (request.body !== undefined) {
		options.body = request.body;
		options.headers = { 'content-type': 'application/json' };
	}
	if (encoding === 'json') options.json = true;
	else options.encoding = encoding;

	for (let attempt = 0; ; attempt++) {
		let response: { statusCode: number; headers: unknown; body: unknown };
		try {
			response = (await ctx.helpers.httpRequestWithAuthentication.call(
				ctx,
				CREDENTIAL_TYPE,
				options,
			)) as typeof response;
		} catch (error) {
			if (request.abortSignal?.aborted) throw requestAborted(ctx.getNode(), request.itemIndex);
			const code = networkErrorCode(error);
			const retryable = retry === 'read' || (retry === 'submit' && code === 'ECONNREFUSED');
			if (retryable && attempt < READ_RETRY_ATTEMPTS) {
				await sleep(jitter(READ_RETRY_BASE_MS * Math.pow(2, attempt)));
				continue;
			}
			throw connectionError(ctx.getNode(), baseUrl, request.method, request.path, code, request.itemIndex);
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
		const busy = statusCode === 429 && retry !== 'none' && attempt < busyRetry.maxAttempts;
		const serverError = statusCode >= 500 && statusCode !== 596 && retry === 'read' && attempt < READ_RETRY_ATTEMPTS;
		if (busy || serverError) {
			await sleep(busy ? busyDelayMs(busyRetry, attempt) : jitter(READ_RETRY_BASE_MS * Math.pow(2, attempt)));
			if (request.abortSignal?.aborted) throw requestAborted(ctx.getNode(), request.itemIndex);
			continue;
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
