import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { JobRun } from '../../engine/jobRun';
import { readJobOptions, readPrompt } from '../../engine/itemParameters';
import { checkIntegerRange } from '../../helpers/validation';
import { imaginePromptField } from '../common.descriptions';
import {
	executeLegacyJobOperation,
	legacyWaitFields,
	readLegacyJobSettings,
	type LegacyFields,
} from './legacyJob';

/** maxJobs 15 at most, Pro and Mega plans (https://useapi.net/docs/api-v2/post-jobs-imagine). */
const MAX_JOBS_LIMIT = 15;

const properties: INodeProperties[] = [
	imaginePromptField,
	{
		displayName: 'Channel',
		name: 'channel',
		type: 'string',
		default: '',
		placeholder: '1234567890123456789',
		description:
			'Discord channel ID of a Midjourney account configured for the v2 API. Leave empty to let useapi.net pick one of your v2 accounts. (v2 accounts are separate from the accounts of the Account resource.)',
	},
	...legacyWaitFields([
		{
			displayName: 'Max Jobs',
			name: 'maxJobs',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: MAX_JOBS_LIMIT },
			default: 3,
			description:
				"How many jobs the account runs at once, 1 to 15; by default the account's own setting. Keep it at or below your Midjourney plan's maximum concurrent jobs (3 for Basic and Standard).",
		},
	]),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['v2'], operation: ['imagine'] } },
	properties,
);

/** The item's inputs, checked before any request (see engine/preflight.ts). */
export function readInputs(this: IExecuteFunctions, itemIndex: number): LegacyFields {
	const node = this.getNode();
	const prompt = readPrompt(this, itemIndex);
	const { maxJobs } = readJobOptions(this, itemIndex);
	if (maxJobs !== undefined)
		checkIntegerRange(node, itemIndex, 'Max Jobs', maxJobs, 1, MAX_JOBS_LIMIT);
	readLegacyJobSettings(this, itemIndex);
	return maxJobs === undefined ? { prompt } : { prompt, maxJobs };
}

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	run: JobRun,
): Promise<INodeExecutionData[]> {
	return await executeLegacyJobOperation(
		run,
		itemIndex,
		'imagine',
		readInputs.call(this, itemIndex),
	);
}
