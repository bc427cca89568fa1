import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { pairedItems } from '../../engine/output/items';
import { deleteAccount } from '../../transport/accounts';
import { accountChannelField, readAccountChannel } from './channel';

export const description = updateDisplayOptions(
	{ show: { resource: ['account'], operation: ['deleteAccount'] } },
	[
		accountChannelField(
			'The Discord channel ID of the account to remove from useapi.net. Its running jobs finish, but no new job can use it until it is added again.',
		),
	],
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const channel = readAccountChannel(this, itemIndex);
	await deleteAccount(this, channel, itemIndex);
	return pairedItems(this, itemIndex, { channel, deleted: true });
}
