import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { readStuckJobThreshold, readWaitMode } from './itemParameters';
import { ApiSession } from '../transport/session';
import { BlockedChannels } from './blockedChannels';
import { SlotReader } from './capacity/capacity';
import { Limiter } from './capacity/concurrency';
import { JobScheduler } from './capacity/scheduler';
import { StuckJobWatcher } from './capacity/stuckJobWatcher';
import { readMaxParallelJobs, sizeScheduler, type SchedulerSize } from './capacity/sizing';
import { MAX_PARALLEL_DOWNLOADS, type MediaRun } from './output/downloads';
import { preflightItems, type InputReader } from './preflight';

/** What the router needs to know of the operation it starts a run for. */
export interface RunOperation extends InputReader {
	/** The operation creates Midjourney jobs: its items run in parallel, sized to the account. */
	createsJobs?: boolean;
}

/**
 * One execution of the action node: everything its items share, created by the router and handed
 * to every operation call. Nothing of it is kept anywhere else, so two executions (or two items of
 * one Callback resume) never see each other's state.
 * - `api`: the transport's session: the credential's base URL, read once, and the scheduler as the
 *   observer the transport reports accepted submissions, 429s and cancelled jobs to;
 * - `scheduler`: the account's job slots as this run sees them (job-creating operations only);
 * - `stuckJobs`: once the run is answered 429, cancels other clients' jobs stuck on its channels
 *   (a crashed worker's cut streams), unless the user turned it off;
 * - `blockedChannels`: channels that answered 596, so later items are not submitted into them;
 * - `downloads`: at most MAX_PARALLEL_DOWNLOADS media files downloading at once;
 * - `stopSignal`: fires when the run stops (an item failed without Continue On Fail, or the user
 *   stopped the execution); every wait listens to it and cancels its job.
 */
export class JobRun implements MediaRun {
	readonly api: ApiSession;

	readonly scheduler?: JobScheduler;

	readonly stuckJobs?: StuckJobWatcher;

	readonly blockedChannels = new BlockedChannels();

	readonly downloads = new Limiter(MAX_PARALLEL_DOWNLOADS);

	readonly stopSignal: AbortSignal;

	private readonly stopper = new AbortController();

	/** The output of each item whose inputs failed the preflight and that fails alone (see preflight). */
	inputFailures: Array<INodeExecutionData[] | undefined> = [];

	/** `size`: the scheduler's, for a job-creating run (see JobRun.start); none runs items one by one. */
	constructor(
		readonly ctx: IExecuteFunctions,
		size?: SchedulerSize,
	) {
		const cancel = ctx.getExecutionCancelSignal?.();
		this.stopSignal = this.stopper.signal;
		if (cancel) forwardAbort(cancel, this.stopper);
		if (size) {
			const thresholdMs = readStuckJobThreshold(ctx);
			if (thresholdMs > 0) {
				this.stuckJobs = new StuckJobWatcher({
					channels: size.channels,
					thresholdMs,
					stopSignal: this.stopSignal,
					logger: ctx.logger,
				});
			}
			// Made at the first read: the session it reads with reports to the scheduler made here.
			let slots: SlotReader | undefined;
			this.scheduler = new JobScheduler({
				...size,
				readFreeSlots: async () =>
					await (slots ??= new SlotReader(this.api, size.channels, size.kind, (running) =>
						this.stuckJobs?.onRunningJobs(this.api, running),
					)).read(),
				stopSignal: this.stopSignal,
				stop: () => this.stop(),
				continueOnFail: ctx.continueOnFail(),
				node: ctx.getNode(),
			});
		}
		const observer = this.scheduler && this.stuckJobs?.observing(this.scheduler);
		this.api = new ApiSession(ctx, observer ?? this.scheduler);
	}

	/**
	 * The run of one execution of `operation`: checked before anything is sent (see preflight), and
	 * for a job-creating operation sized to the account's free capacity.
	 */
	static async start(ctx: IExecuteFunctions, operation: RunOperation): Promise<JobRun> {
		const count = ctx.getInputData().length;
		JobRun.checkRun(ctx, operation, count);
		const inputFailures = await preflightItems(ctx, operation, count);
		const run = operation.createsJobs
			? new JobRun(ctx, await sizeScheduler(ctx, new ApiSession(ctx), count))
			: new JobRun(ctx);
		run.inputFailures = inputFailures;
		return run;
	}

	/**
	 * What is checked for the whole run before the first submission, so nothing is paid for a run
	 * that cannot go through; each item's own inputs are checked next, by preflightItems.
	 */
	static checkRun(ctx: IExecuteFunctions, operation: RunOperation, count: number): void {
		// A waiting execution is woken once, by one job: Callback mode takes one item per run.
		if (count > 1 && readWaitMode(ctx, 0) === 'callback') {
			throw new NodeOperationError(
				ctx.getNode(),
				`Wait for Result: Callback takes one item per run, got ${count}`,
				{
					description:
						'For many items choose Stream or Poll (items run in parallel), or "Don\'t Wait" with a Reply URL and the Midjourney Trigger node.',
				},
			);
		}
		if (operation.createsJobs) {
			readMaxParallelJobs(ctx);
			readStuckJobThreshold(ctx);
		}
	}

	/**
	 * How many items run at once. Jobs hold a slot only from submission to final status (see
	 * submitAndWait); twice as many items as slots run so that a finished job's downloads overlap
	 * the next job instead of delaying it. Without a scheduler, one item at a time.
	 */
	get itemsAtOnce(): number {
		return this.scheduler ? this.scheduler.ceiling * 2 : 1;
	}

	/** Stop the run: no new submission; running jobs are cancelled by their waits. */
	stop(): void {
		this.stopper.abort();
	}

	/**
	 * Runs `wait` with a signal that fires when the time limit passes, the user stops the execution
	 * (or n8n shuts down), or the run stops, whichever comes first. Built with listeners rather than
	 * AbortSignal.any: on Node 20 (n8n 1.x) a timeout signal that only AbortSignal.any refers to can
	 * be garbage-collected before it fires, and the wait then outlives its time limit. The listener on
	 * the run's stop signal goes when `wait` settles, so a batch of many items does not pile them up.
	 */
	async waitWithin<T>(timeLimitMs: number, wait: (signal: AbortSignal) => Promise<T>): Promise<T> {
		const controller = new AbortController();
		forwardAbort(AbortSignal.timeout(timeLimitMs), controller);
		const release = forwardAbort(this.stopSignal, controller);
		try {
			return await wait(controller.signal);
		} finally {
			release();
		}
	}

	/** Why waiting stopped early: the user stopped the execution, or the time limit passed. */
	stopReason(): 'stopped' | 'timeLimit' {
		return this.ctx.getExecutionCancelSignal?.()?.aborted ? 'stopped' : 'timeLimit';
	}
}

/**
 * Aborts `target` when `source` fires. The listener also keeps `source` alive until then (a
 * timeout signal with an abort listener is not garbage-collected before it fires). Returns what
 * removes the listener.
 */
function forwardAbort(source: AbortSignal, target: AbortController): () => void {
	const abort = () => target.abort();
	if (source.aborted) target.abort();
	else source.addEventListener('abort', abort, { once: true });
	return () => source.removeEventListener('abort', abort);
}
