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

/** Free slots per channel (channel id → slots free for a job of the run's kind). */
export type FreeSlots = Record<string, number>;

/** The channel a job runs on, from its id (`j…-u…-c<channel>-bot:midjourney`), e.g. a button's parent job. */
export function channelOfJobId(jobId: unknown): string | undefined {
	if (typeof jobId !== 'string') return undefined;
	return /-c(\d+)(?:-|$)/.exec(jobId)?.[1];
}

/**
 * The free slots of the account, per channel, as one run reads them while its items wait after a
 * 429. `GET jobs` "returns only jobs with status created, started, or progress" and never says an
 * idle channel is listed, so a channel configured in `GET accounts` (read once per run: its
 * limits) and absent from `GET jobs` counts as running nothing. A channel in the error state
 * (596) has no free slot.
 */
export class SlotReader {
	private accounts?: Promise<Account[] | undefined>;

	/** `onRead` sees each `GET jobs` answer (the run's stuck-job watcher). */
	constructor(
		private readonly api: ApiCaller,
		private readonly channels: Set<string>,
		private readonly kind: JobKind,
		private readonly onRead?: (running: unknown) => void,
	) {}

	private wanted(channel: string): boolean {
		return this.channels.size === 0 || this.channels.has(channel);
	}

	private async configuredAccounts(): Promise<Account[] | undefined> {
		this.accounts ??= listAccounts(this.api).then(
			(accounts) => Object.values(accounts),
			() => undefined,
		);
		const accounts = await this.accounts;
		// A failed read is tried again at the next look; GET jobs alone serves meanwhile.
		if (!accounts) this.accounts = undefined;
		return accounts;
	}

	/** Free slots per channel now; undefined when `GET jobs` cannot be read. */
	async read(): Promise<FreeSlots | undefined> {
		let running: RunningJobs;
		try {
			running = await readRunningJobs(this.api);
		} catch {
			return undefined;
		}
		this.onRead?.(running);
		const accounts = await this.configuredAccounts();
		const free: FreeSlots = {};
		const inError = new Set<string>();
		for (const account of accounts ?? []) {
			if (account.error) inError.add(account.channel);
			else if (this.wanted(account.channel))
				free[account.channel] = channelFree(
					account,
					running.channels?.[account.channel],
					this.kind,
				);
		}
		for (const [channel, load] of Object.entries(running.channels ?? {})) {
			if (channel in free || inError.has(channel) || !this.wanted(channel)) continue;
			free[channel] = channelFree(load, load, this.kind);
		}
		return free;
	}
}
