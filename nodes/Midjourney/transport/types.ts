/**
 * The useapi.net Midjourney v3 job model, typed once (https://useapi.net/docs/api-midjourney-v3/get-midjourney-jobs-jobid).
 * Everything the node reads from a job goes through these types.
 */

export type JobStatus = 'created' | 'started' | 'progress' | 'completed' | 'failed' | 'moderated';

/** A job stops changing once it reaches one of these. */
export const FINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'moderated'];

export type JobVerb =
	| 'imagine'
	| 'button'
	| 'describe'
	| 'blend'
	| 'seed'
	| 'settings'
	| 'info'
	| 'fast'
	| 'relax'
	| 'turbo'
	| 'variability'
	| 'remix';

export interface MediaUx {
	id: number;
	url: string;
}

export interface Attachment {
	id?: string;
	filename?: string;
	url: string;
	proxy_url?: string;
	size?: number;
	width?: number;
	height?: number;
	content_type?: string;
}

export interface JobSettings {
	version?: string;
	stylize?: number;
	raw?: boolean;
	personalization?: boolean;
	public?: boolean;
	remix?: boolean;
	variability?: boolean;
	relax?: boolean;
	fast?: boolean;
	turbo?: boolean;
	suffix?: string;
}

export interface JobResponse {
	id?: string;
	content?: string;
	progress_percent?: number;
	settings?: JobSettings;
	buttons?: string[];
	imageUx?: MediaUx[];
	videoUx?: MediaUx[];
	attachments?: Attachment[];
	executeOnce?: Record<string, unknown>;
	children?: Record<string, unknown>;
	embeds?: Array<{ title?: string; description?: string; color?: number }>;
	[key: string]: unknown;
}

export interface Job {
	jobid: string;
	verb: JobVerb | string;
	jobType?: 'image' | 'video';
	status: JobStatus;
	created: string;
	updated?: string;
	error?: string;
	errorDetails?: string;
	code?: number;
	request: Record<string, unknown>;
	response?: JobResponse;
	[key: string]: unknown;
}

/** The first SSE event: the job id is known from here on, so a dropped stream can be finished by polling. */
export interface InitializedEvent {
	event: 'initialized';
	message?: string;
	jobId: string;
	seq: number;
	ts: string;
}

export interface JobEvent {
	event: string; // midjourney_created | _started | _progress | _completed | _failed | _moderated
	job: Job;
	seq: number;
	ts: string;
}

export interface ErrorEvent {
	event: 'error';
	error?: string;
	message?: string;
	seq?: number;
	ts?: string;
	[key: string]: unknown;
}

export type StreamEvent = InitializedEvent | JobEvent | ErrorEvent;

export function isFinal(job: Pick<Job, 'status'>): boolean {
	return FINAL_STATUSES.includes(job.status);
}

/**
 * The caller's reference of a job. The imagine page: "Returned in all responses and callbacks as
 * `response.replyRef`", while its transcripts (and those of the button page) show it only in
 * `request.replyRef`; both are read, the documented place first. A v2 job keeps it at the top level.
 */
export function replyRefOf(job: Job): string | undefined {
	const ref = job.response?.replyRef ?? job.request?.replyRef ?? job.replyRef;
	return typeof ref === 'string' ? ref : undefined;
}
