import type { INode } from 'n8n-workflow';

import { Limiter, mapWithConcurrency } from '../../nodes/Midjourney/engine/capacity/concurrency';
import {
	JobScheduler,
	type SchedulerOptions,
} from '../../nodes/Midjourney/engine/capacity/scheduler';
import type { ApiRequest } from '../../nodes/Midjourney/transport/request';

/** The scheduler alone: no n8n, no API; its reads of `GET jobs` are answered by the test. */

const node = { name: 'Midjourney', type: 'midjourney', typeVersion: 1 } as INode;

const CHANNEL_A = '1100000000000000001';
const CHANNEL_B = '1200000000000000002';

function scheduler(overrides: Partial<SchedulerOptions> = {}) {
	const stopper = new AbortController();
	const reads: number[] = [];
	const options: SchedulerOptions = {
		start: 2,
		ceiling: 4,
		known: true,
		readFreeSlots: async () => {
			reads.push(Date.now());
			return { [CHANNEL_A]: 0 };
		},
		stopSignal: stopper.signal,
		stop: () => stopper.abort(),
		continueOnFail: false,
		node,
		...overrides,
	};
	return { scheduler: new JobScheduler(options), stopper, reads };
}

const submission = (itemIndex: number): ApiRequest => ({
	method: 'POST',
	path: '/v3/midjourney/jobs/imagine',
	itemIndex,
	retry: 'submit',
});

/** A job the test ends by hand: `use` holds its slot until `end()`. */
function deferred() {
	let end: () => void = () => undefined;
	const done = new Promise<void>((resolve) => (end = resolve));
	return { done, end };
}

const tick = async () => await new Promise((resolve) => setImmediate(resolve));

describe('JobScheduler', () => {
	it('runs at most `start` items at once when the capacity is known, and starts the next as one ends', async () => {
		const { scheduler: s } = scheduler({ start: 2, ceiling: 4, known: true });
		const jobs = [deferred(), deferred(), deferred()];
		const started: number[] = [];
		const runs = jobs.map((job, index) =>
			s.use(index, true, async () => {
				started.push(index);
				await job.done;
				return index;
			}),
		);
		await tick();
		expect(started).toEqual([0, 1]);
		jobs[0].end();
		await tick();
		expect(started).toEqual([0, 1, 2]);
		jobs[1].end();
		jobs[2].end();
		expect(await Promise.all(runs)).toEqual([0, 1, 2]);
	});

	it('grows by one while every slot it holds was accepted, up to the ceiling, when it started from a default', async () => {
		const { scheduler: s } = scheduler({ start: 1, ceiling: 2, known: false });
		const jobs = [deferred(), deferred(), deferred()];
		const started: number[] = [];
		const runs = jobs.map((job, index) =>
			s.use(index, true, async () => {
				started.push(index);
				s.onAccepted(submission(index));
				await job.done;
			}),
		);
		await tick();
		// Item 0 accepted at limit 1: the limit grows to 2 and item 1 starts; the ceiling stops it there.
		expect(started).toEqual([0, 1]);
		expect(s.currentLimit).toBe(2);
		jobs.forEach((job) => job.end());
		await Promise.all(runs);
		expect(started).toEqual([0, 1, 2]);
		expect(s.currentLimit).toBe(2);
	});

	it('does not grow past a known capacity', async () => {
		const { scheduler: s } = scheduler({ start: 1, ceiling: 3, known: true });
		const job = deferred();
		const running = s.use(0, true, async () => {
			s.onAccepted(submission(0));
			await job.done;
		});
		await tick();
		expect(s.currentLimit).toBe(1);
		job.end();
		await running;
	});

	it('stops the run when an item fails without Continue On Fail: queued items are never submitted', async () => {
		const { scheduler: s, stopper } = scheduler({ start: 1, ceiling: 1 });
		const second = jest.fn(async () => 'submitted');
		const first = s.use(0, true, async () => {
			throw new Error('useapi.net said no');
		});
		const queued = s.use(1, true, second);
		await expect(first).rejects.toThrow('useapi.net said no');
		await expect(queued).rejects.toThrow('Not submitted: the run was stopping');
		expect(second).not.toHaveBeenCalled();
		expect(stopper.signal.aborted).toBe(true);
		await expect(s.use(2, true, second)).rejects.toThrow('Not submitted');
	});

	it('keeps the run going when an item fails with Continue On Fail', async () => {
		const { scheduler: s, stopper } = scheduler({ start: 1, ceiling: 1, continueOnFail: true });
		await expect(
			s.use(0, true, async () => {
				throw new Error('one item failed');
			}),
		).rejects.toThrow('one item failed');
		expect(stopper.signal.aborted).toBe(false);
		expect(await s.use(1, true, async () => 'next item')).toBe('next item');
	});

	it('after a 429 shrinks to the jobs it holds and lets the waiting item go when one of its own jobs ends', async () => {
		const { scheduler: s } = scheduler({ start: 3, ceiling: 3 });
		const holder = deferred();
		const holding = s.use(0, true, async () => {
			s.onAccepted(submission(0));
			await holder.done;
		});
		await tick();
		let resubmitted = false;
		const busy = s.use(1, true, async () => {
			await s.waitForSlot(submission(1)); // the transport got a 429
			resubmitted = true;
		});
		await tick();
		expect(s.currentLimit).toBe(1);
		expect(resubmitted).toBe(false);
		holder.end();
		await holding;
		await busy;
		expect(resubmitted).toBe(true);
	});

	it('after a 429 reads GET jobs at most once per interval while items wait, and lets them go once it shows free slots', async () => {
		let free = 0;
		const { scheduler: s, reads } = scheduler({
			start: 2,
			ceiling: 2,
			readFreeSlots: async () => {
				reads.push(Date.now());
				return { [CHANNEL_A]: free };
			},
		});
		const released: number[] = [];
		const items = [0, 1].map((index) =>
			s.use(index, false, async () => {
				await s.waitForSlot(submission(index));
				released.push(index);
			}),
		);
		await new Promise((resolve) => setTimeout(resolve, 1_200));
		// Item 0 answered 429 shrank the run to the jobs it holds (none: 1), so item 1 queues behind
		// it; one read so far, and nothing was free.
		expect(reads).toHaveLength(1);
		expect(released).toEqual([]);
		free = 2;
		await Promise.all(items);
		expect(released).toEqual([0, 1]);
		const gaps = reads.slice(1).map((at, index) => at - reads[index]);
		expect(gaps.every((gap) => gap >= 950)).toBe(true);
	});

	it("ends an item's wait for a slot when its own time limit fires", async () => {
		const { scheduler: s } = scheduler({ start: 1, ceiling: 1 });
		const timeLimit = new AbortController();
		const waiting = s.use(0, true, async () => {
			await s.waitForSlot({ ...submission(0), abortSignal: timeLimit.signal });
		});
		await tick();
		timeLimit.abort();
		await expect(waiting).rejects.toThrow(/aborted/);
	});

	it("ends an item's wait for a slot when the run stops (the user's Stop, n8n's cancel signal)", async () => {
		const { scheduler: s, stopper } = scheduler({ start: 1, ceiling: 1 });
		const waiting = s.use(0, true, async () => {
			await s.waitForSlot(submission(0));
		});
		await tick();
		const stoppedAt = Date.now();
		stopper.abort();
		await expect(waiting).rejects.toThrow(/aborted/);
		expect(Date.now() - stoppedAt).toBeLessThan(100);
	});

	it("after a 429 that nothing frees, the item is let go to submit again after the API pages' delay, not before", async () => {
		// Neither source ever shows a slot: no job of the run ends, and every read shows 0.
		const { scheduler: s, reads } = scheduler({ start: 1, ceiling: 1 });
		const startedAt = Date.now();
		let resubmittedAfter = -1;
		await s.use(0, true, async () => {
			await s.waitForSlot({ ...submission(0), busyRetry: { baseDelayMs: 1_500, maxAttempts: 6 } });
			resubmittedAfter = Date.now() - startedAt;
		});
		// busyDelayMs of the first attempt, never less than the base delay: 1.5–1.875 s.
		expect(resubmittedAfter).toBeGreaterThanOrEqual(1_450);
		expect(resubmittedAfter).toBeLessThan(2_500);
		expect(reads.length).toBeGreaterThanOrEqual(1);
	});

	it('with the default delay, a 429 that nothing frees waits 10–30 s before the item submits again', async () => {
		jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
		try {
			const { scheduler: s } = scheduler({ start: 1, ceiling: 1 });
			let resubmitted = false;
			const waiting = s.use(0, true, async () => {
				await s.waitForSlot(submission(0));
				resubmitted = true;
			});
			await jest.advanceTimersByTimeAsync(9_900);
			expect(resubmitted).toBe(false);
			await jest.advanceTimersByTimeAsync(20_200);
			expect(resubmitted).toBe(true);
			await waiting;
		} finally {
			jest.useRealTimers();
		}
	});

	it('a channel read as free lets go only the items waiting for that channel (or for any channel)', async () => {
		const { scheduler: s, stopper } = scheduler({
			start: 3,
			ceiling: 3,
			readFreeSlots: async () => ({ [CHANNEL_A]: 0, [CHANNEL_B]: 1 }),
		});
		const released: string[] = [];
		const slow = { baseDelayMs: 60_000, maxAttempts: 6 };
		const waitOn = (index: number, channel?: string) =>
			s.use(index, false, async () => {
				await s.waitForSlot({ ...submission(index), channel, busyRetry: slow });
				released.push(channel ?? 'any');
			});
		// A button press on channel A's parent job waits for channel A; item 1 for B.
		const onA = waitOn(0, CHANNEL_A);
		const onB = waitOn(1, CHANNEL_B);
		// Item 0's 429 shrank the run to 1, so item 1 starts after the first read (it showed a slot)
		// and is answered 429 too; the second read lets it go, never item 0.
		await new Promise((resolve) => setTimeout(resolve, 3_300));
		expect(released).toEqual([CHANNEL_B]);
		await onB;
		stopper.abort();
		await expect(onA).rejects.toThrow(/aborted/);
	});

	it("one of the run's own jobs ending on a channel lets go only an item that may run there", async () => {
		const { scheduler: s, stopper } = scheduler({ start: 3, ceiling: 3 });
		const slow = { baseDelayMs: 60_000, maxAttempts: 6 };
		const holder = deferred();
		const holding = s.use(0, true, async () => {
			s.onAccepted({ ...submission(0), channel: CHANNEL_A });
			await holder.done;
		});
		await tick();
		const released: number[] = [];
		const onB = s.use(1, true, async () => {
			await s.waitForSlot({ ...submission(1), channel: CHANNEL_B, busyRetry: slow });
			released.push(1);
		});
		await tick();
		holder.end();
		await holding;
		await tick();
		// Channel A's slot is free, but item 1 waits for channel B (a press on a parent job there).
		expect(released).toEqual([]);
		stopper.abort();
		await expect(onB).rejects.toThrow(/aborted/);
	});

	it('an item that names no channel takes a free slot of any channel', async () => {
		const { scheduler: s } = scheduler({
			start: 1,
			ceiling: 1,
			readFreeSlots: async () => ({ [CHANNEL_A]: 0, [CHANNEL_B]: 2 }),
		});
		const slow = { baseDelayMs: 60_000, maxAttempts: 6 };
		const startedAt = Date.now();
		await s.use(0, true, async () => {
			await s.waitForSlot({ ...submission(0), busyRetry: slow });
		});
		expect(Date.now() - startedAt).toBeLessThan(2_000);
	});

	it('records cancelled jobs only once the run is stopping', () => {
		const { scheduler: s, stopper } = scheduler();
		s.onCancelled('lost-stream-job');
		expect(s.cancelledJobs).toEqual([]);
		stopper.abort();
		s.onCancelled('running-job');
		expect(s.cancelledJobs).toEqual(['running-job']);
	});
});

describe('mapWithConcurrency', () => {
	it('returns results in input order, whatever order the tasks finish in, with at most `limit` running', async () => {
		let running = 0;
		let most = 0;
		const results = await mapWithConcurrency(6, 2, async (index) => {
			running++;
			most = Math.max(most, running);
			await new Promise((resolve) => setTimeout(resolve, (6 - index) * 5));
			running--;
			return index * 10;
		});
		expect(results).toEqual([0, 10, 20, 30, 40, 50]);
		expect(most).toBe(2);
	});

	it('starts nothing after a failure, calls onFailure once, and throws the first error', async () => {
		const started: number[] = [];
		const onFailure = jest.fn();
		await expect(
			mapWithConcurrency(
				5,
				1,
				async (index) => {
					started.push(index);
					if (index === 1) throw new Error('item 1 failed');
					return index;
				},
				onFailure,
			),
		).rejects.toThrow('item 1 failed');
		expect(started).toEqual([0, 1]);
		expect(onFailure).toHaveBeenCalledTimes(1);
		expect(onFailure).toHaveBeenCalledWith(1, expect.any(Error));
	});
});

describe('Limiter', () => {
	it('runs at most `limit` tasks at once, first come first served', async () => {
		const limiter = new Limiter(2);
		const jobs = [deferred(), deferred(), deferred()];
		const started: number[] = [];
		const runs = jobs.map((job, index) =>
			limiter.use(async () => {
				started.push(index);
				await job.done;
			}),
		);
		await tick();
		expect(started).toEqual([0, 1]);
		jobs[1].end();
		await tick();
		expect(started).toEqual([0, 1, 2]);
		jobs[0].end();
		jobs[2].end();
		await Promise.all(runs);
	});
});
