import type { INodeProperties, IWebhookFunctions } from 'n8n-workflow';

import type { Job } from '../../transport/types';

const ALL_EVENTS = ['created', 'started', 'progress', 'completed', 'failed', 'moderated'];
const FINAL_EVENTS = ['completed', 'failed', 'moderated'];
const VERBS = [
	'imagine',
	'button',
	'describe',
	'blend',
	'seed',
	'settings',
	'info',
	'fast',
	'relax',
	'turbo',
	'remix',
	'variability',
];

const titleCase = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

export const callbackFilterFields: INodeProperties[] = [
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		default: ['completed', 'failed', 'moderated'],
		description:
			"Job statuses that start the workflow. The job's Reply Level decides which events useapi.net sends at all.",
		options: ALL_EVENTS.map((event) => ({ name: titleCase(event), value: event })),
	},
	{
		displayName: 'Commands',
		name: 'verbs',
		type: 'multiOptions',
		default: [],
		description: 'Only jobs of these commands start the workflow. Leave empty for all.',
		options: VERBS.map((verb) => ({ name: titleCase(verb), value: verb })),
	},
	{
		displayName: 'Job Types',
		name: 'jobTypes',
		type: 'multiOptions',
		default: [],
		description: 'Only image jobs, only video jobs, or both when empty',
		options: [
			{ name: 'Image', value: 'image' },
			{ name: 'Video', value: 'video' },
		],
	},
	{
		displayName: 'Reply Ref Filter',
		name: 'replyRefMatch',
		type: 'options',
		default: 'any',
		options: [
			{ name: 'Any', value: 'any', description: 'Do not filter on the Reply Ref' },
			{ name: 'Is Equal To', value: 'exact' },
			{ name: 'Starts With', value: 'prefix' },
		],
	},
	{
		displayName: 'Reply Ref',
		name: 'replyRef',
		type: 'string',
		default: '',
		displayOptions: { hide: { replyRefMatch: ['any'] } },
		description: 'The Reply Ref given when the job was submitted',
	},
];

export interface CallbackFilter {
	events: string[];
	verbs: string[];
	jobTypes: string[];
	replyRefMatch: 'any' | 'exact' | 'prefix';
	replyRef: string;
}

export function readCallbackFilter(ctx: IWebhookFunctions): CallbackFilter {
	return {
		events: ctx.getNodeParameter('events', FINAL_EVENTS) as string[],
		verbs: ctx.getNodeParameter('verbs', []) as string[],
		jobTypes: ctx.getNodeParameter('jobTypes', []) as string[],
		replyRefMatch: ctx.getNodeParameter('replyRefMatch', 'any') as CallbackFilter['replyRefMatch'],
		replyRef: ctx.getNodeParameter('replyRef', '') as string,
	};
}

/** A v3 job keeps replyRef in `request`; a v2 job at the top level. */
export function replyRefOf(job: Job): string | undefined {
	const ref = job.request?.replyRef ?? (job as { replyRef?: unknown }).replyRef;
	return typeof ref === 'string' ? ref : undefined;
}

export function matchesFilter(job: Job, filter: CallbackFilter): boolean {
	if (!filter.events.includes(job.status)) return false;
	if (filter.verbs.length && !filter.verbs.includes(String(job.verb))) return false;
	if (filter.jobTypes.length && !filter.jobTypes.includes(job.jobType ?? 'image')) return false;
	const ref = replyRefOf(job) ?? '';
	if (filter.replyRefMatch === 'exact' && ref !== filter.replyRef) return false;
	if (filter.replyRefMatch === 'prefix' && !ref.startsWith(filter.replyRef)) return false;
	return true;
}
