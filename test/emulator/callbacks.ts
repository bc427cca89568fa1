/**
 * replyUrl delivery: each job's callbacks are POSTed one after another (so a receiver sees them in
 * status order), every attempt is recorded, and a failure to deliver never throws.
 */
import http from 'http';
import https from 'https';

import type { DeliveredCallback } from './types';

export class CallbackSender {
	private chains = new Map<string, Promise<void>>();
	private inflight = new Set<http.ClientRequest>();
	/** Bumped by reset/close: deliveries queued before are dropped and never recorded. */
	private generation = 0;
	private closed = false;

	constructor(
		private readonly log: DeliveredCallback[],
		private readonly timeoutMs: number,
	) {}

	send(key: string, url: string, body: unknown): void {
		if (this.closed) return;
		const generation = this.generation;
		const previous = this.chains.get(key) ?? Promise.resolve();
		const next = previous.then(() => this.post(url, body, generation));
		this.chains.set(key, next);
		void next.then(() => {
			if (this.chains.get(key) === next) this.chains.delete(key);
		});
	}

	/** Resolves when every queued callback has been attempted (tests wait on it). */
	async idle(): Promise<void> {
		while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
	}

	private post(url: string, body: unknown, generation: number): Promise<void> {
		return new Promise((resolve) => {
			if (this.closed || generation !== this.generation) return resolve();
			let settled = false;
			const record = (status: number | 'error', error?: string) => {
				if (settled) return;
				settled = true;
				if (generation === this.generation && !this.closed) {
					const entry: DeliveredCallback = { url, status, body, time: Date.now() };
					if (error) entry.error = error;
					this.log.push(entry);
				}
				resolve();
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
		this.inflight.clear();
		this.chains.clear();
	}

	close(): void {
		this.closed = true;
		this.reset();
	}
}
