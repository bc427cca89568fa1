import { getJob, postJob, type SubmitRequest } from './jobs';
import { networkErrorCode } from './responses';
import { sleepUnlessAborted } from './retryPolicy';
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
 * How long a stream may be silent before the job is read with GET, and the least time between two
 * such reads. The SSE guide's advice when SSE fails is to fall back to GET /jobs/{jobid}; a stream
 * can stay open and silent while its job completes (a half-open connection, a buffering proxy), so
 * a silent stream is checked once a minute. A healthy quiet stream (a relax job) costs one GET a minute.
 */
export const SILENT_STREAM_READ_MS = 60_000;

type StreamStep =
	| { kind: 'chunk'; value: unknown }
	| { kind: 'end' }
	| { kind: 'aborted' }
	/** The stream has been silent for SILENT_STREAM_READ_MS (and no read for as long): time to read the job. */
	| { kind: 'silent' };

/**
 * The steps of reading `stream`: its chunks until it ends or `signal` fires, and a `silent` step
 * whenever neither a chunk nor a read of the job happened for SILENT_STREAM_READ_MS. The body n8n
 * 2.x hands over is a wrapper whose `destroy()` does not end a read that waits for data, so a quiet
 * stream would outlive the time limit if the loop only waited for the stream. One timer (n8n's
 * `sleep`) is pending at a time, however many chunks arrive.
 */
class StreamReader {
	private readonly chunks: AsyncIterator<unknown>;

	private pendingChunk?: Promise<StreamStep>;

	private tick?: Promise<StreamStep>;

	private readonly aborted: Promise<StreamStep>;

	private onAbort = () => {};

	/** When the stream last wrote, or the job was last read. */
	private lastSign = Date.now();

	constructor(
		stream: ResponseStream,
		private readonly signal: AbortSignal | undefined,
	) {
		this.chunks = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
		this.aborted = new Promise<StreamStep>((resolve) => {
			this.onAbort = () => resolve({ kind: 'aborted' });
			if (signal?.aborted) this.onAbort();
			else signal?.addEventListener('abort', this.onAbort, { once: true });
		});
	}

	/** A read of the job happened: the next `silent` step comes a full interval later. */
	noteRead(): void {
		this.lastSign = Date.now();
	}

	/** The next step; `extra` (a read of the job in flight) takes part in the race. */
	async next(extra?: Promise<StreamStep>): Promise<StreamStep> {
		if (!this.pendingChunk) {
			const next = this.chunks.next();
			// A read still pending when the signal fires ends with the destroyed stream: nobody waits for it.
			next.catch(() => undefined);
			this.pendingChunk = next.then((result): StreamStep =>
				result.done ? { kind: 'end' } : { kind: 'chunk', value: result.value },
			);
			this.pendingChunk.catch(() => undefined);
		}
		const racers = [this.pendingChunk, this.aborted, extra ?? this.silence()];
		const step = await Promise.race(racers);
		if (step.kind === 'chunk' || step.kind === 'end') {
			this.pendingChunk = undefined;
			this.lastSign = Date.now();
		}
		return step;
	}

	/** Resolves once SILENT_STREAM_READ_MS have passed since the last sign of life. */
	private async silence(): Promise<StreamStep> {
		this.tick ??= (async (): Promise<StreamStep> => {
			for (;;) {
				const dueInMs = this.lastSign + SILENT_STREAM_READ_MS - Date.now();
				if (dueInMs <= 0) break;
				await sleepUnlessAborted(dueInMs, this.signal);
				if (this.signal?.aborted) break;
			}
			this.tick = undefined;
			return { kind: 'silent' };
		})();
		return await this.tick;
	}

	close(): void {
		this.signal?.removeEventListener('abort', this.onAbort);
	}
}

/**
 * Submits a job with `stream: true` and follows its SSE events until a final status, however long
 * the stream stays quiet. A stream silent for a minute is not trusted blindly: the job is read
 * (GET, at most once a minute) and a final job ends the wait with its result. A payload that is
 * not a valid event is skipped (the job is still good). `onEvent` sees every event (progress reporting).
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

	const reader = new StreamReader(stream, request.abortSignal);
	// A read of the job started by a silent stream; the stream is still read while it runs.
	let jobRead: Promise<StreamStep> | undefined;
	let readJob: Job | undefined;
	const startRead = (jobId: string) =>
		getJob(api, jobId, { itemIndex: request.itemIndex, abortSignal: request.abortSignal }).then(
			(job): StreamStep => {
				readJob = job;
				return { kind: 'silent' };
			},
			// A failed read says nothing about the stream: the next one comes a minute later.
			(): StreamStep => ({ kind: 'silent' }),
		);
	try {
		for (;;) {
			const step = await reader.next(jobRead);
			if (step.kind === 'aborted' || step.kind === 'end') break;
			if (step.kind === 'chunk') {
				decoder.push(step.value as Buffer);
				if (finalJob() || seen.errorEvent) break;
				continue;
			}
			// 'silent': a read finished, or the stream has been silent long enough to start one.
			if (jobRead) {
				jobRead = undefined;
				reader.noteRead();
				if (readJob && isFinal(readJob)) break;
			} else if (seen.jobId) {
				jobRead = startRead(seen.jobId);
			}
		}
		if (!finalJob() && !seen.errorEvent && !request.abortSignal?.aborted) decoder.end();
	} catch (readError) {
		// A read error is the connection ending early: handled below like any other early end.
		seen.readError = readError ?? 'read error';
	} finally {
		reader.close();
		stream.destroy?.();
	}

	const job = finalJob() ?? (readJob && isFinal(readJob) ? readJob : undefined);
	if (job) return { kind: 'final', job };
	if (request.abortSignal?.aborted) return { kind: 'aborted', jobId: seen.jobId };
	const reason = interruptionReason(seen.errorEvent, seen.readError);
	if (!seen.jobId) return { kind: 'lost', reason };
	return { kind: 'interrupted', jobId: seen.jobId, reason, lastJob: seen.lastJob };
}
