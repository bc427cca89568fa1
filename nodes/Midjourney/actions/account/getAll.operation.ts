import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { pairedItems } from '../../engine/output/items';
import { checkIntegerRange } from '../../helpers/validation';
import { listAccounts } from '../../transport/accounts';

const LIMIT_MAX = 1000;

const properties: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: LIMIT_MAX },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['account'], operation: ['getAll'] } },
	properties,
);

/** One item per configured channel; none at all when no account is configured yet (the API's 404). */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? undefined : (this.getNodeParameter('limit', itemIndex, 50) as number);
	if (limit !== undefined)
		checkIntegerRange(this.getNode(), itemIndex, 'Limit', limit, 1, LIMIT_MAX);
	const accounts = Object.values(await listAccounts(this));
	return pairedItems(this, itemIndex, accounts.slice(0, limit));
}
