import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { readJobId } from '../../helpers/jobParameters';
import { pairedItems } from '../../helpers/output/output';
import { getV2Job } from '../../transport/v2';
import { v2JobIdField } from './v2Job';

export const description = updateDisplayOptions(
	{ show: { resource: ['v2'], operation: ['get'] } },
	[v2JobIdField],
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	return pairedItems(
		this,
		itemIndex,
		await getV2Job(this, readJobId(this, itemIndex), { itemIndex }),
	);
}
