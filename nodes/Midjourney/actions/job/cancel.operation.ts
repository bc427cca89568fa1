import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { readJobId } from '../../helpers/jobParameters';
import { pairedItems } from '../../helpers/output/output';
import { jobPath } from '../../transport/jobs';
import { apiRequest } from '../../transport/request';
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
	await apiRequest(this, { method: 'DELETE', path: jobPath(jobId), itemIndex, retry: 'none' });
	return pairedItems(this, itemIndex, { jobid: jobId, cancelled: true });
}
