import { NodeOperationError, sleep, type INode } from 'n8n-workflow';

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
export const READ_RETRY_ATTEMPTS = 4;
const READ_RETRY_BASE_MS = 500;
/** The longest pause between two tries of a read: short enough to notice the end of a blip soon. */
const READ_RETRY_MAX_DELAY_MS = 5_000;
const BUSY_RETRY_MAX_DELAY_MS = 30_000;

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

/** The timeout of one attempt when the caller sets none: by method, none for a streamed POST. */
export function defaultTimeoutMs(request: {
	method: string;
	encoding?: 'json' | 'stream' | 'arraybuffer';
}): number | undefined {
	if (request.method === 'DELETE') return REQUEST_TIMEOUT_MS.cancel;
	if (request.method === 'GET')
		return request.encoding === 'json' || !request.encoding
			? REQUEST_TIMEOUT_MS.read
			: REQUEST_TIMEOUT_MS.download;
	return request.encoding === 'stream' ? undefined : REQUEST_TIMEOUT_MS.submit;
}

/** GET and DELETE are reads unless the caller says otherwise; anything else is never repeated. */
export function defaultRetryPolicy(method: string): RetryPolicy {
	return method === 'GET' || method === 'DELETE' ? 'read' : 'none';
}

function jitter(ms: number): number {
	return Math.round(ms * (0.75 + Math.random() * 0.5));
}

export function readRetryDelayMs(attempt: number): number {
	return jitter(Math.min(READ_RETRY_BASE_MS * Math.pow(2, attempt), READ_RETRY_MAX_DELAY_MS));
}

export function busyDelayMs(policy: BusyRetry, attempt: number): number {
	return jitter(Math.min(policy.baseDelayMs * Math.pow(1.5, attempt), BUSY_RETRY_MAX_DELAY_MS));
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
