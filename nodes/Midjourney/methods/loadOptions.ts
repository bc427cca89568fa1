import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { ALL_BUTTONS, BUTTON_HINTS, PROMPT_BUTTONS } from '../actions/job/buttons';
import { listAccounts } from '../transport/accounts';
import { getJob } from '../transport/jobs';

/** Channels configured in useapi.net, for Channel fields that name one account (Account operations). */
export async function getConfiguredChannels(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	const accounts = await listAccounts(this);
	return Object.values(accounts).map((account) => ({
		name: account.error
			? `${account.channel} (needs attention: ${account.error})`
			: account.channel,
		value: account.channel,
		description: `Up to ${account.maxJobs} jobs at once (${account.maxImageJobs} image, ${account.maxVideoJobs} video)`,
	}));
}

/** Channels configured in useapi.net, for every job's Channel field. An empty value lets useapi.net choose. */
export async function getChannels(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return [
		{
			name: 'Any Channel With Free Capacity',
			value: '',
			description: 'Let useapi.net pick the channel',
		},
		...(await getConfiguredChannels.call(this)),
	];
}

function buttonOption(button: string): INodePropertyOptions {
	const hint =
		BUTTON_HINTS[button] ??
		(PROMPT_BUTTONS.includes(button) ? 'Accepts a prompt in Remix mode' : undefined);
	return hint
		? { name: button, value: button, description: hint }
		: { name: button, value: button };
}

/** The buttons of the job in the Job ID field (`response.buttons`), reloaded when the Job ID changes. */
export async function getButtons(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const raw = this.getCurrentNodeParameter('jobId');
	const jobId = typeof raw === 'string' ? raw.trim() : '';
	if (!jobId || jobId.startsWith('=') || jobId.includes('{{')) return ALL_BUTTONS.map(buttonOption);
	const job = await getJob(this, jobId);
	return (job.response?.buttons ?? []).map(buttonOption);
}

/** Channels configured in useapi.net, for Job → Cancel Stuck Jobs. An empty value examines them all. */
export async function getChannelsToExamine(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	return [
		{ name: 'All Channels', value: '', description: 'Examine the running jobs of every channel' },
		...(await getConfiguredChannels.call(this)),
	];
}
