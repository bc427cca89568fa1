import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { executeJobOperation, readJobSettings, type JobPayload } from '../../engine/jobOperation';
import type { JobRun } from '../../engine/jobRun';
import { readPrompt } from '../../engine/itemParameters';
import { channelField, imaginePromptField, jobWaitFields } from '../common.descriptions';

const properties: INodeProperties[] = [imaginePromptField, channelField, ...jobWaitFields];

export const description = updateDisplayOptions(
	{ show: { resource: ['job'], operation: ['imagine'] } },
	properties,
);

/** The item's inputs, checked before any request (see engine/preflight.ts). */
export function readInputs(this: IExecuteFunctions, itemIndex: number): JobPayload {
	readJobSettings(this, itemIndex);
	return { fields: { prompt: readPrompt(this, itemIndex) } };
}

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	run: JobRun,
): Promise<INodeExecutionData[]> {
	return await executeJobOperation(run, itemIndex, 'imagine', readInputs.call(this, itemIndex));
}

/** Items run in parallel up to the account's free capacity (see engine/jobRun.ts). */
export const createsJobs = true;
