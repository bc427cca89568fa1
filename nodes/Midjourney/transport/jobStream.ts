import { postJob, type SubmitRequest } from './jobs';
import { networkErrorCode } from './responses';
import { sessionOf, type ApiCaller } from './session';
import { createSseDecoder } from './sse';
import { isFinal, type InitializedEvent, type Job, type JobEvent, type StreamEvent } from './types';

export type StreamOutcome =
	| { kind: 'final'; job: Job }
	/** An execute-once button answered its existing child job (JSON, not a stream) and it is still running. */
	| { kind: 'existing'; job: Job }
	/**
	 * The stream ended before a final status while the job id is known: dropped, ended by an error
	 * event, or its connection found dead. useapi.net leaves such a job stuck (SSE guide).
	 */
	| { kind: 'interrupted'; jobId: string; reason: string; lastJob?: Job }
	/** The abort signal fired (time limit, or the user stopped the execution). */
	| { kind: 'aborted'; jobId?: string }
	/** The stream ended before the job id was known: the job may exist, so it must not be submitted again. */
	| { kind: 'lost'; reason: string };

type ResponseStream = NodeJS.ReadableStream & {
	/** The response's TCP socket (Node's IncomingMessage); typed here because node code may not import 'net'. */
	socket?: { setKeepAlive?: (enable: boolean, initialDelayMs: number) => unknown };
	destroy?: (error?: Error) => void;
};

/**
 * How long a stream may be silent before TCP starts probing the peer. Silence itself is healthy
 * (the API sends no keep-alives; a relax or video job can be quiet for minutes): only a peer that
 * does not answer the kernel's probes ends the stream, the way TCP finds a dead connection.
 */
const DEAD_PEER_PROBE_AFTER_MS = 30_000;

function interruptionReason(errorEvent: string | undefined, readError: unknown): string {
	if (errorEvent) return `useapi.net ended the stream with an error event (${errorEvent})`;
	const code = readError === undefined ? undefined : (networkErrorCode(readError) ?? 'read error');
	if (code === 'ETIMEDOUT') return 'the connection was found dead (TCP keep-alive got no answer)';
	if (code) return `the connection dropped (${code})`;
	return 'the stream ended before a final status';
}

/**
 * The chunks of `stream` until it ends or `signal` fires, whichever comes first. The body n8n 2.x
 * hands over is a wrapper whose `destroy()` does not end a read that waits for data, so a quiet
 * stream would outlive the time limit if the loop only waited for the stream.
 */
async function* untilAborted(
	stream: ResponseStream,
	signal: AbortSignal | undefined,
): AsyncGenerator<unknown> {
	const chunks = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
	if (!signal) {
		yield* { [Symbol.asyncIterator]: () => chunks };
		return;
	}
	let onAbort = () => {};
	const aborted = new Promise<'aborted'>((resolve) => {
		onAbort = () => resolve('aborted');
		if (signal.aborted) onAbort();
		else signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		for (;;) {
			const next = chunks.next();
			// A read still pending when the signal fires ends with the destroyed stream: nobody waits for it.
			next.catch(() => undefined);
			const result = await Promise.race([next, aborted]);
			if (result === 'aborted' || result.done) return;
			yield result.value;
		}
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
}

/**
 * Submits a job with `stream: true` and follows its SSE events until a final status, however long
 * the stream stays quiet. A payload that is not a valid event is skipped (the job is still good).
 * `onEvent` sees every event (progress reporting).
 */
export async function streamJob(
	api: ApiCaller,
	request: SubmitRequest & { onEvent?: (event: StreamEvent) => void },
): Promise<StreamOutcome> {
	const response = await postJob<ResponseStream>(api, request, true);
	const stream = response.body;

	// The job's ID is reported to the run as soon as it is known (its stuck-job watcher skips it).
	const observer = sessionOf(api).observer;
	const isJson = (response.headers['content-type'] ?? '').includes('application/json');
	if (isJson) {
		// Execute-once buttons answer the existing child job as JSON even when a stream was asked for.
		const chunks: Buffer[] = [];
		for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
		const job = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Job;
		if (typeof job.jobid === 'string') observer?.onJobCreated?.(job.jobid);
		return isFinal(job) ? { kind: 'final', job } : { kind: 'existing', job };
	}

	// Written by the event callback, so kept in one object (TypeScript does not track closure writes).
	const seen: { jobId?: string; lastJob?: Job; errorEvent?: string; readError?: unknown } = {};
	const finalJob = () => (seen.lastJob && isFinal(seen.lastJob) ? seen.lastJob : undefined);

	const decoder = createSseDecoder({
		onEvent(event) {
			request.onEvent?.(event);
			const job = (event as JobEvent).job;
			const known = seen.jobId;
			if (event.event === 'initialized') seen.jobId = (event as InitializedEvent).jobId;
			else if (event.event === 'error') {
				const { error, message } = event as { error?: unknown; message?: unknown };
				seen.errorEvent = String(error ?? message ?? 'error event');
			} else if (job && typeof job === 'object') {
				seen.lastJob = job;
				seen.jobId = job.jobid ?? seen.jobId;
			}
			if (seen.jobId && seen.jobId !== known) observer?.onJobCreated?.(seen.jobId);
		},
	});

	stream.socket?.setKeepAlive?.(true, DEAD_PEER_PROBE_AFTER_MS);

	try {
		for await (const chunk of untilAborted(stream, request.abortSignal)) {
			decoder.push(chunk as Buffer);
			if (finalJob() || seen.errorEvent) break;
		}
		if (!finalJob() && !seen.errorEvent && !request.abortSignal?.aborted) decoder.end();
	} catch (readError) {
		// A read error is the connection ending early: handled below like any other early end.
		seen.readError = readError ?? 'read error';
	} finally {
		stream.destroy?.();
	}

	const job = finalJob();
	if (job) return { kind: 'final', job };
	if (request.abortSignal?.aborted) return { kind: 'aborted', jobId: seen.jobId };
	const reason = interruptionReason(seen.errorEvent, seen.readError);
	if (!seen.jobId) return { kind: 'lost', reason };
	return { kind: 'interrupted', jobId: seen.jobId, reason, lastJob: seen.lastJob };
}
