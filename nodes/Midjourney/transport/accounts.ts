import { apiRequest, type ApiContext } from './request';
import { V3 } from './jobs';

export interface Account {
	discord?: string;
	channel: string;
	maxJobs: number;
	maxImageJobs: number;
	maxVideoJobs: number;
	replyUrl?: string;
	error?: string;
}

/** GET accounts; a 404 means "no channel configured yet", which is an empty map, not an error. */
export async function listAccounts(ctx: ApiContext): Promise<Record<string, Account>> {
	const response = await apiRequest<Record<string, Account> | string | undefined>(ctx, {
		method: 'GET',
		path: `${V3}/accounts`,
		acceptStatuses: [404],
	});
	if (response.statusCode === 404 || !response.body || typeof response.body !== 'object') return {};
	return response.body;
}
