import type { IExecuteFunctions } from 'n8n-workflow';

import { readChannel, readJobOptions, readText } from '../itemParameters';
import { checkIntegerRange } from '../../helpers/validation';
import type { ApiCaller } from '../../transport/session';
import {
	lookUpCapacity,
	MAX_PARALLEL_JOBS_LIMIT,
	SAFE_DEFAULT_PARALLEL_JOBS,
	type JobKind,
} from './capacity';

/** Where a run's scheduler starts, how far it may grow, and which slots of the account it uses. */
export interface SchedulerSize {
	start: number;
	ceiling: number;
	/** Whether `start` came from the API or the user (false: a default, so growing past it is worth trying). */
	known: boolean;
	channels: Set<string>;
	kind: JobKind;
}

/** The channels the items name; empty when any item lets useapi.net choose. */
function channelsOfItems(ctx: IExecuteFunctions, count: number): Set<string> {
	const channels = new Set<string>();
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		const channel = readChannel(ctx, itemIndex);
		if (!channel) return new Set();
		channels.add(channel);
	}
	return channels;
}

/** Video jobs count against `maxVideoJobs`, image jobs against `maxImageJobs`; a mixed batch is sized by the smaller. */
function jobKindOfItems(ctx: IExecuteFunctions, count: number): JobKind {
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		const prompt = readText(ctx, 'prompt', itemIndex);
		const button = readText(ctx, 'button', itemIndex);
		if (/(^|\s)--video\b/.test(prompt) || /^(Animate|Extend)\b/.test(button)) return 'video';
	}
	return 'image';
}

/** Max Parallel Jobs as the user set it (0: sized to the account), checked. */
export function readMaxParallelJobs(ctx: IExecuteFunctions): number {
	const userLimit = readJobOptions(ctx, 0).maxParallelJobs ?? 0;
	checkIntegerRange(ctx.getNode(), 0, 'Max Parallel Jobs', userLimit, 0, MAX_PARALLEL_JOBS_LIMIT);
	return userLimit;
}

/**
 * The size of a job-creating run's scheduler: it starts from the account's free capacity (what the
 * user set as Max Parallel Jobs caps it), or from a safe default when the look-up fails, and adapts.
 */
export async function sizeScheduler(
	ctx: IExecuteFunctions,
	api: ApiCaller,
	count: number,
): Promise<SchedulerSize> {
	const userLimit = readMaxParallelJobs(ctx);
	const channels = channelsOfItems(ctx, count);
	const kind = jobKindOfItems(ctx, count);
	// A user-set limit and a single item need no look-up; a 429 is still waited out on the API's state.
	const capacity = count > 1 && !userLimit ? await lookUpCapacity(api, channels, kind) : undefined;
	const ceiling = userLimit || capacity?.ceiling || MAX_PARALLEL_JOBS_LIMIT;
	const start =
		count === 1 ? 1 : capacity ? Math.max(1, capacity.free) : SAFE_DEFAULT_PARALLEL_JOBS;
	return {
		start: userLimit || start,
		ceiling,
		known: Boolean(userLimit || capacity),
		channels,
		kind,
	};
}
