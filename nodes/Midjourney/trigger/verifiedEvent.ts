import type { IDataObject } from 'n8n-workflow';

import type { Job } from '../transport/types';

/**
 * What a delivered event may be trusted for. With Verify With API on, the event is used only where
 * the API's copy of the job agrees with it: the job's fields (verb, type, replyRef) are the API's,
 * and the delivered status is believed only if the job has reached it. A `completed` delivered while
 * the API says `progress` is stale or forged: it starts nothing and is not recorded, so the genuine
 * completion that follows still starts the workflow.
 */

/** How far along a job is at each status; the final ones are alternatives, not steps. */
const STAGE: Record<string, number> = {
	created: 0,
	started: 1,
	progress: 2,
	completed: 3,
	failed: 3,
	moderated: 3,
};

export const EVENT_STATUSES = Object.keys(STAGE);
const FINAL = ['completed', 'failed', 'moderated'];

/** useapi.net's job IDs are ~80 characters; readJobId allows 200. */
export const MAX_JOB_ID_LENGTH = 200;

export interface DeliveredEvent {
	jobId: string;
	status: string;
	/** The progress percentage of a progress event, when it has one (0–100). */
	percent?: number;
	/**
	 * What tells apart progress events that carry no percentage ("not always present", the job
	 * model says): a short hash of the job's `updated` time, or else of its content.
	 */
	mark?: string;
}

/** FNV-1a, 32 bits, as 8 hex digits: short and bounded, whatever the input's length. */
function shortHash(text: string): string {
	let hash = 0x811c9dc5;
	for (let index = 0; index < text.length; index++) {
		hash ^= text.charCodeAt(index);
		hash = Math.imul(hash, 0x01000193) >>> 0;
	}
	return hash.toString(16).padStart(8, '0');
}

/** The mark of a progress event without a percentage (see DeliveredEvent.mark). */
function progressMark(body: IDataObject): string | undefined {
	const response = (body.response ?? {}) as IDataObject;
	const updated = body.updated ?? response.updated;
	if (typeof updated === 'string' && updated) return `u${shortHash(updated)}`;
	const content = response.content ?? body.content;
	if (typeof content === 'string' && content) return `c${shortHash(content)}`;
	return undefined;
}

/** The percentage of a progress event: v3 in `response.progress_percent`, v2 at the top level. */
export function percentOf(event: IDataObject | Job): number | undefined {
	const body = event as IDataObject;
	const response = (body.response ?? {}) as IDataObject;
	const value = response.progress_percent ?? body.progress_percent ?? body.progress;
	const percent = typeof value === 'string' && value.trim() ? Number(value) : value;
	return typeof percent === 'number' && Number.isFinite(percent) && percent >= 0 && percent <= 100
		? Math.round(percent)
		: undefined;
}

/** The event's job ID, status and percentage, or why the call is not a useapi.net job event. */
export function readDeliveredEvent(body: IDataObject | undefined): DeliveredEvent | string {
	const jobId =
		typeof body?.jobid === 'string'
			? body.jobid
			: typeof body?.jobId === 'string'
				? body.jobId
				: '';
	if (!body || !jobId || typeof body.status !== 'string')
		return 'Not a useapi.net job callback: "jobid" and "status" are required';
	if (jobId.length > MAX_JOB_ID_LENGTH || /[\s|]/.test(jobId))
		return 'Not a useapi.net job callback: "jobid" is not a job ID';
	if (!EVENT_STATUSES.includes(body.status))
		return `Not a useapi.net job callback: unknown status "${body.status.slice(0, 20)}"`;
	if (body.status !== 'progress') return { jobId, status: body.status };
	const percent = percentOf(body);
	return percent === undefined
		? { jobId, status: body.status, mark: progressMark(body) }
		: { jobId, status: body.status, percent };
}

/**
 * What tells one event of a job from another: its status, and for progress events the percentage
 * (a job reports 15 %, 54 % and 96 % as three events). At most ~215 characters.
 */
export function eventKey(event: DeliveredEvent): string {
	const key = `${event.jobId}|${event.status}`;
	return event.status === 'progress' ? `${key}|${event.percent ?? event.mark ?? ''}` : key;
}

/**
 * Whether the API's copy agrees with the delivered event: a final status must be the API's own; an
 * earlier status must not be ahead of the API (the job may have moved on since it was sent), and a
 * progress percentage not above the API's while the API still says progress.
 */
export function contradiction(event: DeliveredEvent, api: Job): string | undefined {
	const apiStatus = String(api.status ?? '');
	const says = `useapi.net says the job is ${apiStatus || 'in an unknown state'}`;
	if (FINAL.includes(event.status))
		return apiStatus === event.status ? undefined : `The event says ${event.status}, ${says}`;
	const apiStage = STAGE[apiStatus];
	if (apiStage === undefined || STAGE[event.status] > apiStage)
		return `The event says ${event.status}, ${says}`;
	if (event.status === 'progress' && apiStatus === 'progress' && event.percent !== undefined) {
		const apiPercent = percentOf(api);
		if (apiPercent !== undefined && event.percent > apiPercent)
			return `The event says ${event.percent} %, useapi.net says ${apiPercent} %`;
	}
	return undefined;
}

/** The event the filters judge once verified: the API's job at the delivered (agreed) status. */
export function verifiedEvent(event: DeliveredEvent, api: Job): Job {
	return { ...api, status: event.status as Job['status'] };
}
