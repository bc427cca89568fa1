import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { pairedItems } from '../../helpers/output/output';
import { accountChannelField, accountPath, requestForChannel } from './channel';

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
	const { channel } = await requestForChannel(this, itemIndex, 'DELETE', accountPath);
	return pairedItems(this, itemIndex, { channel, deleted: true });
}
