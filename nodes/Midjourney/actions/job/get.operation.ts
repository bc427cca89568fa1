import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { JobRun } from '../../engine/jobRun';
import { jobOutputItems } from '../../engine/output/jobOutput';
import { readJobId, readOutputOptions } from '../../engine/itemParameters';
import { getJob } from '../../transport/jobs';
import { jobIdField, jobOptionsField } from '../common.descriptions';

const outputOptions = {
	...jobOptionsField,
	options: jobOptionsField.options?.filter((option) =>
		['agentAnswer', 'simplify', 'download', 'binaryPropertyName'].includes(option.name),
	),
};

const properties: INodeProperties[] = [jobIdField, outputOptions];

export const description = updateDisplayOptions(
	{ show: { resource: ['job'], operation: ['get'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	run: JobRun,
): Promise<INodeExecutionData[]> {
	const job = await getJob(run.api, readJobId(this, itemIndex), { itemIndex });
	return await jobOutputItems(run, itemIndex, [job], readOutputOptions(this, itemIndex));
}
