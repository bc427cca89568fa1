/**
 * replyUrl delivery: each job's callbacks are POSTed one after another (so a receiver sees them in
 * status order), every attempt is recorded, and a failure to deliver never throws. A refused POST
 * (non-2xx, no answer, timeout) is retried only as the callbackRetries reading says (the docs are
 * silent; the least friendly reading: never); the job's later callbacks wait for those attempts.
 */
import http from 'http';
import https from 'https';

import type { Readings } from './readings';
import type { DeliveredCallback } from './types';

export class CallbackSender {
	private chains = new Map<string, Promise<void>>();
	private inflight = new Set<http.ClientRequest>();
	/** Retry delays under way, with what ends each (reset ends them early). */
	private retryTimers = new Map<NodeJS.Timeout, () => void>();
	/** Bumped by reset/close: deliveries queued before are dropped and never recorded. */
	private generation = 0;
	private closed = false;

	constructor(
		private readonly log: DeliveredCallback[],
		private readonly timeoutMs: number,
		private readonly readings: Readings,
	) {}

	send(key: string, url: string, body: unknown): void {
		if (this.closed) return;
		const generation = this.generation;
		const previous = this.chains.get(key) ?? Promise.resolve();
		const next = previous.then(() => this.deliver(url, body, generation));
		this.chains.set(key, next);
		void next.then(() => {
			if (this.chains.get(key) === next) this.chains.delete(key);
		});
	}

	/** Resolves when the callbacks queued so far under `key` (a job id) have been attempted. */
	async attempted(key: string): Promise<void> {
		await this.chains.get(key);
	}

	/** Resolves when every queued callback has been attempted (tests wait on it). */
	async idle(): Promise<void> {
		while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
	}

	/** One callback: the first attempt, then the retries the reading allows while it is refused. */
	private async deliver(url: string, body: unknown, generation: number): Promise<void> {
		const retries = Math.max(0, Math.floor(this.readings.callbackRetries));
		for (let attempt = 0; ; attempt++) {
			const status = await this.post(url, body, generation);
			const refused = status === 'error' || status < 200 || status > 299;
			if (!refused || attempt >= retries || this.closed || generation !== this.generation) return;
			await new Promise<void>((resolve) => {
				const timer = setTimeout(() => {
					this.retryTimers.delete(timer);
					resolve();
				}, this.readings.callbackRetryDelayMs);
				this.retryTimers.set(timer, resolve);
			});
		}
	}

	/** One POST; resolves with the receiver's status, or 'error'. */
	private post(url: string, body: unknown, generation: number): Promise<number | 'error'> {
		return new Promise((resolve) => {
			if (this.closed || generation !== this.generation) return resolve('error');
			let settled = false;
			const record = (status: number | 'error', error?: string) => {
				if (settled) return;
				settled = true;
				if (generation === this.generation && !this.closed) {
					const entry: DeliveredCallback = { url, status, body, time: Date.now() };
					if (error) entry.error = error;
					this.log.push(entry);
				}
				resolve(status);
			};
			let target: URL;
			try {
				target = new URL(url);
			} catch {
				return record('error', 'invalid URL');
			}
			if (target.protocol !== 'http:' && target.protocol !== 'https:')
				return record('error', `unsupported protocol ${target.protocol}`);
			const payload = Buffer.from(JSON.stringify(body));
			const request = (target.protocol === 'https:' ? https : http).request(target, {
				method: 'POST',
				agent: false,
				headers: {
					'content-type': 'application/json',
					'content-length': String(payload.length),
					'user-agent': 'useapi.net-emulator',
				},
			});
			this.inflight.add(request);
			request.setTimeout(this.timeoutMs, () =>
				request.destroy(new Error(`timeout after ${this.timeoutMs} ms`)),
			);
			let answered: number | undefined;
			request.on('response', (response) => {
				answered = response.statusCode ?? 0;
				response.resume();
				response.on('end', () => record(response.statusCode ?? 0));
				response.on('error', (error) => record('error', error.message));
			});
			request.on('error', (error) => record('error', error.message));
			request.on('close', () => {
				this.inflight.delete(request);
				if (answered !== undefined) record(answered);
				else record('error', 'connection closed');
			});
			request.end(payload);
		});
	}

	/** Drop queued deliveries and abort those in flight (reset). */
	reset(): void {
		this.generation++;
		for (const request of this.inflight) request.destroy();
		// A chain waiting on a retry delay ends now; its generation is gone, so it posts nothing more.
		for (const [timer, resolve] of this.retryTimers) {
			clearTimeout(timer);
			resolve();
		}
		this.retryTimers.clear();
		this.inflight.clear();
		this.chains.clear();
	}

	close(): void {
		this.closed = true;
		this.reset();
	}
}
