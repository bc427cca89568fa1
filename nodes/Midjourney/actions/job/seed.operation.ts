import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { executeJobOperation, readJobSettings, type JobPayload } from '../../engine/jobOperation';
import type { JobRun } from '../../engine/jobRun';
import { readJobId } from '../../engine/itemParameters';
import { jobIdField, jobWaitFields } from '../common.descriptions';

const properties: INodeProperties[] = [
	{
		...jobIdField,
		description: 'ID of a completed image job (not a video). ' + jobIdField.description,
	},
	// The answer is the seed: its job's attachments (Discord copies of the grid) are not downloaded unless asked.
	...jobWaitFields.map((field) =>
		field.name === 'options'
			? {
					...field,
					options: field.options?.map((option) =>
						option.name === 'download' ? { ...option, default: 'none' } : option,
					),
				}
			: field,
	),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['job'], operation: ['seed'] } },
	properties,
);

/** The item's inputs, checked before any request (see engine/preflight.ts). */
export function readInputs(this: IExecuteFunctions, itemIndex: number): JobPayload {
	readJobSettings(this, itemIndex);
	return { fields: { jobId: readJobId(this, itemIndex) } };
}

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	run: JobRun,
): Promise<INodeExecutionData[]> {
	const payload = readInputs.call(this, itemIndex);
	return await executeJobOperation(run, itemIndex, 'seed', payload, { download: 'none' });
}

/** Items run in parallel up to the account's free capacity (see engine/jobRun.ts). */
export const createsJobs = true;
