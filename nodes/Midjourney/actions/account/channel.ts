import type { IExecuteFunctions, IHttpRequestMethods, INodeProperties } from 'n8n-workflow';

import { requireChannelId } from '../../helpers/validation';
import { V3 } from '../../transport/jobs';
import { apiRequest } from '../../transport/request';

export const ACCOUNTS_PATH = `${V3}/accounts`;

/** `accounts/<channel>`: GET reads the account, DELETE removes it. */
export function accountPath(channel: string): string {
	return `${ACCOUNTS_PATH}/${channel}`;
}

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

/** Sends one request about the account in the item's Channel field (checked first: digits only). */
export async function requestForChannel<T>(
	ctx: IExecuteFunctions,
	itemIndex: number,
	method: IHttpRequestMethods,
	pathFor: (channel: string) => string,
): Promise<{ channel: string; body: T }> {
	const value = String(ctx.getNodeParameter('channel', itemIndex, '') ?? '');
	const channel = requireChannelId(ctx.getNode(), itemIndex, 'Channel', value);
	const { body } = await apiRequest<T>(ctx, { method, path: pathFor(channel), itemIndex });
	return { channel, body };
}
