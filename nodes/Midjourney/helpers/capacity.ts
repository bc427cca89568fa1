import type { IExecuteFunctions } from 'n8n-workflow';

import { listAccounts, type Account } from '../transport/accounts';
import { V3 } from '../transport/jobs';
import { apiRequest } from '../transport/request';

/** The useapi.net account allows at most 15 jobs per channel; more in flight than that can only earn 429s. */
export const MAX_PARALLEL_JOBS_LIMIT = 15;

interface RunningJobs {
	channels?: Record<string, { total?: number }>;
}

/**
 * How many jobs this node may run at once: what the user set, else the free capacity the API reports
 * (the job limits of the channels the items may use, less the jobs already running there), at least 1.
 * Running more than that only produces 429s; running fewer leaves the account idle.
 */
export async function parallelJobLimit(ctx: IExecuteFunctions, userLimit: number, channels: Set<string>): Promise<number> {
	if (userLimit > 0) return userLimit;
	try {
		const accounts = Object.values(await listAccounts(ctx));
		const { body: running } = await apiRequest<RunningJobs>(ctx, { method: 'GET', path: `${V3}/jobs` });
		const usable = accounts.filter(
			(account: Account) => !account.error && (channels.size === 0 || channels.has(account.channel)),
		);
		const free = usable.reduce((sum, account) => {
			const limit = Math.min(account.maxJobs, account.maxImageJobs || account.maxJobs);
			const busy = running?.channels?.[account.channel]?.total ?? 0;
			return sum + Math.max(0, limit - busy);
		}, 0);
		return Math.max(1, free);
	} catch {
		// Capacity is an optimisation: without it the items still run, one at a time.
		return 1;
	}
}
