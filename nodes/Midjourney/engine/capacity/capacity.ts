import { listAccounts, type Account } from '../../transport/accounts';
import { listRunningJobs } from '../../transport/jobs';
import type { ApiCaller } from '../../transport/session';

/** The useapi.net account allows at most 15 jobs per channel; more in flight than that can only earn 429s. */
export const MAX_PARALLEL_JOBS_LIMIT = 15;

/**
 * Where a run starts when the capacity look-up fails: the limits a new useapi.net channel gets
 * (`maxJobs`, `maxImageJobs`, `maxVideoJobs` default to 3). The run then adapts: it grows while
 * submissions are accepted and shrinks on 429.
 */
export const SAFE_DEFAULT_PARALLEL_JOBS = 3;

/** How often a run whose items wait for a slot (after a 429) reads `GET jobs`: one read for all of them. */
export const SLOT_READ_INTERVAL_MS = 1000;

/** Image and video jobs have limits of their own (`maxImageJobs`, `maxVideoJobs`) inside `maxJobs`. */
export type JobKind = 'image' | 'video';

interface ChannelLoad {
	total?: number;
	images?: number;
	videos?: number;
	maxJobs?: number;
	maxImageJobs?: number;
	maxVideoJobs?: number;
}

interface RunningJobs {
	channels?: Record<string, ChannelLoad>;
}

/** The jobs of `kind` one channel may run at once. */
function channelLimit(limits: ChannelLoad, kind: JobKind): number {
	const maxJobs = limits.maxJobs || SAFE_DEFAULT_PARALLEL_JOBS;
	const kindMax = (kind === 'video' ? limits.maxVideoJobs : limits.maxImageJobs) || maxJobs;
	return Math.min(maxJobs, kindMax);
}

/** Free slots for a job of `kind` on one channel, given its limits and what runs there now. */
function channelFree(limits: ChannelLoad, load: ChannelLoad | undefined, kind: JobKind): number {
	const maxJobs = limits.maxJobs || SAFE_DEFAULT_PARALLEL_JOBS;
	const busyTotal = load?.total ?? 0;
	const busyKind = (kind === 'video' ? load?.videos : load?.images) ?? busyTotal;
	return Math.max(0, Math.min(maxJobs - busyTotal, channelLimit(limits, kind) - busyKind));
}

export interface AccountCapacity {
	/** Jobs of this kind the usable channels allow at once (the most a run may ever hold). */
	ceiling: number;
	/** Of those, free at the moment of the look-up. */
	free: number;
}

/** `GET jobs`: what runs on the account now. Reading it is not a submission and costs no slot. */
async function readRunningJobs(api: ApiCaller): Promise<RunningJobs> {
	return (await listRunningJobs<RunningJobs>(api, { retry: 'none' })) ?? {};
}

/**
 * The account's capacity for jobs of `kind` on the channels the items may use (all healthy
 * channels when any item lets useapi.net choose): the channels' limits from `GET accounts`, less
 * the jobs `GET jobs` shows running. Undefined when either look-up fails.
 */
export async function lookUpCapacity(
	api: ApiCaller,
	channels: Set<string>,
	kind: JobKind,
): Promise<AccountCapacity | undefined> {
	try {
		const [accounts, running] = await Promise.all([listAccounts(api), readRunningJobs(api)]);
		const usable = Object.values(accounts).filter(
			(account: Account) =>
				!account.error && (channels.size === 0 || channels.has(account.channel)),
		);
		if (usable.length === 0) return undefined;
		let ceiling = 0;
		let free = 0;
		for (const account of usable) {
			ceiling += channelLimit(account, kind);
			free += channelFree(account, running.channels?.[account.channel], kind);
		}
		return { ceiling, free };
	} catch {
		return undefined;
	}
}

/**
 * Free slots for a job of `kind` as `GET jobs` shows them now (its channels carry their limits),
 * undefined when the read fails. `onRead` sees the answer (the run's stuck-job watcher).
 */
export async function readFreeSlots(
	api: ApiCaller,
	channels: Set<string>,
	kind: JobKind,
	onRead?: (running: unknown) => void,
): Promise<number | undefined> {
	try {
		const running = await readRunningJobs(api);
		onRead?.(running);
		let free = 0;
		for (const [channel, load] of Object.entries(running.channels ?? {})) {
			if (channels.size === 0 || channels.has(channel)) free += channelFree(load, load, kind);
		}
		return free;
	} catch {
		return undefined;
	}
}
