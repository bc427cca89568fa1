import type { IWebhookFunctions } from 'n8n-workflow';

import type { Job } from '../transport/types';

export const ALL_EVENTS = ['created', 'started', 'progress', 'completed', 'failed', 'moderated'];
export const FINAL_EVENTS = ['completed', 'failed', 'moderated'];
export const VERBS = [
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
