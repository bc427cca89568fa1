import type { IWebhookFunctions } from 'n8n-workflow';

import { replyRefOf, type Job } from '../transport/types';

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

// The job's replyRef wherever the API puts it (response, request, or a v2 job's top level).
export { replyRefOf };

/** The verbs whose jobs make pictures: what a v2 job (which has no `jobType`) of them is. */
const IMAGE_VERBS = ['imagine', 'button', 'blend'];

/**
 * The job's type as the Job Types filter judges it. v3 gives `jobType` to the jobs that make
 * pictures or videos; describe, seed and the settings commands have none (the job model's table),
 * so they are of no type and pass no Job Types filter. v2 jobs carry no `jobType`: theirs follows
 * from the verb (v2 makes no videos).
 */
export function jobTypeOf(job: Job): string | undefined {
	if (job.jobType) return job.jobType;
	const isV3 = typeof job.request === 'object' && job.request !== null;
	return !isV3 && IMAGE_VERBS.includes(String(job.verb)) ? 'image' : undefined;
}

export function matchesFilter(job: Job, filter: CallbackFilter): boolean {
	if (!filter.events.includes(job.status)) return false;
	if (filter.verbs.length && !filter.verbs.includes(String(job.verb))) return false;
	if (filter.jobTypes.length && !filter.jobTypes.includes(jobTypeOf(job) ?? '')) return false;
	const ref = replyRefOf(job) ?? '';
	if (filter.replyRefMatch === 'exact' && ref !== filter.replyRef) return false;
	if (filter.replyRefMatch === 'prefix' && !ref.startsWith(filter.replyRef)) return false;
	return true;
}
