import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { readJobId } from '../../helpers/jobParameters';
import { jobOutputItems, readOutputOptions } from '../../helpers/output/jobOutput';
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
): Promise<INodeExecutionData[]> {
	const job = await getJob(this, readJobId(this, itemIndex), { itemIndex });
	return await jobOutputItems(this, itemIndex, [job], readOutputOptions(this, itemIndex));
}
