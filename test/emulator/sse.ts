/**
 * One `stream: true` answer: `text/event-stream` with `data: {json}\n\n` events as the SSE guide
 * shows (initialized with jobId/message/seq 0/ts, then midjourney_<status> with the full job),
 * `: keep-alive` comments, and the stream faults asked for by prompt markers.
 */
import type { ServerResponse } from 'http';

import { clockTime } from './http-util';
import { isFinal, type JobEngine, type JobRecord } from './jobs';

export class SseStream {
	private seq = 0;
	private keepAlive?: NodeJS.Timeout;
	private unsubscribe?: () => void;
	/** The response is finished (ended, destroyed, or stalled on purpose). */
	private done = false;
	/** --emu-stall: the connection stays open but nothing more is written. */
	private stalled = false;
	private faultApplied = false;
	private malformedSent = false;

	constructor(
		private readonly res: ServerResponse,
		private readonly job: JobRecord,
		private readonly engine: JobEngine,
		private readonly keepAliveMs: number,
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
		this.write({ event: 'initialized', message: 'Stream initialized', jobId: job.jobid, seq: this.seq++, ts: clockTime(Date.now()) });
		this.unsubscribe = this.engine.subscribe(job, () => this.onJobChange());
		this.keepAlive = setInterval(() => {
			if (!this.done && !this.stalled) res.write(': keep-alive\n\n');
		}, this.keepAliveMs);
		this.keepAlive.unref?.();
		// The job already exists (created, or started for a fast job): send its current state first.
		this.onJobChange();
	}

	private write(event: Record<string, unknown>): void {
		this.res.write(`data: ${JSON.stringify(event)}\n\n`);
	}

	private onJobChange(): void {
		if (this.done || this.stalled) return;
		const { job } = this;
		this.write({ event: `midjourney_${job.status}`, job: this.engine.renderV3(job), seq: this.seq++, ts: clockTime(Date.now()) });
		if (isFinal(job.status)) {
			this.finish();
			this.res.end();
			return;
		}
		const { markers } = job;
		// Stream faults fire at the first event after `created` (started, or progress for kinds without a start).
		if (!this.faultApplied && (job.status === 'started' || job.status === 'progress')) {
			if (markers.drop) {
				this.faultApplied = true;
				job.detached = true;
				this.finish();
				// Flush the started event, then cut the connection without the closing chunk.
				this.res.write('', () => this.res.destroy());
				return;
			}
			if (markers.stall) {
				this.faultApplied = true;
				job.detached = true;
				this.stalled = true;
				this.stopTimers();
				return;
			}
			if (markers.errorEvent) {
				this.faultApplied = true;
				job.detached = true;
				this.write({
					event: 'error',
					error: 'Stream error: lost connection to the job (emulated by --emu-error-event)',
					message: 'Stream error: lost connection to the job (emulated by --emu-error-event)',
					jobId: job.jobid,
					seq: this.seq++,
					ts: clockTime(Date.now()),
				});
				this.finish();
				this.res.end();
				return;
			}
		}
		if (markers.malformed && !this.malformedSent && job.status === 'progress') {
			this.malformedSent = true;
			// A truncated JSON object on a data line, followed by the normal events.
			this.res.write(`data: {"event":"midjourney_progress","job":{"jobid":"${job.jobid}","status":"progress","response":{"content":"**trunc\n\n`);
		}
	}

	private stopTimers(): void {
		if (this.keepAlive) clearInterval(this.keepAlive);
		this.keepAlive = undefined;
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
		// Closed by the client before a final status: the job is abandoned (stuck, per the SSE guide).
		if (wasOpen && !isFinal(this.job.status)) this.engine.abandon(this.job);
	}

	/** Emulator reset/close: drop the connection. */
	destroy(): void {
		this.finish();
		this.res.destroy();
	}
}
