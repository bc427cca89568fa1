/**
 * Public types of the useapi.net Midjourney emulator. Other test code (unit, e2e, bench, demo)
 * depends on these names: add fields, never rename them.
 */

import type { Readings, ReadingsPreset } from './readings';

export type JobStatus = 'created' | 'started' | 'progress' | 'completed' | 'failed' | 'moderated';
export type JobType = 'image' | 'video';
export type ReplyLevel = 'all' | 'standard' | 'minimal';

/** The per-channel Midjourney settings that settings/info/fast/relax/turbo/remix/variability read and toggle. */
export interface ChannelSettings {
	version: string;
	stylize: number;
	raw: boolean;
	personalization: boolean;
	public: boolean;
	remix: boolean;
	variability: boolean;
	relax: boolean;
	fast: boolean;
	turbo: boolean;
	suffix: string;
}

export interface AccountSeed {
	channel: string;
	/**
	 * The API the account is configured in, default 'v3'. One Discord account is configured in v2 or
	 * v3, never both (v3 quick-start); a v3 channel does not serve v2 requests and vice versa.
	 */
	api?: 'v3' | 'v2';
	/** Discord token of the account; only its first and last 3 characters are ever shown. */
	discord?: string;
	maxJobs?: number;
	maxImageJobs?: number;
	maxVideoJobs?: number;
	/** Account-level webhook used when a job has no replyUrl of its own. */
	replyUrl?: string;
	/** Start the channel in the error state (as after a 596). */
	error?: string;
	settings?: Partial<ChannelSettings>;
}

export interface EmulatorOptions {
	/** 0 = random free port (default 0). */
	port?: number;
	/** Default '127.0.0.1'. */
	host?: string;
	/** The one valid API token, default 'test-token'. */
	token?: string;
	/** Default lifecycle length created→completed, default 600 ms. */
	jobDurationMs?: number;
	/** Default: one channel '1100000000000000001' with maxJobs 3, maxImageJobs 3, maxVideoJobs 3. */
	accounts?: AccountSeed[];
	/** Approximate size of PNGs (and MP4s) served by the CDN proxy, default 12288 (a 107×107 noisy PNG). */
	imageBytes?: number;
	/**
	 * Interval of `: keep-alive` SSE comments; default 0 = none. The docs describe no keep-alives; this
	 * switch exists only to test a client's tolerance of comment lines.
	 */
	keepAliveMs?: number;
	/**
	 * Every SSE stream that ends before a final status, whoever ends it (client abort, --emu-drop,
	 * --emu-error-event, --emu-close, a client giving up on --emu-stall), leaves its job stuck in
	 * `progress` holding its slot until DELETE jobs/{jobid} or this timeout (SSE guide).
	 */
	/** Automatic timeout of a stuck job (it then fails), default 14 minutes as documented; tests scale it down. */
	stuckTimeoutMs?: number;
	/** Timeout of one replyUrl POST, default 5000 ms. */
	callbackTimeoutMs?: number;
	/**
	 * How the emulator reads the places where the docs are silent (README "Readings"): a preset name
	 * ('least-friendly', 'friendly') or readings changed on top of DEFAULT_READINGS.
	 */
	readings?: Partial<Readings> | ReadingsPreset;
}

/** Jobs of another client of the same account, holding slots of a channel (`Emulator.occupy`). */
export interface OccupyOptions {
	/** Default: the first v3 channel. */
	channel?: string;
	/** How long the jobs run (created → completed), ms. */
	forMs: number;
	/** How many jobs; default: every free slot of the channel for `jobType`. */
	jobs?: number;
	/** Default 'image'. */
	jobType?: JobType;
}

export interface UploadedFileInfo {
	filename: string;
	contentType: string;
	size: number;
}

export interface MultipartBodyRecord {
	fields: Record<string, string>;
	files: Record<string, UploadedFileInfo>;
}

export interface RecordedRequest {
	method: string;
	/** The pathname, e.g. '/v3/midjourney/jobs/imagine'. */
	path: string;
	query: Record<string, string>;
	/** Lower-cased header names. Held in memory only; `GET /__emulator/requests` redacts `authorization`. */
	headers: Record<string, string>;
	/** Parsed JSON object, or for multipart/urlencoded { fields, files }, or undefined. */
	body: unknown;
	/** The media type of the body without parameters, e.g. 'application/json', 'multipart/form-data'. */
	contentType?: string;
	time: number;
}

export interface DeliveredCallback {
	url: string;
	status: number | 'error';
	/** The JSON posted. */
	body: unknown;
	time: number;
	/** Why delivery failed (connection refused, timeout…), when status is 'error'. */
	error?: string;
}

/** Mutable switches; each counter is decremented as it fires. */
export interface Faults {
	/** Next N job-creating POSTs answer 429 even with capacity. */
	status429Next?: number;
	/** Next N GET jobs/{id} (v3) or GET /v2/jobs/?jobid= answer 503. */
	status5xxOnGetNext?: number;
	/** Next N GET jobs/{id} (v3) answer 502, as a gateway in front of the API does during an outage. */
	status502OnGetNext?: number;
	/** Next N GET jobs/{id} (v3) or GET /v2/jobs/?jobid= have their socket destroyed without an answer. */
	resetOnGetNext?: number;
	/** Next N job-creating POSTs answer 500 WITHOUT creating a job. */
	status5xxOnPostNext?: number;
	/**
	 * Next N media answers of the CDN proxy send their headers and the first part of the file, then
	 * nothing more, without closing (a stalled CDN body; the docs describe none, it is a network fault).
	 */
	stallMediaBodyNext?: number;
	/** Next N job-creating POSTs answer 596 and put their channel into the error state (like --emu-596). */
	status596Next?: number;
}

export interface MediaUx {
	id: number;
	url: string;
}

/**
 * A job as the API shows it (the v3 model of https://useapi.net/docs/api-midjourney-v3/get-midjourney-jobs-jobid;
 * v2 jobs are shown in their flat v2 shape).
 */
export interface Job {
	jobid: string;
	verb: string;
	jobType?: JobType;
	status: JobStatus;
	created: string;
	updated?: string;
	error?: string;
	errorDetails?: string;
	code?: number;
	request?: Record<string, unknown>;
	response?: {
		content?: string;
		progress_percent?: number;
		buttons?: string[];
		imageUx?: MediaUx[];
		videoUx?: MediaUx[];
		attachments?: Array<Record<string, unknown>>;
		components?: unknown[];
		embeds?: Array<Record<string, unknown>>;
		settings?: Partial<ChannelSettings>;
		executeOnce?: Record<string, string>;
		children?: Record<string, string>;
		seed?: number;
		[key: string]: unknown;
	};
	[key: string]: unknown;
}

export interface Emulator {
	/** 'http://127.0.0.1:PORT' */
	url: string;
	port: number;
	/** Every request received, in order (API + proxy, not /__emulator control calls). */
	requests: RecordedRequest[];
	/** Every replyUrl POST the emulator made. */
	callbacks: DeliveredCallback[];
	/** Count of ACCEPTED (2xx) job-creating POSTs, including execute-once answers (200 with the existing job). */
	submissions(): number;
	/** Count of jobs actually created (execute-once answers and refused requests excluded). */
	jobsCreated(): number;
	/** The most image/video jobs running at the same time since start or reset(), over all channels. */
	maxRunningJobs(): number;
	faults: Faults;
	/** The job as GET would show it now (v3 or v2 shape), or undefined. */
	getJob(jobid: string): Job | undefined;
	/** Every job, oldest first, as GET would show it. */
	listJobs(): Job[];
	/** Resolves once every replyUrl POST queued so far has been attempted (and recorded in `callbacks`). */
	callbacksSettled(): Promise<void>;
	/**
	 * The readings in force (README "Readings"); mutable: a change applies to what happens next.
	 * reset() restores the readings the emulator was started with.
	 */
	readings: Readings;
	/**
	 * Another client of the same account starts image/video jobs on a channel that run for `forMs`:
	 * they hold their slots (429 for submissions), are listed by GET jobs and readable by GET, and are
	 * not counted by submissions() or jobsCreated(). Returns their job ids.
	 */
	occupy(options: OccupyOptions): string[];
	/** Put a channel into the error state (596 on new jobs) with an error text, or clear it with null. */
	setChannelError(channel: string, error: string | null): void;
	/** Clear requests/callbacks/jobs/faults, restore accounts (and their settings) to the seed. */
	reset(): void;
	/** Stop the server, cancel timers, destroy open sockets. */
	close(): Promise<void>;
}
