import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { pairedItems } from '../../engine/output/items';
import { getAccount } from '../../transport/accounts';
import { accountChannelField, readAccountChannel } from './channel';

export const description = updateDisplayOptions(
	{ show: { resource: ['account'], operation: ['get'] } },
	[accountChannelField('The Discord channel ID of the account to get.')],
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const account = await getAccount(this, readAccountChannel(this, itemIndex), itemIndex);
	return pairedItems(this, itemIndex, account);
}
