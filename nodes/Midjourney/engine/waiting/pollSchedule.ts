import type { Job } from '../../transport/types';

/**
 * When to read a polled job next, from what is known of it rather than a fixed interval:
 * - nothing right after submission: no job is done the moment it is created;
 * - the job's own progress predicts its end: Midjourney reports `progress_percent` with the time
 *   of the report (`updated`), so `(updated - created) × 100 / percent` estimates its run time;
 * - never sooner than `floorMs` after the last read, and never later than a quarter of the time
 *   waited so far, so a job whose progress says nothing is read at a growing pace that overshoots
 *   its end by a quarter at most (the prediction only ever brings a read forward).
 */
export function nextPollDelayMs(
	lastRead: Job | undefined,
	waitedMs: number,
	floorMs: number,
): number {
	if (!lastRead) return Math.round(floorMs * 1.25);
	const latest = Math.max(floorMs, waitedMs / 4);
	const remaining = predictedRemainingMs(lastRead, waitedMs);
	return Math.round(Math.max(floorMs, Math.min(latest, remaining ?? latest)));
}

function predictedRemainingMs(job: Job, waitedMs: number): number | undefined {
	const percent = job.response?.progress_percent;
	if (typeof percent !== 'number' || percent <= 0 || percent >= 100) return undefined;
	const created = Date.parse(job.created);
	const reported = Date.parse(job.updated ?? '');
	if (!Number.isFinite(created) || !Number.isFinite(reported) || reported <= created)
		return undefined;
	const predictedTotal = ((reported - created) * 100) / percent;
	return predictedTotal - waitedMs;
}
