import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { pairedItems } from '../../engine/output/items';
import { readJobId } from '../../engine/itemParameters';
import { getLegacyJob } from '../../transport/legacy';
import { legacyJobIdField } from './legacyJob';

export const description = updateDisplayOptions(
	{ show: { resource: ['v2'], operation: ['get'] } },
	[legacyJobIdField],
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	return pairedItems(
		this,
		itemIndex,
		await getLegacyJob(this, readJobId(this, itemIndex), { itemIndex }),
	);
}
