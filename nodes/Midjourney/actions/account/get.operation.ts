import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { pairedItems } from '../../helpers/output/output';
import type { Account } from '../../transport/accounts';
import { accountChannelField, accountPath, requestForChannel } from './channel';

export const description = updateDisplayOptions(
	{ show: { resource: ['account'], operation: ['get'] } },
	[accountChannelField('The Discord channel ID of the account to get.')],
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const { body } = await requestForChannel<Account>(this, itemIndex, 'GET', accountPath);
	return pairedItems(this, itemIndex, body);
}
