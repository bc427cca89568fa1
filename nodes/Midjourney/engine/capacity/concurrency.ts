/** Running many tasks, bounded: a run's items, and the files a run downloads. */

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
