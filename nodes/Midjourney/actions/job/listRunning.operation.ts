import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { pairedItems } from '../../engine/output/items';
import { listRunningJobs } from '../../transport/jobs';

const properties: INodeProperties[] = [
	{
		displayName: 'Outputs one item with the running jobs of every channel, and their limits',
		name: 'listRunningNotice',
		type: 'notice',
		default: '',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['job'], operation: ['listRunning'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const running = await listRunningJobs<object>(this, { itemIndex });
	return pairedItems(this, itemIndex, running ?? {});
}
