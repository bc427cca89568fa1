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
