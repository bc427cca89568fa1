import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { PROMPT_BUTTONS } from '../actions/job/button.operation';
import { ALL_BUTTONS } from '../helpers/buttonNames';
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

const BUTTON_HINTS: Record<string, string> = {
	U1: 'Upscale image 1 (runs once per job)',
	U2: 'Upscale image 2 (runs once per job)',
	U3: 'Upscale image 3 (runs once per job)',
	U4: 'Upscale image 4 (runs once per job)',
	V1: 'Variations of image 1',
	V2: 'Variations of image 2',
	V3: 'Variations of image 3',
	V4: 'Variations of image 4',
	'🔄': 'Reroll: run the prompt again',
	'⬅️': 'Pan left',
	'➡️': 'Pan right',
	'⬆️': 'Pan up',
	'⬇️': 'Pan down',
	'Vary (Region)': 'Needs a mask',
	'Custom Zoom': 'Needs a prompt',
};

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
