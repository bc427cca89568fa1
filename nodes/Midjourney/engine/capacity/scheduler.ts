import { NodeOperationError, sleep, type INode } from 'n8n-workflow';

import { asNodeError } from '../../transport/errors';
import type { ApiRequest } from '../../transport/request';
import {
	busyDelayMs,
	DEFAULT_BUSY_RETRY,
	requestAborted,
	sleepUnlessAborted,
} from '../../transport/retryPolicy';
import type { SubmissionObserver } from '../../transport/session';
import { SLOT_READ_INTERVAL_MS, type FreeSlots } from './capacity';
import { ParkedItems } from './parkedItems';

interface Waiter {
	resolve: () => void;
	reject: (error: Error) => void;
}

/** What the item's time limit or the run's stop ended a wait for a slot with (`context.lastFailure`). */
const SLOT_WAIT_FAILURE = 'useapi.net answered 429: every slot of the channel was busy';

/** Whether `error` ended an item's wait for a slot after a 429 (no job was created). */
export function isSlotWaitFailure(error: unknown): boolean {
	return error instanceof NodeOperationError && error.context.lastFailure === SLOT_WAIT_FAILURE;
}

export interface SchedulerOptions {
	/** Where parallelism starts (the free capacity found, or a safe default). */
	start: number;
	/** The most it may grow to (the account's capacity, the user's Max Parallel Jobs, or the API's maximum). */
	ceiling: number;
	/** Whether `start` came from the API (false: a default, so growing past it is worth trying). */
	known: boolean;
	/**
	 * The slots free now for this run's channels and kind, per channel (see SlotReader); undefined
	 * when the read fails.
	 */
	readFreeSlots: () => Promise<FreeSlots | undefined>;
	/** The run's stop: fires when the run stops (see JobRun.stopSignal); `stop()` stops it. */
	stopSignal: AbortSignal;
	stop: () => void;
	/** The node's Continue On Fail: without it an item's failure stops the run. */
	continueOnFail: boolean;
	node: INode;
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
 *   new is submitted and the jobs still running are cancelled by their waits (the run's stop signal).
 * It knows n8n and the API only through its options, so it is tested without either.
 */
export class JobScheduler implements SubmissionObserver {
	private limit: number;

	/** Items holding a slot: submitting, waiting for a free slot after a 429, or waiting for their job. */
	private holding = 0;

	/** Items whose submission the API accepted and whose job has not ended, with the channel it was sent to. */
	private readonly accepted = new Map<number, string | undefined>();

	/** Items waiting for `holding < limit`. */
	private readonly queued: Waiter[] = [];

	/** Items answered 429, waiting for a slot the API really has free. */
	private readonly parked = new ParkedItems();

	private growAllowed: boolean;

	private reading = false;

	/** Jobs cancelled (DELETE answered 2xx) once the run stopped, for the error that ends it. */
	readonly cancelledJobs: string[] = [];

	constructor(private readonly options: SchedulerOptions) {
		this.limit = Math.max(1, Math.min(options.start, options.ceiling));
		this.growAllowed = !options.known;
		if (options.stopSignal.aborted) this.rejectWaiting();
		else options.stopSignal.addEventListener('abort', () => this.rejectWaiting(), { once: true });
	}

	/** The most slots this run may hold; the router sizes how many items run at once by it. */
	get ceiling(): number {
		return this.options.ceiling;
	}

	/** The slots this run may hold now (grows while submissions are accepted, shrinks on 429). */
	get currentLimit(): number {
		return this.limit;
	}

	get stopped(): boolean {
		return this.options.stopSignal.aborted;
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
			if (!this.options.continueOnFail) this.options.stop();
			throw asNodeError(this.options.node, error, itemIndex);
		} finally {
			this.release(itemIndex, waitsForEnd);
		}
	}

	private notSubmitted(itemIndex: number): Error {
		return new NodeOperationError(this.options.node, 'Not submitted: the run was stopping', {
			itemIndex,
			description:
				'An earlier item failed, or the execution was stopped, before this item was sent to useapi.net.',
		});
	}

	private release(itemIndex: number, waitsForEnd: boolean): void {
		const hadJob = this.accepted.has(itemIndex);
		const channel = this.accepted.get(itemIndex);
		this.accepted.delete(itemIndex);
		this.holding--;
		// A job of this run ended, so its slot of the account is free: an item answered 429 (it
		// still counts as holding) takes it first, if it may run on that channel.
		if (hadJob && waitsForEnd && this.parked.takeSlotOf(channel)) return;
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
		const stopped = () => requestAborted(this.options.node);
		this.parked.rejectAll(stopped);
		for (const waiter of this.queued.splice(0)) waiter.reject(stopped());
	}

	onAccepted(request: ApiRequest): void {
		if (request.itemIndex !== undefined) this.accepted.set(request.itemIndex, request.channel);
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
	 * A submission was answered 429 (the `attempt`-th time for this item): the account is full,
	 * partly with other executions' jobs. This run shrinks to the jobs it holds and the item waits for
	 * a slot that is really free on its channel (`request.channel`: the one it names, or its parent
	 * job's for a button press or seed), or for the API's own retry delay, whichever comes first.
	 * Rejects with requestAborted() when the item's time limit passes or the run stops.
	 */
	async waitForSlot(request: ApiRequest, attempt = 0): Promise<void> {
		this.limit = Math.max(1, this.accepted.size);
		this.growAllowed = false;
		const itemSignal = request.abortSignal;
		const aborted = () => requestAborted(this.options.node, request.itemIndex, SLOT_WAIT_FAILURE);
		if (this.stopped || itemSignal?.aborted) throw aborted();
		const { done: waiting, leave } = this.parked.park(request.channel);
		// The item's own time limit ends its wait too.
		const onAbort = () => leave(aborted());
		itemSignal?.addEventListener('abort', onAbort, { once: true });
		// The API's advice for a 429 ("wait 10-30 seconds and retry") bounds the wait for a slot we
		// can see: an account that frees slots without showing it is asked again.
		const busyRetry = request.busyRetry ?? DEFAULT_BUSY_RETRY;
		const retryDelay = Math.max(busyRetry.baseDelayMs, busyDelayMs(busyRetry, attempt));
		const retryAfter = new AbortController();
		void sleepUnlessAborted(retryDelay, retryAfter.signal).then(() => leave());
		void this.readUntilFree();
		try {
			await waiting;
		} catch {
			// The time limit or the run's stop (rejectWaiting): the item failed waiting for a slot.
			throw aborted();
		} finally {
			retryAfter.abort();
			itemSignal?.removeEventListener('abort', onAbort);
		}
	}

	/** Whether items wait that a free slot of the account would let go: answered 429, or queued below the ceiling. */
	private waitingForRoom(): boolean {
		return this.parked.size > 0 || (this.queued.length > 0 && this.limit < this.options.ceiling);
	}

	/**
	 * One read of the account's free slots per interval, shared by all of this run's waiting items,
	 * while any of them could use a free slot; lets go as many as it shows free (items answered 429
	 * first), so the run grows back into slots other executions no longer use.
	 */
	private async readUntilFree(): Promise<void> {
		if (this.reading) return;
		this.reading = true;
		try {
			while (this.waitingForRoom() && !this.stopped) {
				await sleep(SLOT_READ_INTERVAL_MS);
				if (!this.waitingForRoom() || this.stopped) break;
				const free = await this.options.readFreeSlots();
				if (!free) continue;
				// Items answered 429 first, in the order they were answered.
				const budget = this.parked.release(free);
				if (budget === 0) continue;
				this.limit = Math.min(this.options.ceiling, Math.max(this.limit, this.holding + budget));
				this.growAllowed = !this.options.known;
				this.admitQueued();
			}
		} finally {
			this.reading = false;
		}
	}
}
