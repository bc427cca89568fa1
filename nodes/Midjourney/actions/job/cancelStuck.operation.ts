import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { pairedItems } from '../../engine/output/items';
import {
	DEFAULT_STUCK_THRESHOLD_MINUTES,
	listedJobs,
	MAX_STUCK_THRESHOLD_MINUTES,
	MIN_STUCK_THRESHOLD_MINUTES,
	serverNowMs,
	stuckVerdict,
	type ListedJob,
} from '../../engine/stuckJobs';
import { invalidInput, requireChannelId } from '../../helpers/validation';
import { deleteJob, getJob, listRunningJobs } from '../../transport/jobs';
import type { Job } from '../../transport/types';
import { channelField } from '../common.descriptions';

const THRESHOLD_FIELD = 'Threshold (Minutes)';

const properties: INodeProperties[] = [
	{
		displayName:
			'Cancels jobs stuck in progress, e.g. after a worker or n8n itself stopped while streaming them: useapi.net keeps such a job, and its slot, for 14 minutes. Jobs still created, started or waiting to start, and jobs that change, are never cancelled.',
		name: 'cancelStuckNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: THRESHOLD_FIELD,
		name: 'thresholdMinutes',
		type: 'number',
		typeOptions: {
			minValue: MIN_STUCK_THRESHOLD_MINUTES,
			maxValue: MAX_STUCK_THRESHOLD_MINUTES,
			numberPrecision: 1,
		},
		default: DEFAULT_STUCK_THRESHOLD_MINUTES,
		description:
			"A job in progress counts as stuck once it has not changed (its updated time and progress) for this long, by useapi.net's clock. From 1 to 14 minutes: healthy jobs can be quiet for over half a minute, and useapi.net ends stuck jobs itself after 14.",
	},
	{
		...channelField,
		typeOptions: { loadOptionsMethod: 'getChannelsToExamine' },
		description:
			'Only jobs on this Discord channel. Leave empty for every channel of the account. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Dry Run',
		name: 'dryRun',
		type: 'boolean',
		default: false,
		description: 'Whether to only report which jobs are stuck, without cancelling them',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['job'], operation: ['cancelStuck'] } },
	properties,
);

function readThresholdMs(ctx: IExecuteFunctions, itemIndex: number): number {
	const minutes = ctx.getNodeParameter('thresholdMinutes', itemIndex) as number;
	if (
		typeof minutes !== 'number' ||
		!Number.isFinite(minutes) ||
		minutes < MIN_STUCK_THRESHOLD_MINUTES ||
		minutes > MAX_STUCK_THRESHOLD_MINUTES
	) {
		throw invalidInput(
			ctx.getNode(),
			itemIndex,
			`"${THRESHOLD_FIELD}" must be a number from ${MIN_STUCK_THRESHOLD_MINUTES} to ${MAX_STUCK_THRESHOLD_MINUTES}, got ${String(minutes)}`,
		);
	}
	return minutes * 60_000;
}

const roundedMinutes = (ms: number) => Math.round(ms / 6_000) / 10;

/** What the summary says about one job. */
interface ExaminedJob extends IDataObject {
	jobid: string;
	channel: string;
	status?: string;
	progress_percent?: number;
	updated?: string;
	stuck: boolean;
	cancelled: boolean;
	unchangedForMinutes?: number;
	reason: string;
}

/** Reads one listed job, judges it by the stuck rule and, unless `dryRun`, cancels it when stuck. */
async function examine(
	ctx: IExecuteFunctions,
	itemIndex: number,
	listed: ListedJob,
	thresholdMs: number,
	dryRun: boolean,
): Promise<ExaminedJob> {
	const entry: ExaminedJob = {
		jobid: listed.jobId,
		channel: listed.channel,
		stuck: false,
		cancelled: false,
		reason: '',
	};
	let job: Job;
	try {
		// Read after GET jobs, so a change since its "now" shows as a later `updated` (see stuckJobs.ts).
		job = await getJob(ctx, listed.jobId, { itemIndex });
	} catch (error) {
		entry.reason = `not read, so not cancelled: ${(error as Error).message}`;
		return entry;
	}
	entry.status = job.status;
	if (typeof job.response?.progress_percent === 'number')
		entry.progress_percent = job.response.progress_percent;
	if (job.updated) entry.updated = job.updated;

	const verdict = stuckVerdict(
		{ job, serverNowMs: serverNowMs(listed), seenAtMs: Date.now() },
		thresholdMs,
	);
	if (verdict.unchangedForMs !== undefined)
		entry.unchangedForMinutes = roundedMinutes(verdict.unchangedForMs);
	if (!verdict.stuck) {
		entry.reason = verdict.reason;
		return entry;
	}
	entry.stuck = true;
	const stuckFor = `unchanged for ${roundedMinutes(verdict.unchangedForMs)} min`;
	if (dryRun) {
		entry.reason = `stuck (${stuckFor}); dry run, not cancelled`;
		return entry;
	}
	try {
		await deleteJob(ctx, listed.jobId, itemIndex);
		entry.cancelled = true;
		entry.reason = `stuck (${stuckFor}); cancelled, its slot is free`;
	} catch (error) {
		// E.g. it finished between the read and the DELETE (only running jobs can be cancelled).
		entry.reason = `stuck (${stuckFor}); the cancel failed: ${(error as Error).message}`;
	}
	return entry;
}

/**
 * One summary item per input item: the counts a message or an IF node needs, the IDs cancelled, and
 * every job examined with the reason it was or was not cancelled (Split Out on `jobs` for one item
 * each). Always one item, also when nothing runs, so the workflow goes on.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const thresholdMs = readThresholdMs(this, itemIndex);
	const channelText = String(this.getNodeParameter('channel', itemIndex, '') ?? '').trim();
	const channel = channelText
		? requireChannelId(this.getNode(), itemIndex, 'Channel Name or ID', channelText)
		: undefined;
	const dryRun = this.getNodeParameter('dryRun', itemIndex, false) as boolean;

	const body = await listRunningJobs<unknown>(this, { itemIndex });
	const jobs: ExaminedJob[] = [];
	for (const listed of listedJobs(body, channel)) {
		jobs.push(await examine(this, itemIndex, listed, thresholdMs, dryRun));
	}
	return pairedItems(this, itemIndex, {
		thresholdMinutes: thresholdMs / 60_000,
		channel: channel ?? 'all',
		dryRun,
		examined: jobs.length,
		stuck: jobs.filter((job) => job.stuck).length,
		cancelled: jobs.filter((job) => job.cancelled).length,
		stuckJobIds: jobs.filter((job) => job.stuck).map((job) => job.jobid),
		cancelledJobIds: jobs.filter((job) => job.cancelled).map((job) => job.jobid),
		jobs,
	});
}
