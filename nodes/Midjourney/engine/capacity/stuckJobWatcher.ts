import type { Logger } from 'n8n-workflow';

import { deleteJob, getJob } from '../../transport/jobs';
import type { ApiCaller, SubmissionObserver } from '../../transport/session';
import { isFinal, type Job } from '../../transport/types';
import {
	listedJobs,
	sameState,
	serverNowMs,
	stuckVerdict,
	type JobSighting,
	type ListedJob,
} from '../stuckJobs';

/** Issue 21: a job on the channel is read at most once a minute, however long the run waits. */
export const STUCK_JOB_READ_INTERVAL_MS = 60_000;

export interface StuckJobWatcherOptions {
	/** The channels the run's items use; empty when useapi.net chooses (then every channel counts). */
	channels: Set<string>;
	/** How long a job in `progress` must be known unchanged to be cancelled (the stuck rule's threshold). */
	thresholdMs: number;
	/** The run's stop: nothing more is read or cancelled once it fires. */
	stopSignal: AbortSignal;
	/** n8n's logger: each cancellation is logged with the job's ID. */
	logger?: Pick<Logger, 'info'>;
	/** Our clock, for the two-read evidence and the read schedule; only differences of it are used. */
	now?: () => number;
}

/** What the watcher knows of one job of another client. */
interface Watched {
	/** The earliest read showing the job's current state (the two-read evidence of the stuck rule). */
	since?: JobSighting;
	/** Not read again before this (our clock). */
	nextReadAt: number;
}

/**
 * Clears a crash's leftovers while a run waits for a slot (issue 21). A worker or n8n process that
 * died while streaming leaves its jobs stuck in `progress`, holding the account's slots for 14
 * minutes (SSE guide); a run answered 429 behind them would wait that long. Once the run has been
 * answered 429, every `GET jobs` its scheduler reads is handed here; the jobs listed on the run's
 * channels are read (GET jobs/{jobid}, each at most once a minute, after that GET jobs so the stuck
 * rule can use the server's clock) and those stuck by the rule of engine/stuckJobs.ts are cancelled
 * (DELETE), which frees their slots for the waiting items.
 *
 * Never cancelled: this run's own jobs (their IDs are reported by the transport as they become
 * known), jobs `created` or `started` or waiting to start, jobs whose `updated`, progress or content
 * moves, and anything once the run stops. One watcher per run, held by its JobRun.
 */
export class StuckJobWatcher {
	/** Jobs this run submitted (or follows): never examined. */
	private readonly ownJobs = new Set<string>();

	private readonly watched = new Map<string, Watched>();

	/** Jobs that finished or were cancelled: nothing more to do with them. */
	private readonly settled = new Set<string>();

	/** Set by the run's first 429: before it, the account has room and nothing is read. */
	private busy = false;

	private examining?: Promise<void>;

	constructor(private readonly options: StuckJobWatcherOptions) {}

	private now(): number {
		return this.options.now?.() ?? Date.now();
	}

	/**
	 * The run's observer with the watcher listening in: a 429 starts the watch, and every job ID the
	 * transport reports for this run's submissions is kept out of it. Everything else goes on to
	 * `observer` (the scheduler) unchanged.
	 */
	observing(observer: SubmissionObserver): SubmissionObserver {
		return {
			onAccepted: (request) => observer.onAccepted(request),
			waitForSlot: async (request, attempt) => {
				this.busy = true;
				await observer.waitForSlot(request, attempt);
			},
			onCancelled: (jobId) => observer.onCancelled(jobId),
			onJobCreated: (jobId) => {
				this.ownJobs.add(jobId);
				observer.onJobCreated?.(jobId);
			},
		};
	}

	/**
	 * `GET jobs` as the run's scheduler just read it. Starts examining the listed jobs that are due
	 * (in the background: the scheduler's next read is not delayed), unless an examination still runs.
	 */
	onRunningJobs(api: ApiCaller, body: unknown): void {
		if (!this.busy || this.examining || this.options.stopSignal.aborted) return;
		const due = this.dueJobs(listedJobs(body));
		if (due.length === 0) return;
		this.examining = this.examine(api, due).finally(() => {
			this.examining = undefined;
		});
	}

	private dueJobs(listed: ListedJob[]): ListedJob[] {
		const { channels } = this.options;
		const now = this.now();
		return listed.filter(
			(entry) =>
				(channels.size === 0 || channels.has(entry.channel)) &&
				!this.ownJobs.has(entry.jobId) &&
				!this.settled.has(entry.jobId) &&
				(this.watched.get(entry.jobId)?.nextReadAt ?? 0) <= now,
		);
	}

	private async examine(api: ApiCaller, due: ListedJob[]): Promise<void> {
		for (const listed of due) {
			if (this.options.stopSignal.aborted) return;
			await this.examineOne(api, listed);
		}
	}

	private async examineOne(api: ApiCaller, listed: ListedJob): Promise<void> {
		const { jobId } = listed;
		let job: Job;
		try {
			// Read after the GET jobs that listed it, so its "now" is not later than this read (stuckJobs.ts).
			job = await getJob(api, jobId);
		} catch {
			this.readAgainLater(jobId, STUCK_JOB_READ_INTERVAL_MS);
			return;
		}
		const latest: JobSighting = { job, serverNowMs: serverNowMs(listed), seenAtMs: this.now() };
		const earlier = this.watched.get(jobId)?.since;
		const since = earlier && sameState(earlier.job, job) ? earlier : latest;
		const verdict = stuckVerdict(latest, this.options.thresholdMs, earlier);
		if (!verdict.stuck) {
			if (isFinal(job)) {
				this.settled.add(jobId);
				this.watched.delete(jobId);
				return;
			}
			// Read again when it could first be stuck, but never sooner than a minute from now.
			const untilStuck =
				verdict.unchangedForMs !== undefined
					? this.options.thresholdMs - verdict.unchangedForMs
					: STUCK_JOB_READ_INTERVAL_MS;
			this.watched.set(jobId, {
				since,
				nextReadAt: this.now() + Math.max(STUCK_JOB_READ_INTERVAL_MS, untilStuck),
			});
			return;
		}
		if (this.options.stopSignal.aborted || this.ownJobs.has(jobId)) return;
		try {
			await deleteJob(api, jobId);
		} catch {
			// E.g. it finished between the read and the DELETE; read again before trying once more.
			this.readAgainLater(jobId, STUCK_JOB_READ_INTERVAL_MS);
			return;
		}
		this.settled.add(jobId);
		this.watched.delete(jobId);
		this.options.logger?.info(
			`Midjourney: cancelled job ${jobId}, stuck in progress for ${Math.round(verdict.unchangedForMs / 1000)} s (${verdict.evidence}), so that this run can use its slot`,
			{ jobId, channel: listed.channel },
		);
	}

	private readAgainLater(jobId: string, afterMs: number): void {
		const entry = this.watched.get(jobId);
		this.watched.set(jobId, { since: entry?.since, nextReadAt: this.now() + afterMs });
	}
}
