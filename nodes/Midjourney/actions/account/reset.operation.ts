import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { pairedItems } from '../../engine/output/items';
import { resetAccount } from '../../transport/accounts';
import { accountChannelField, readAccountChannel } from './channel';

export const description = updateDisplayOptions(
	{ show: { resource: ['account'], operation: ['reset'] } },
	[
		accountChannelField('The Discord channel ID of the account to reset.'),
		{
			displayName:
				'First log into Discord and answer the pending Midjourney moderation message or CAPTCHA (the cause of a 596 error), then reset the account so useapi.net uses it again',
			name: 'resetNotice',
			type: 'notice',
			default: '',
		},
	],
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const channel = readAccountChannel(this, itemIndex);
	await resetAccount(this, channel, itemIndex);
	return pairedItems(this, itemIndex, { channel, reset: true });
}
