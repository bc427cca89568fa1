import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { listAccounts } from '../transport/accounts';

/** Channels configured in useapi.net, for every Channel field. An empty value lets useapi.net choose. */
export async function getChannels(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const accounts = await listAccounts(this);
	return [
		{ name: 'Any Channel With Free Capacity', value: '', description: 'Let useapi.net pick the channel' },
		...Object.values(accounts).map((account) => ({
			name: account.error ? `${account.channel} (needs attention: ${account.error})` : account.channel,
			value: account.channel,
			description: `Up to ${account.maxJobs} jobs at once (${account.maxImageJobs} image, ${account.maxVideoJobs} video)`,
		})),
	];
}
