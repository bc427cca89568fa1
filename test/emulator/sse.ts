/**
 * One `stream: true` answer: `text/event-stream` with `data: {json}\n\n` events as the SSE guide
 * shows (initialized with jobId/message/seq 0/ts, then midjourney_<status> with the full job), and
 * the stream faults asked for by prompt markers. The docs never mention keep-alive comments: they
 * are sent only when `keepAliveMs` asks for them.
 *
 * The SSE guide: a connection that ends before `completed`, `failed` or `moderated`, whatever ends
 * it, leaves the job stuck in `progress` for 14 minutes. So every cut here (the client's, and the
 * emulator's own --emu-drop / --emu-error-event / --emu-close, and the silent-stream reading's
 * 'end') abandons the job to the engine.
 */
import type { ServerResponse } from 'http';

import { clockTime } from './http-util';
import { hasStreamMarker, isFinal, type JobEngine, type JobRecord } from './jobs';
import type { Readings } from './readings';

export class SseStream {
	private seq = 0;
	private keepAlive?: NodeJS.Timeout;
	/** Reading silentStreamMs: armed on every write. */
	private silence?: NodeJS.Timeout;
	private unsubscribe?: () => void;
	/** The response is finished (ended or destroyed). */
	private done = false;
	/** --emu-stall: the connection stays open but nothing more is written, ever. */
	private stalled = false;
	private faultApplied = false;
	private malformedSent = false;
	private createdSent = false;

	constructor(
		private readonly res: ServerResponse,
		private readonly job: JobRecord,
		private readonly engine: JobEngine,
		/** keepAliveMs 0 = no keep-alive comments (the default: the docs describe none). */
		private readonly options: { keepAliveMs: number; readings: Readings },
		private readonly onFinished: (stream: SseStream) => void,
	) {}

	start(): void {
		const { res, job } = this;
		res.writeHead(200, {
			'content-type': 'text/event-stream; charset=utf-8',
			'cache-control': 'no-cache',
			connection: 'keep-alive',
			'x-accel-buffering': 'no',
		});
		res.on('close', () => this.closedByPeer());
		this.write({
			event: 'initialized',
			message: 'Stream initialized',
			jobId: job.jobid,
			seq: this.seq++,
			ts: clockTime(Date.now()),
		});
		if (job.markers.dropAfterInitialized) {
			// The job id is all the client got: the connection dies before any job event.
			this.cut();
			this.res.write('', () => this.res.destroy());
			return;
		}
		this.unsubscribe = this.engine.subscribe(job, () => this.onJobChange());
		if (this.options.keepAliveMs > 0) {
			this.keepAlive = setInterval(() => {
				if (!this.done && !this.stalled) this.res.write(': keep-alive\n\n');
				this.armSilence();
			}, this.options.keepAliveMs);
			this.keepAlive.unref?.();
		}
		// Send the job's current state if it is already past its creation.
		this.onJobChange();
	}

	private write(event: Record<string, unknown>): void {
		this.res.write(`data: ${JSON.stringify(event)}\n\n`);
		this.armSilence();
	}

	/**
	 * Reading silentStreamMs / silentStreamFate: once the stream has written nothing for that long,
	 * the server ends it without a final event (the job is stuck, as after any cut), or the connection
	 * goes half-open (nothing more is written; the job runs on). Streams with a stream marker follow
	 * their marker instead.
	 */
	private armSilence(): void {
		if (this.silence) clearTimeout(this.silence);
		this.silence = undefined;
		const { silentStreamMs, silentStreamFate } = this.options.readings;
		if (silentStreamMs <= 0 || this.done || this.stalled || hasStreamMarker(this.job.markers))
			return;
		this.silence = setTimeout(() => {
			this.silence = undefined;
			if (this.done || this.stalled || isFinal(this.job.status)) return;
			if (silentStreamFate === 'stall') {
				this.stalled = true;
				this.stopTimers();
				return;
			}
			this.serverEnd();
		}, silentStreamMs);
		this.silence.unref?.();
	}

	private event(): Record<string, unknown> {
		const { job } = this;
		return {
			event: `midjourney_${job.status}`,
			job: this.engine.renderV3(job),
			seq: this.seq++,
			ts: clockTime(Date.now()),
		};
	}

	private onJobChange(): void {
		if (this.done || this.stalled) return;
		const { job } = this;
		const { markers } = job;
		if (isFinal(job.status)) {
			this.write(this.event());
			this.finish();
			this.res.end();
			return;
		}
		if (job.status === 'created') {
			// `midjourney_created` comes once the job is announced (it carries `updated`, as transcribed);
			// the seed page's stream has no created event at all.
			if (job.updated === undefined || job.kind === 'seed' || this.createdSent) return;
			this.createdSent = true;
		} else if (markers.quiet) {
			// --emu-quiet: a healthy but silent stream; nothing between `created` and the final event.
			return;
		}
		this.write(this.event());
		// Stream faults fire at the first event after `created`.
		if (!this.faultApplied && job.status !== 'created') {
			if (markers.drop) {
				this.faultApplied = true;
				this.cut();
				// Flush that event, then destroy the connection without the closing chunk.
				this.res.write('', () => this.res.destroy());
				return;
			}
			if (markers.stall) {
				// A dead peer as the client sees it: open, silent forever, while the job runs on server-side.
				this.faultApplied = true;
				this.stalled = true;
				this.stopTimers();
				return;
			}
			if (markers.errorEvent) {
				this.faultApplied = true;
				this.write({
					event: 'error',
					error: 'Stream error: lost connection to the job (emulated by --emu-error-event)',
					message: 'Stream error: lost connection to the job (emulated by --emu-error-event)',
					jobId: job.jobid,
					seq: this.seq++,
					ts: clockTime(Date.now()),
				});
				this.cut();
				this.res.end();
				return;
			}
			if (markers.close) {
				// The server ends the response cleanly, without a final event.
				this.faultApplied = true;
				this.serverEnd();
				return;
			}
		}
		if (markers.malformed && !this.malformedSent && job.status === 'progress') {
			this.malformedSent = true;
			// A truncated JSON object on a data line, followed by the normal events.
			this.res.write(
				`data: {"event":"midjourney_progress","job":{"jobid":"${job.jobid}","status":"progress","response":{"content":"**trunc\n\n`,
			);
		}
	}

	/**
	 * The server ends the response cleanly before a final status: the job is stuck as after any cut,
	 * or runs on (reading endedStreamStrandsJob).
	 */
	private serverEnd(): void {
		if (this.options.readings.endedStreamStrandsJob) this.cut();
		else this.finish();
		this.res.end();
	}

	/** The emulator ends the stream before a final status: the job is stuck, as for any other cut. */
	private cut(): void {
		this.finish();
		this.engine.abandon(this.job);
	}

	private stopTimers(): void {
		if (this.keepAlive) clearInterval(this.keepAlive);
		this.keepAlive = undefined;
		if (this.silence) clearTimeout(this.silence);
		this.silence = undefined;
	}

	private finish(): void {
		if (this.done) return;
		this.done = true;
		this.stopTimers();
		this.unsubscribe?.();
		this.onFinished(this);
	}

	private closedByPeer(): void {
		const wasOpen = !this.done;
		this.finish();
		// Closed by the client before a final status (also after a stall): stuck, per the SSE guide.
		if (wasOpen && !isFinal(this.job.status)) this.engine.abandon(this.job);
	}

	/** Emulator reset/close: drop the connection. */
	destroy(): void {
		this.finish();
		this.res.destroy();
	}
}
