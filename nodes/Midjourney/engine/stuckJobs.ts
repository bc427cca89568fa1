import type { Job } from '../transport/types';

/**
 * The stuck-job rule (issue 21): a job is stuck when it has been in `progress` with no change of
 * `updated` or `progress_percent` for a threshold. A job whose SSE stream was cut stays so for 14
 * minutes and holds a slot (SSE guide); cancelling it (DELETE) frees the slot at once. Cancelling a
 * healthy job fails somebody's run, so every doubt counts as "not stuck".
 *
 * How "no change for the threshold" is observed. One GET shows one snapshot, so the time without
 * change has to come from a clock:
 * - Never our own clock against the server's `updated`: a host clock a few minutes ahead would make
 *   every healthy job look stuck.
 * - The server's own clock: GET jobs lists each running job with `created` and `elapsed` (the page's
 *   example: created 14:15:20.123 / elapsed 00:32 and created 14:15:25.987 / elapsed 00:27, both
 *   "now" ≈ 14:15:52), so `created + elapsed` is the server's "now" when it answered, on the same
 *   clock as `updated`. Read GET jobs first and GET jobs/{jobid} after it: a change in between shows
 *   as an `updated` later than that "now", so the job is not taken for stuck. `elapsed` has whole
 *   seconds; one second is taken off in the job's favour.
 * - Two reads of the job: the same `status`, `updated`, `progress_percent` and `content` seen twice,
 *   the reads at least the threshold apart by our clock (only a difference of our clock, so its
 *   offset does not matter). This holds even where `updated` or `elapsed` is missing (the model marks
 *   `updated` optional) and whatever `updated` is bumped by.
 * The transcripts of the imagine and blend pages show `updated` moving with every progress event
 * (0 → 15 → 38 → 96 %), so one read with the server's clock is enough there; the two-read form is
 * for the readings where it is not.
 *
 * Never stuck, whatever the clocks say:
 * - `created` and `started` (a relax queue can hold a job there for minutes);
 * - a `progress` job whose content says "(Waiting to start)": the blend and button pages' transcripts
 *   show jobs waiting in Midjourney's queue as `progress` with that text and no progress_percent (the
 *   v2 pages show the same text on `started` jobs), and a relax queue can keep one there for minutes.
 *   A job cut while waiting is therefore left to useapi.net's own 14-minute timeout (or Job → Cancel);
 * - a job whose `updated`, `progress_percent` or content changed between two reads;
 * - a finished job (GET jobs lists running jobs only, but a job can finish between the two reads).
 */

/** The default: well past the quiet gaps of healthy jobs, well before useapi.net's 14 minutes. */
export const DEFAULT_STUCK_THRESHOLD_MINUTES = 3;
/**
 * A healthy blend in the blend page's transcript is quiet for 36 s between two progress events: a
 * threshold under a minute would cancel healthy jobs.
 */
export const MIN_STUCK_THRESHOLD_MINUTES = 1;
/** useapi.net fails stuck jobs itself after 14 minutes (SSE guide): a longer threshold finds nothing. */
export const MAX_STUCK_THRESHOLD_MINUTES = 14;

/** `elapsed` of GET jobs has whole seconds; the server's "now" is taken this much earlier. */
const ELAPSED_PRECISION_MS = 1000;

/** One entry of GET jobs (`channels.<id>.jobs[]`). */
export interface ListedJob {
	jobId: string;
	channel: string;
	jobType?: string;
	created?: string;
	elapsed?: string;
}

/** The running jobs of GET jobs, on one channel or on all when `channel` is empty. */
export function listedJobs(body: unknown, channel?: string): ListedJob[] {
	const channels = (body as { channels?: Record<string, { jobs?: unknown }> } | undefined)
		?.channels;
	if (!channels || typeof channels !== 'object') return [];
	const jobs: ListedJob[] = [];
	for (const [id, load] of Object.entries(channels)) {
		if (channel && id !== channel) continue;
		if (!Array.isArray(load?.jobs)) continue;
		for (const entry of load.jobs as Array<Partial<ListedJob>>) {
			if (typeof entry?.jobId !== 'string' || !entry.jobId) continue;
			jobs.push({ ...entry, jobId: entry.jobId, channel: entry.channel ?? id });
		}
	}
	return jobs;
}

/** `elapsed` as GET jobs writes it ("00:32", also "75:03" or "01:15:03") in ms; undefined when unreadable. */
export function parseElapsedMs(elapsed: unknown): number | undefined {
	if (typeof elapsed !== 'string' || !/^\d+(:\d{1,2}){1,2}$/.test(elapsed.trim())) return undefined;
	const seconds = elapsed
		.trim()
		.split(':')
		.reduce((total, part) => total * 60 + Number(part), 0);
	return seconds * 1000;
}

/**
 * The server's clock when it answered GET jobs, from one listed job (`created + elapsed`), taken a
 * second early in the job's favour; undefined when the entry lacks either.
 */
export function serverNowMs(listed: Pick<ListedJob, 'created' | 'elapsed'>): number | undefined {
	const created = typeof listed.created === 'string' ? Date.parse(listed.created) : NaN;
	const elapsed = parseElapsedMs(listed.elapsed);
	if (Number.isNaN(created) || elapsed === undefined) return undefined;
	return created + elapsed - ELAPSED_PRECISION_MS;
}

/** One read of a job (GET jobs/{jobid}). */
export interface JobSighting {
	job: Pick<Job, 'jobid' | 'status' | 'updated' | 'response'>;
	/** The server's clock at or before this read (serverNowMs of the GET jobs read just before). */
	serverNowMs?: number;
	/** Our clock when the answer came; only the difference between two sightings is used. */
	seenAtMs: number;
}

export type StuckVerdict =
	| {
			stuck: true;
			/** How long the job is known to have stayed unchanged. */
			unchangedForMs: number;
			evidence: 'server clock' | 'two reads';
	  }
	| {
			stuck: false;
			/** Why not, in words a user can act on. */
			reason: string;
			/** Known time without change, when the job is in progress and might yet prove stuck. */
			unchangedForMs?: number;
	  };

const WAITING_TO_START = /\(waiting to start\)/i;

function percentOf(job: JobSighting['job']): unknown {
	return job.response?.progress_percent;
}

function contentOf(job: JobSighting['job']): unknown {
	return job.response?.content;
}

/** What a change of the job would change: the same status, `updated`, progress and content. */
export function sameState(a: JobSighting['job'], b: JobSighting['job']): boolean {
	return (
		a.status === b.status &&
		a.updated === b.updated &&
		percentOf(a) === percentOf(b) &&
		contentOf(a) === contentOf(b)
	);
}

function minutes(ms: number): string {
	const value = Math.max(0, ms) / 60_000;
	return `${value < 10 ? value.toFixed(1) : Math.round(value)} min`;
}

/**
 * Whether a job is stuck by the rule above, from its latest read and, when there is one, an earlier
 * read of the same job. `thresholdMs` is how long it must be known unchanged.
 */
export function stuckVerdict(
	latest: JobSighting,
	thresholdMs: number,
	earlier?: JobSighting,
): StuckVerdict {
	const { job } = latest;
	if (job.status !== 'progress') {
		const reason =
			job.status === 'created' || job.status === 'started'
				? `${job.status}: not started or waiting in Midjourney's queue, never cancelled as stuck`
				: `${job.status}: no longer running`;
		return { stuck: false, reason };
	}
	const content = contentOf(job);
	if (typeof content === 'string' && WAITING_TO_START.test(content)) {
		return {
			stuck: false,
			reason: "waiting to start in Midjourney's queue, never cancelled as stuck",
		};
	}
	if (earlier && !sameState(earlier.job, job)) {
		return { stuck: false, reason: 'it changed between two reads: it is moving' };
	}

	const updatedMs = typeof job.updated === 'string' ? Date.parse(job.updated) : NaN;
	const byServerClock =
		latest.serverNowMs !== undefined && !Number.isNaN(updatedMs)
			? latest.serverNowMs - updatedMs
			: undefined;
	const byTwoReads = earlier ? latest.seenAtMs - earlier.seenAtMs : undefined;

	if (byServerClock !== undefined && byServerClock >= thresholdMs)
		return { stuck: true, unchangedForMs: byServerClock, evidence: 'server clock' };
	if (byTwoReads !== undefined && byTwoReads >= thresholdMs)
		return { stuck: true, unchangedForMs: byTwoReads, evidence: 'two reads' };

	const known = Math.max(byServerClock ?? 0, byTwoReads ?? 0);
	if (byServerClock === undefined && byTwoReads === undefined) {
		return {
			stuck: false,
			reason:
				'one read cannot tell how long it has been unchanged (no `updated` or no `elapsed` from GET jobs); read it again after the threshold',
		};
	}
	return {
		stuck: false,
		reason: `unchanged for ${minutes(known)}, less than the threshold of ${minutes(thresholdMs)}`,
		unchangedForMs: known,
	};
}
