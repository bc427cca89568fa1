import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { pairedItems } from '../../engine/output/items';
import { readJobId } from '../../engine/itemParameters';
import { deleteJob } from '../../transport/jobs';
import { jobIdField } from '../common.descriptions';

const properties: INodeProperties[] = [
	{
		...jobIdField,
		description:
			'ID of a running job (created, started or in progress). Cancelling frees its slot on the account right away; the job ends as failed.',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['job'], operation: ['cancel'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const jobId = readJobId(this, itemIndex);
	await deleteJob(this, jobId, itemIndex);
	return pairedItems(this, itemIndex, { jobid: jobId, cancelled: true });
}
