/**
 * The items of a run answered 429, each waiting for a slot the API really has free: on its job's
 * channel when that is known (the one it names, or a button press's or seed's parent job's), on any
 * channel otherwise. Let go in the order they were answered 429.
 */
export class ParkedItems {
	private readonly waiting: Array<{
		channel?: string;
		resolve: () => void;
		reject: (error: Error) => void;
	}> = [];

	get size(): number {
		return this.waiting.length;
	}

	/**
	 * Parks an item; `done` resolves when it is let go and rejects with what it was ended with.
	 * `leave(error?)` takes it out itself (its retry delay passed, or its time limit: an error).
	 */
	park(channel: string | undefined): { done: Promise<void>; leave: (error?: Error) => void } {
		const waiter = { channel } as (typeof this.waiting)[number];
		const done = new Promise<void>((resolve, reject) => {
			waiter.resolve = resolve;
			waiter.reject = reject;
		});
		this.waiting.push(waiter);
		const leave = (error?: Error) => {
			const index = this.waiting.indexOf(waiter);
			if (index < 0) return;
			this.waiting.splice(index, 1);
			if (error) waiter.reject(error);
			else waiter.resolve();
		};
		return { done, leave };
	}

	/** One of the run's own jobs on `channel` ended: the first item that may run there takes its slot. */
	takeSlotOf(channel: string | undefined): boolean {
		const next = this.waiting.findIndex(
			(waiter) =>
				waiter.channel === undefined || channel === undefined || waiter.channel === channel,
		);
		if (next < 0) return false;
		this.waiting.splice(next, 1)[0].resolve();
		return true;
	}

	/**
	 * Lets go the items the free slots allow: an item bound to a channel takes a slot of that channel
	 * only, any other item a slot of any channel. Returns the slots left over.
	 */
	release(free: Record<string, number>): number {
		const left = { ...free };
		for (const waiter of [...this.waiting]) {
			const channel =
				waiter.channel !== undefined
					? waiter.channel
					: Object.keys(left).find((candidate) => left[candidate] > 0);
			if (channel === undefined || !(left[channel] > 0)) continue;
			left[channel]--;
			this.waiting.splice(this.waiting.indexOf(waiter), 1);
			waiter.resolve();
		}
		return Object.values(left).reduce((sum, slots) => sum + Math.max(0, slots), 0);
	}

	/** The run stops: every parked item fails with `error()`. */
	rejectAll(error: () => Error): void {
		for (const waiter of this.waiting.splice(0)) waiter.reject(error());
	}
}
