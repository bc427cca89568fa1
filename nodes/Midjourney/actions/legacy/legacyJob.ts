import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import type { JobRun } from '../../engine/jobRun';
import { pairedItems } from '../../engine/output/items';
import { runLegacyJob } from '../../engine/waiting/waitForLegacyJob';
import { readJobRouting, readWaitSettings } from '../../engine/itemParameters';
import type { LegacyVerb } from '../../transport/legacy';
import { jobIdField, jobOptionsField, timeLimitField, waitForField } from '../common.descriptions';

/** v2 has no live stream (and its callbacks are not resumable jobs): poll or don't wait. */
const legacyWaitForField: INodeProperties = {
	...waitForField,
	default: 'poll',
	options: waitForField.options?.filter(
		(option) => 'value' in option && ['poll', 'none'].includes(String(option.value)),
	),
};

const legacyTimeLimitField: INodeProperties = {
	...timeLimitField,
	description:
		'How long to wait for the job. When it passes the item fails, but the job keeps running on useapi.net: fetch it later with Get Job.',
};

/** The job options v2 understands (no reply level, no stream, no media download). */
const LEGACY_OPTIONS = ['busyRetryDelay', 'pollInterval', 'replyRef', 'replyUrl'];

/** Wait mode, time limit and options of a legacy (v2) job-creating operation; `extraOptions` are the operation's own. */
export function legacyWaitFields(extraOptions: INodeProperties[] = []): INodeProperties[] {
	const shared = (jobOptionsField.options ?? []).filter((option) =>
		LEGACY_OPTIONS.includes(option.name),
	) as INodeProperties[];
	const options = [...shared, ...extraOptions].sort((a, b) =>
		a.displayName.localeCompare(b.displayName),
	);
	return [legacyWaitForField, legacyTimeLimitField, { ...jobOptionsField, options }];
}

export const legacyJobIdField: INodeProperties = {
	...jobIdField,
	placeholder: '',
	description:
		'ID of a Midjourney v2 job: drag the "jobid" field of an earlier Legacy (V2) step here',
};

/** The operation's own fields, as the v2 API names them. */
export type LegacyFields = IDataObject;

/** The item's wait and reply settings, read and checked as executeLegacyJobOperation reads them. */
export function readLegacyJobSettings(ctx: IExecuteFunctions, itemIndex: number): void {
	readJobRouting(ctx, itemIndex);
	readWaitSettings(ctx, itemIndex);
}

/** Submits `POST /v2/jobs/<verb>` with the item's reply fields (and channel, where the operation has one) and waits as the user chose. */
export async function executeLegacyJobOperation(
	run: JobRun,
	itemIndex: number,
	verb: LegacyVerb,
	fields: LegacyFields,
): Promise<INodeExecutionData[]> {
	const { ctx } = run;
	const routing = readJobRouting(ctx, itemIndex);
	const wait = readWaitSettings(ctx, itemIndex);
	const job = await runLegacyJob(
		run,
		itemIndex,
		{ verb, body: { ...fields, ...routing }, channel: routing.channel },
		wait,
	);
	return pairedItems(ctx, itemIndex, job);
}
