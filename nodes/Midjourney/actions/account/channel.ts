import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { readChannel } from '../../engine/itemParameters';
import { requireChannelId } from '../../helpers/validation';

/** The Channel field of the operations that name one account: no "any channel" entry. */
export function accountChannelField(description: string): INodeProperties {
	return {
		displayName: 'Channel Name or ID',
		name: 'channel',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getConfiguredChannels' },
		default: '',
		required: true,
		description: `${description} Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>`,
	};
}

/** The account in the item's Channel field, checked before any request: digits only. */
export function readAccountChannel(ctx: IExecuteFunctions, itemIndex: number): string {
	return requireChannelId(ctx.getNode(), itemIndex, 'Channel', readChannel(ctx, itemIndex));
}
