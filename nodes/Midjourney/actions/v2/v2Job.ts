import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { readJobRouting, readWaitSettings } from '../../helpers/jobParameters';
import { pairedItems } from '../../helpers/output/output';
import { runV2Job } from '../../helpers/waiting/waitForV2Job';
import type { V2Verb } from '../../transport/v2';
import { jobIdField, jobOptionsField, timeLimitField, waitForField } from '../common.descriptions';

/** v2 has no live stream (and its callbacks are not resumable jobs): poll or don't wait. */
const v2WaitForField: INodeProperties = {
	...waitForField,
	default: 'poll',
	options: waitForField.options?.filter(
		(option) => 'value' in option && ['poll', 'none'].includes(String(option.value)),
	),
};

const v2TimeLimitField: INodeProperties = {
	...timeLimitField,
	description:
		'How long to wait for the job. When it passes the item fails, but the job keeps running on useapi.net: fetch it later with Get Job.',
};

/** The job options v2 understands (no reply level, no stream, no media download). */
const V2_OPTIONS = ['busyRetryDelay', 'pollInterval', 'replyRef', 'replyUrl'];

/** Wait mode, time limit and options of a v2 job-creating operation; `extraOptions` are the operation's own. */
export function v2WaitFields(extraOptions: INodeProperties[] = []): INodeProperties[] {
	const shared = (jobOptionsField.options ?? []).filter((option) =>
		V2_OPTIONS.includes(option.name),
	) as INodeProperties[];
	const options = [...shared, ...extraOptions].sort((a, b) =>
		a.displayName.localeCompare(b.displayName),
	);
	return [v2WaitForField, v2TimeLimitField, { ...jobOptionsField, options }];
}

export const v2JobIdField: INodeProperties = {
	...jobIdField,
	placeholder: '',
	description:
		'ID of a Midjourney v2 job: drag the "jobid" field of an earlier Legacy (V2) step here',
};

/** Submits `POST /v2/jobs/<verb>` with the item's reply fields (and channel, where the operation has one) and waits as the user chose. */
export async function executeV2JobOperation(
	ctx: IExecuteFunctions,
	itemIndex: number,
	verb: V2Verb,
	fields: IDataObject,
): Promise<INodeExecutionData[]> {
	const routing = readJobRouting(ctx, itemIndex);
	const wait = readWaitSettings(ctx, itemIndex);
	const job = await runV2Job(
		ctx,
		itemIndex,
		{ verb, body: { ...fields, ...routing }, channel: routing.channel as string | undefined },
		wait,
	);
	return pairedItems(ctx, itemIndex, job);
}
