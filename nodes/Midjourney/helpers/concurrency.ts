/**
 * Runs `task` for indexes 0..count-1 with at most `limit` running at once, starting the next as
 * soon as one finishes. Results come back in index order whatever order the tasks finish in.
 * A task that throws stops new tasks from starting; the ones already running are awaited, then the
 * first error is thrown.
 */
export async function mapWithConcurrency<T>(
	count: number,
	limit: number,
	task: (index: number) => Promise<T>,
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
				failure ??= { error };
			}
		}
	};
	const workers = Array.from({ length: Math.max(1, Math.min(limit, count)) }, worker);
	await Promise.all(workers);
	if (failure) throw failure.error;
	return results;
}

/**
 * The account's job slots during one run: at most `limit` jobs between submission and final status,
 * handed out first come, first served. Items may run beyond the limit (downloading the media of a
 * finished job, checking input) without keeping a slot from the next job.
 */
export class JobSlots {
	private free: number;

	private readonly waiting: Array<() => void> = [];

	constructor(limit: number) {
		this.free = Math.max(1, limit);
	}

	async use<T>(job: () => Promise<T>): Promise<T> {
		if (this.free > 0) this.free--;
		else await new Promise<void>((resolve) => this.waiting.push(resolve));
		try {
			return await job();
		} finally {
			const next = this.waiting.shift();
			if (next) next();
			else this.free++;
		}
	}
}

const slotsOfRun = new WeakMap<object, JobSlots>();

/** The slots of the run `ctx` belongs to (set by the router for job-creating operations). */
export function jobSlotsOf(ctx: object): JobSlots | undefined {
	return slotsOfRun.get(ctx);
}

export function setJobSlots(ctx: object, slots: JobSlots): void {
	slotsOfRun.set(ctx, slots);
}
