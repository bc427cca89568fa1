import { NodeOperationError, sleep, type IExecuteFunctions } from 'n8n-workflow';

import { asNodeError } from '../../transport/errors';
import { requestAborted, type ApiRequest, type SubmissionObserver } from '../../transport/request';
import { readFreeSlots, SLOT_READ_INTERVAL_MS, type JobKind } from './capacity';

/**
 * Runs `task` for indexes 0..count-1 with at most `limit` running at once, starting the next as
 * soon as one finishes. Results come back in index order whatever order the tasks finish in.
 * A task that throws stops new tasks from starting and calls `onFailure` (which stops the ones
 * already running); they are awaited, then the first error is thrown.
 */
export async function mapWithConcurrency<T>(
	count: number,
	limit: number,
	task: (index: number) => Promise<T>,
	onFailure?: (index: number, error: unknown) => void,
): Promise<T[]> {
	const results = new Array<T>(count);
	let next = 0;
	let failure: { error: unknown } | undefined;
	const worker = async () => {
		while (!failure && next < count) {
			const index = next++;
			try {
				results[index] = await task(index);
			} catch (error) {
				if (!failure) {
					failure = { error };
					onFailure?.(index, error);
				}
			}
		}
	};
	const workers = Array.from({ length: Math.max(1, Math.min(limit, count)) }, worker);
	await Promise.all(workers);
	if (failure) throw failure.error;
	return results;
}

/** At most `limit` tasks at once, first come, first served (bounds, e.g., a run's parallel downloads). */
export class Limiter {
	private free: number;

	private readonly waiting: Array<() => void> = [];

	constructor(limit: number) {
		this.free = Math.max(1, limit);
	}

	async use<T>(task: () => Promise<T>): Promise<T> {
		if (this.free > 0) this.free--;
		else await new Promise<void>((resolve) => this.waiting.push(resolve));
		try {
			return await task();
		} finally {
			const next = this.waiting.shift();
			if (next) next();
			else this.free++;
		}
	}
}

interface Waiter {
	resolve: () => void;
	reject: (error: Error) => void;
}

export interface SchedulerOptions {
	/** Where parallelism starts (the free capacity found, or a safe default). */
	start: number;
	/** The most it may grow to (the account's capacity, the user's Max Parallel Jobs, or the API's maximum). */
	ceiling: number;
	/** Whether `start` came from the API (false: a default, so growing past it is worth trying). */
	known: boolean;
	channels: Set<string>;
	kind: JobKind;
}

/**
 * The account's job slots as one run sees them, shared with every other execution through the
 * API's own state, with no coordinator of our own:
 * - at most `limit` of this run's jobs are between submission and final status;
 * - `limit` grows while submissions are accepted (up to `ceiling`) and shrinks to the jobs this
 *   run holds when the API answers 429 (another execution holds the rest);
 * - an item answered 429 waits for a slot that is really free: one of this run's own jobs ending,
 *   or `GET jobs` showing one (one read per interval for all waiting items of the run), and never
 *   resubmits faster than slots free up;
 * - when the run stops (an item failed without Continue On Fail, or the user stopped it) nothing
 *   new is submitted and the jobs still running are cancelled by their waits (see `stopSignal`).
 */
export class JobScheduler implements SubmissionObserver {
	private limit: number;

	/** Items holding a slot: submitting, waiting for a free slot after a 429, or waiting for their job. */
	private holding = 0;

	/** Items whose submission the API accepted and whose job has not ended. */
	private readonly accepted = new Set<number>();

	/** Items waiting for `holding < limit`. */
	private readonly queued: Waiter[] = [];

	/** Items answered 429, waiting for a slot the API really has free. */
	private readonly parked: Waiter[] = [];

	private growAllowed: boolean;

	private reading = false;

	private readonly controller = new AbortController();

	readonly stopSignal: AbortSignal;

	/** Jobs cancelled (DELETE answered 2xx) once the run stopped, for the error that ends it. */
	readonly cancelledJobs: string[] = [];

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly options: SchedulerOptions,
	) {
		this.limit = Math.max(1, Math.min(options.start, options.ceiling));
		this.growAllowed = !options.known;
		const cancel = ctx.getExecutionCancelSignal?.();
		this.stopSignal = cancel
			? AbortSignal.any([this.controller.signal, cancel])
			: this.controller.signal;
		this.stopSignal.addEventListener('abort', () => this.rejectWaiting(), { once: true });
	}

	/** The most slots this run may hold; the router sizes how many items run at once by it. */
	get ceiling(): number {
		return this.options.ceiling;
	}

	get stopped(): boolean {
		return this.stopSignal.aborted;
	}

	/** Stop the run: no new submission; running jobs are cancelled by their waits. */
	stop(): void {
		this.controller.abort();
	}

	/**
	 * Runs one item's submission and wait while it holds a slot. `waitsForEnd`: the item returns only
	 * once its job ended (Stream, Poll), so its return frees a slot of the account; an item that
	 * returns while its job runs on (Don't Wait, Callback) frees none.
	 */
	async use<T>(itemIndex: number, waitsForEnd: boolean, job: () => Promise<T>): Promise<T> {
		if (this.stopped) throw this.notSubmitted(itemIndex);
		if (this.holding < this.limit) this.holding++;
		else {
			try {
				await new Promise<void>((resolve, reject) => this.queued.push({ resolve, reject }));
			} catch {
				throw this.notSubmitted(itemIndex);
			}
			if (this.stopped) {
				this.holding--;
				throw this.notSubmitted(itemIndex);
			}
		}
		try {
			return await job();
		} catch (error) {
			// Stop before this slot is handed on: the next item must not be submitted into a run that ends.
			if (!this.ctx.continueOnFail()) this.stop();
			throw asNodeError(this.ctx.getNode(), error, itemIndex);
		} finally {
			this.release(itemIndex, waitsForEnd);
		}
	}

	private notSubmitted(itemIndex: number): Error {
		return new NodeOperationError(this.ctx.getNode(), 'Not submitted: the run was stopping', {
			itemIndex,
			description:
				'An earlier item failed, or the execution was stopped, before this item was sent to useapi.net.',
		});
	}

	private release(itemIndex: number, waitsForEnd: boolean): void {
		const hadJob = this.accepted.delete(itemIndex);
		this.holding--;
		// A job of this run ended, so its slot of the account is free: an item answered 429 (it
		// still counts as holding) takes it first.
		if (hadJob && waitsForEnd && this.parked.length > 0) {
			this.parked.shift()!.resolve();
			return;
		}
		this.admitQueued();
		// Shrunk below the ceiling with items waiting: watch the account for room to grow back into.
		if (this.waitingForRoom()) void this.readUntilFree();
	}

	private admitQueued(): void {
		while (this.holding < this.limit && this.queued.length > 0 && !this.stopped) {
			this.holding++;
			this.queued.shift()!.resolve();
		}
	}

	private rejectWaiting(): void {
		for (const waiter of [...this.parked.splice(0), ...this.queued.splice(0)])
			waiter.reject(requestAborted(this.ctx.getNode()));
	}

	onAccepted(request: ApiRequest): void {
		if (request.itemIndex !== undefined) this.accepted.add(request.itemIndex);
		if (this.growAllowed && this.accepted.size >= this.limit && this.limit < this.options.ceiling) {
			this.limit++;
			this.admitQueued();
		}
	}

	onCancelled(jobId: string): void {
		// Only the cancellations of a stopping run (a lost stream's stuck job is cancelled too, earlier).
		if (this.stopped) this.cancelledJobs.push(jobId);
	}

	/**
	 * A submission was answered 429: the account is full, partly with other executions' jobs. This
	 * run shrinks to the jobs it holds and the item waits for a slot that is really free.
	 */
	async waitForSlot(request: ApiRequest): Promise<void> {
		this.limit = Math.max(1, this.accepted.size);
		this.growAllowed = false;
		const itemSignal = request.abortSignal;
		if (this.stopped || itemSignal?.aborted)
			throw requestAborted(this.ctx.getNode(), request.itemIndex);
		let waiter: Waiter | undefined;
		const waiting = new Promise<void>((resolve, reject) => {
			waiter = { resolve, reject };
			this.parked.push(waiter);
		});
		// The item's own time limit ends its wait too.
		const onAbort = () => {
			const index = this.parked.indexOf(waiter!);
			if (index >= 0) this.parked.splice(index, 1);
			waiter!.reject(requestAborted(this.ctx.getNode(), request.itemIndex));
		};
		itemSignal?.addEventListener('abort', onAbort, { once: true });
		void this.readUntilFree();
		try {
			await waiting;
		} finally {
			itemSignal?.removeEventListener('abort', onAbort);
		}
	}

	/** Whether items wait that a free slot of the account would let go: answered 429, or queued below the ceiling. */
	private waitingForRoom(): boolean {
		return this.parked.length > 0 || (this.queued.length > 0 && this.limit < this.options.ceiling);
	}

	/**
	 * One `GET jobs` per interval, shared by all of this run's waiting items, while any of them could
	 * use a free slot; lets go as many as it shows free (items answered 429 first), so the run grows
	 * back into slots other executions no longer use.
	 */
	private async readUntilFree(): Promise<void> {
		if (this.reading) return;
		this.reading = true;
		try {
			while (this.waitingForRoom() && !this.stopped) {
				await sleep(SLOT_READ_INTERVAL_MS);
				if (!this.waitingForRoom() || this.stopped) break;
				const free = await readFreeSlots(this.ctx, this.options.channels, this.options.kind);
				if (!free) continue;
				let budget = free;
				while (budget > 0 && this.parked.length > 0) {
					budget--;
					this.parked.shift()!.resolve();
				}
				this.limit = Math.min(this.options.ceiling, Math.max(this.limit, this.holding + budget));
				this.growAllowed = !this.options.known;
				this.admitQueued();
			}
		} finally {
			this.reading = false;
		}
	}
}

const schedulerOfRun = new WeakMap<object, JobScheduler>();

/** The scheduler of the run `ctx` belongs to (set by the router for job-creating operations). */
export function schedulerOf(ctx: object): JobScheduler | undefined {
	return schedulerOfRun.get(ctx);
}

export function setScheduler(ctx: object, scheduler: JobScheduler): void {
	schedulerOfRun.set(ctx, scheduler);
}

/** Fires when the run stops (an item failed without Continue On Fail, or the user stopped it). */
export function runStopSignal(ctx: object): AbortSignal | undefined {
	return schedulerOfRun.get(ctx)?.stopSignal;
}
