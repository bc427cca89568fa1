/** The v3 API: /v3/midjourney/jobs/* and /v3/midjourney/accounts/* (the v3 pages). */
import type { Account } from './accounts';
import { channelFromDiscordToken } from './accounts';
import {
	byLoad,
	busyMessage,
	CHANNEL_ERROR_TEXT,
	hasCapacity,
	takeFault,
	type App,
	type RequestContext,
} from './app';
import { ALL_BUTTONS, REMIX_BUTTONS } from './content';
import {
	bool,
	int,
	isFile,
	sendEmpty,
	sendJson,
	str,
	type Params,
	type UploadedFile,
} from './http-util';
import {
	isFinal,
	parseMarkers,
	type Command,
	type JobInit,
	type JobKind,
	type JobRecord,
	type Markers,
} from './jobs';
import type { JobType, ReplyLevel } from './types';

export const V3_PREFIX = '/v3/midjourney';

const JOB_VERBS = new Set([
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
]);
const COMMANDS = new Set<Command>([
	'settings',
	'info',
	'fast',
	'relax',
	'turbo',
	'remix',
	'variability',
]);
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/jpg', 'image/webp', 'image/gif']);

/** What a verb handler decided: an error answer, the existing job (execute-once), or a job to create. */
type Outcome =
	| { outcome: 'error'; status: number; error: string }
	| { outcome: 'existing'; job: JobRecord }
	| { outcome: 'create'; init: JobInit };

const fail = (status: number, error: string): Outcome => ({ outcome: 'error', status, error });

/** 596 body when a request names a channel in the error state (the documented text names all channels). */
export function channelErrorMessage(channel: string): string {
	return `Midjourney channel ${channel} has errors (pending moderation, CAPTCHA, etc.). Please resolve channel issues before making new requests.`;
}

function allChannelsErrorMessage(count: number): string {
	return `All configured Midjourney channels (${count}) have errors (pending moderation, CAPTCHA, etc.). Please resolve channel issues before making new requests.`;
}

export function handleV3(app: App, ctx: RequestContext, method: string, path: string): boolean {
	const parts = path.split('/').filter(Boolean);
	const [area, second, third] = parts;
	if (area === 'jobs') {
		if (method === 'POST' && parts.length === 2 && JOB_VERBS.has(second)) {
			jobPost(app, ctx, second);
			return true;
		}
		if (method === 'GET' && parts.length === 1) {
			listRunning(app, ctx);
			return true;
		}
		if ((method === 'GET' || method === 'DELETE') && parts.length === 2) {
			const jobid = safeDecode(second);
			if (method === 'GET') getJob(app, ctx, jobid);
			else deleteJob(app, ctx, jobid);
			return true;
		}
		return false;
	}
	if (area === 'accounts') {
		if (parts.length === 1 && method === 'POST') {
			postAccount(app, ctx);
			return true;
		}
		if (parts.length === 1 && method === 'GET') {
			listAccounts(app, ctx);
			return true;
		}
		// The endpoint is accounts/reset/{channel}; the 596 text links "accounts/{channel}/reset": both work.
		if (method === 'POST' && parts.length === 3 && (second === 'reset' || third === 'reset')) {
			const channel = second === 'reset' ? third : second;
			sendEmpty(
				ctx.res,
				app.accounts.get(channel) && app.accounts.setError(channel, undefined) ? 204 : 404,
			);
			return true;
		}
		if (parts.length === 2 && method === 'GET') {
			const account = app.accounts.get(second);
			if (account) sendJson(ctx.res, 200, app.accounts.view(account));
			else sendEmpty(ctx.res, 404);
			return true;
		}
		if (parts.length === 2 && method === 'DELETE') {
			sendEmpty(ctx.res, app.accounts.delete(second) ? 204 : 404);
			return true;
		}
	}
	return false;
}

function safeDecode(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}

// ---- jobs -----------------------------------------------------------------------------------

function jobPost(app: App, ctx: RequestContext, verb: string): void {
	const { res, params } = ctx;
	if (ctx.bodyError) return sendJson(res, 400, { error: ctx.bodyError });
	if (takeFault(app.faults, 'status5xxOnPostNext'))
		return sendJson(res, 500, { error: 'Internal Server Error' });
	if (takeFault(app.faults, 'status429Next')) {
		const account = app.accounts.list()[0];
		const error = account
			? `Channel ${account.channel} is busy executing ${account.maxImageJobs} image jobs`
			: 'Too many requests';
		return sendJson(res, 429, { error });
	}
	// status596Next fires on the next request that gets as far as choosing its channel.
	const force596 = (app.faults.status596Next ?? 0) > 0;

	const outcome = decide(app, verb, params, force596);
	if (force596 && outcome.outcome === 'error' && outcome.status === 596)
		takeFault(app.faults, 'status596Next');
	if (outcome.outcome === 'error') return sendJson(res, outcome.status, { error: outcome.error });
	app.countSubmission();
	if (outcome.outcome === 'existing') {
		// Execute-once (button page, 200): the existing child job as JSON, even when a stream was asked for.
		return sendJson(res, 200, app.engine.renderV3(outcome.job));
	}
	const job = app.engine.create(outcome.init);
	const answer = () => {
		if (bool(params, 'stream', true)) app.openStream(res, job);
		else sendJson(res, 201, app.engine.renderV3(job));
	};
	if (job.markers.instant) void app.engine.callbacksAttempted(job).then(answer);
	else answer();
}

function decide(app: App, verb: string, params: Params, force596: boolean): Outcome {
	switch (verb) {
		case 'imagine':
			return imagine(app, params, force596);
		case 'button':
			return button(app, params, force596);
		case 'describe':
			return describe(app, params, force596);
		case 'blend':
			return blend(app, params, force596);
		case 'seed':
			return seed(app, params, force596);
		default:
			return command(app, verb as Command, params, force596);
	}
}

interface ReplyParams {
	replyUrl?: string;
	replyRef?: string;
	replyLevel: ReplyLevel;
}

/** replyUrl / replyRef ≤ 1024, replyLevel one of all|standard|minimal (every job page). */
function replyParams(params: Params): ReplyParams | Outcome {
	const replyUrl = str(params, 'replyUrl') || undefined;
	const replyRef = str(params, 'replyRef') || undefined;
	const level = str(params, 'replyLevel') || 'all';
	if (replyUrl && replyUrl.length > 1024)
		return fail(400, 'Parameter replyUrl maximum length is 1024 characters');
	if (replyRef && replyRef.length > 1024)
		return fail(400, 'Parameter replyRef maximum length is 1024 characters');
	if (!['all', 'standard', 'minimal'].includes(level))
		return fail(400, 'Parameter replyLevel must be one of: all, standard, minimal');
	return { replyUrl, replyRef, replyLevel: level as ReplyLevel };
}

const isOutcome = (value: unknown): value is Outcome =>
	!!value && typeof value === 'object' && 'outcome' in value;

/** The model's `request`: the parameters as given, in the docs' order (replyUrl, replyRef, stream, then the verb's own). */
function echo(
	params: Params,
	reply: ReplyParams,
	own: Record<string, unknown>,
): Record<string, unknown> {
	const request: Record<string, unknown> = {};
	if (reply.replyUrl) request.replyUrl = reply.replyUrl;
	if (reply.replyRef) request.replyRef = reply.replyRef;
	if (str(params, 'replyLevel')) request.replyLevel = reply.replyLevel;
	if (params.stream !== undefined) request.stream = bool(params, 'stream', true);
	for (const [key, value] of Object.entries(own)) if (value !== undefined) request[key] = value;
	const channel = str(params, 'channel');
	if (channel) request.channel = channel;
	return request;
}

/**
 * Picks the channel for a new job. Named channel: must be configured (400), healthy (596) and, for
 * image/video jobs, have capacity (429). No channel: the least busy healthy channel with capacity.
 * `e596` (marker or fault) puts the chosen channel into the error state and answers 596.
 */
function pickChannel(
	app: App,
	requested: string | undefined,
	jobType: JobType | undefined,
	options: { e596: boolean; explicitIfMany?: boolean },
): Account | Outcome {
	const configured = app.accounts.list();
	if (configured.length === 0)
		return fail(400, 'No Midjourney channels configured, use POST /accounts to configure one');
	let account: Account;
	if (requested) {
		const found = app.accounts.get(requested);
		if (!found) return fail(400, `Channel ${requested} is not configured, see GET /accounts`);
		if (found.error) return fail(596, channelErrorMessage(found.channel));
		account = found;
	} else {
		if (options.explicitIfMany && configured.length > 1) {
			return fail(
				400,
				`channel parameter is required when multiple channels (${configured.length}) are configured`,
			);
		}
		const healthy = byLoad(
			app,
			configured.filter((candidate) => !candidate.error),
		);
		if (healthy.length === 0) return fail(596, allChannelsErrorMessage(configured.length));
		account = healthy.find((candidate) => hasCapacity(app, candidate, jobType)) ?? healthy[0];
	}
	if (options.e596) {
		app.accounts.setError(account.channel, CHANNEL_ERROR_TEXT);
		return fail(596, channelErrorMessage(account.channel));
	}
	if (!hasCapacity(app, account, jobType)) return fail(429, busyMessage(app, account, jobType));
	return account;
}

function imagine(app: App, params: Params, force596: boolean): Outcome {
	const prompt = str(params, 'prompt');
	if (!prompt || !prompt.trim()) return fail(400, 'Parameter prompt is required');
	if (prompt.length > 5000) return fail(400, 'Parameter prompt maximum length is 5000 characters');
	const reply = replyParams(params);
	if (isOutcome(reply)) return reply;
	const markers = parseMarkers(prompt, reply.replyRef);
	const jobType: JobType = /(^|\s)--video\b/.test(prompt) ? 'video' : 'image';
	const account = pickChannel(app, str(params, 'channel') || undefined, jobType, {
		e596: markers.e596 || force596,
	});
	if (isOutcome(account)) return account;
	return {
		outcome: 'create',
		init: {
			api: 'v3',
			verb: 'imagine',
			kind: jobType === 'video' ? 'videoGrid' : 'grid',
			jobType,
			channel: account.channel,
			request: echo(params, reply, { prompt }),
			prompt,
			markers,
			...replyTarget(reply, account),
		},
	};
}

/** A job without replyUrl falls back to the channel's replyUrl (POST accounts; seed page). */
function replyTarget(
	reply: ReplyParams,
	account: Account | undefined,
): Pick<JobInit, 'replyUrl' | 'replyRef' | 'replyLevel'> {
	return {
		replyUrl: reply.replyUrl ?? account?.replyUrl,
		replyRef: reply.replyRef,
		replyLevel: reply.replyLevel,
	};
}

/** Parent lookup shared by button and seed: 410 for expired ids, 404 when unknown or not a v3 job. */
function parentJob(app: App, jobId: string): JobRecord | Outcome {
	if (jobId.includes('expired')) return fail(410, 'Parent job has expired');
	const parent = app.engine.get(jobId);
	if (!parent || parent.api !== 'v3') return fail(404, 'Parent job not found');
	return parent;
}

/** The parent's channel must still be configured and healthy; image/video children need capacity there. */
function parentChannel(
	app: App,
	parent: JobRecord,
	jobType: JobType | undefined,
	e596: boolean,
): Account | Outcome {
	const account = app.accounts.get(parent.channel);
	if (!account)
		return fail(
			400,
			`Channel ${parent.channel} of the parent job is not configured, see GET /accounts`,
		);
	if (account.error) return fail(596, channelErrorMessage(account.channel));
	if (e596) {
		app.accounts.setError(account.channel, CHANNEL_ERROR_TEXT);
		return fail(596, channelErrorMessage(account.channel));
	}
	if (!hasCapacity(app, account, jobType)) return fail(429, busyMessage(app, account, jobType));
	return account;
}

/** What pressing `label` on a parent of `parentKind` produces. */
function childKind(
	parent: JobRecord,
	label: string,
): { kind: JobKind; jobType: JobType; index?: number } {
	const u = /^U([1-4])$/.exec(label);
	if (parent.jobType === 'video' || label.startsWith('Animate') || label.startsWith('Extend')) {
		if (u && parent.kind === 'videoGrid')
			return { kind: 'videoSingle', jobType: 'video', index: Number(u[1]) };
		return { kind: 'videoGrid', jobType: 'video' };
	}
	if (u) return { kind: 'upscale', jobType: 'image', index: Number(u[1]) };
	if (/Upscale/.test(label)) return { kind: 'upscaled', jobType: 'image', index: parent.index };
	return { kind: 'grid', jobType: 'image' };
}

function button(app: App, params: Params, force596: boolean): Outcome {
	const jobId = str(params, 'jobId');
	if (!jobId) return fail(400, 'jobId is required');
	const label = str(params, 'button');
	if (!label) return fail(400, 'button is required');
	if (!ALL_BUTTONS.has(label)) return fail(400, `Unsupported button "${label}"`);
	const prompt = str(params, 'prompt') || undefined;
	if (prompt && prompt.length > 5000)
		return fail(400, 'Parameter prompt maximum length is 5000 characters');
	const mask = str(params, 'mask') || undefined;
	const reply = replyParams(params);
	if (isOutcome(reply)) return reply;

	const parent = parentJob(app, jobId);
	if (isOutcome(parent)) return parent;
	if (parent.status !== 'completed')
		return fail(400, `Parent job status is "${parent.status}", must be "completed"`);
	const available = (parent.response?.buttons as string[] | undefined) ?? [];
	if (!available.includes(label)) {
		return fail(
			400,
			`Button ${label} is not available for job ${parent.jobid}, available buttons: ${available.join(', ') || 'none'}`,
		);
	}
	if (label === 'Vary (Region)' && !mask)
		return fail(400, 'Parameter mask is required for button Vary (Region)');
	if (label === 'Custom Zoom' && !prompt)
		return fail(400, 'Parameter prompt is required for button Custom Zoom');

	// Execute-once: U1–U4 return the existing child; a failed/moderated child may be retried.
	if (/^U[1-4]$/.test(label)) {
		const existing = app.engine.get(parent.executeOnce[label] ?? '');
		if (existing && (existing.status === 'completed' || !isFinal(existing.status)))
			return { outcome: 'existing', job: existing };
	}

	const markers = parseMarkers(prompt, reply.replyRef);
	const { kind, jobType, index } = childKind(parent, label);
	const account = parentChannel(app, parent, jobType, markers.e596 || force596);
	if (isOutcome(account)) return account;
	// With Remix on, remix-capable buttons take the new prompt; Custom Zoom always does (its zoom parameters).
	const remixed =
		prompt && (label === 'Custom Zoom' || (REMIX_BUTTONS.has(label) && account.settings.remix));
	return {
		outcome: 'create',
		init: {
			api: 'v3',
			verb: 'button',
			kind,
			jobType,
			channel: parent.channel,
			request: echo(params, reply, { button: label, jobId: parent.jobid, prompt, mask }),
			prompt: remixed ? (prompt as string) : parent.prompt,
			promptExtra: parent.promptExtra,
			markers,
			parent,
			button: label,
			index: index ?? parent.index,
			...replyTarget(reply, account),
		},
	};
}

/** imageUrl must be http(s); an uploaded blob must be an image of at most 10 MB. */
function checkImage(name: string, url: string | undefined, blob: unknown): string | undefined {
	if (url !== undefined) {
		if (!/^https?:\/\/\S+$/i.test(url))
			return `Parameter ${name.replace('Blob', 'Url')} must be a valid http(s) URL`;
		return undefined;
	}
	if (!isFile(blob)) return `Parameter ${name} must be a file upload (multipart/form-data)`;
	if (blob.size > MAX_IMAGE_BYTES)
		return `Parameter ${name} exceeds the maximum file size of 10 MB`;
	if (!IMAGE_TYPES.has(blob.contentType.toLowerCase())) {
		return `Parameter ${name} has content type ${blob.contentType}; supported: image/png, image/jpeg, image/webp, image/gif`;
	}
	return undefined;
}

function describe(app: App, params: Params, force596: boolean): Outcome {
	const imageUrl = str(params, 'imageUrl') || undefined;
	const imageBlob = params.imageBlob;
	if (imageUrl && imageBlob !== undefined)
		return fail(400, 'imageUrl and imageBlob are mutually exclusive, provide only one');
	if (!imageUrl && imageBlob === undefined)
		return fail(400, 'Either imageUrl or imageBlob is required');
	const imageError = checkImage('imageBlob', imageUrl, imageBlob);
	if (imageError) return fail(400, imageError);
	const reply = replyParams(params);
	if (isOutcome(reply)) return reply;
	const markers = parseMarkers(reply.replyRef);
	const account = pickChannel(app, str(params, 'channel') || undefined, undefined, {
		e596: markers.e596 || force596,
	});
	if (isOutcome(account)) return account;
	const source =
		imageUrl ?? `${(imageBlob as UploadedFile).filename}:${(imageBlob as UploadedFile).size}`;
	return {
		outcome: 'create',
		init: {
			api: 'v3',
			verb: 'describe',
			kind: 'describe',
			channel: account.channel,
			request: echo(params, reply, { describeUrl: imageUrl ?? 'blob' }),
			prompt: '',
			markers,
			describeSource: source,
			...replyTarget(reply, account),
		},
	};
}

const BLEND_DIMENSIONS: Record<string, string | undefined> = {
	Portrait: '--ar 2:3',
	Square: undefined,
	Landscape: '--ar 3:2',
};

function blend(app: App, params: Params, force596: boolean): Outcome {
	for (const key of Object.keys(params)) {
		const slot = /^image(Url|Blob)_(\d+)$/.exec(key);
		if (slot && (Number(slot[2]) < 1 || Number(slot[2]) > 5))
			return fail(
				400,
				'Maximum 5 images allowed for blend (imageUrl_1…imageUrl_5 / imageBlob_1…imageBlob_5)',
			);
	}
	const blendUrls: string[] = [];
	for (let n = 1; n <= 5; n++) {
		const url = str(params, `imageUrl_${n}`) || undefined;
		const blob = params[`imageBlob_${n}`];
		if (url && blob !== undefined)
			return fail(400, `Cannot specify both imageUrl_${n} and imageBlob_${n}`);
		if (!url && blob === undefined) continue;
		const imageError = checkImage(`imageBlob_${n}`, url, blob);
		if (imageError) return fail(400, imageError);
		blendUrls.push(url ?? `blob_${blendUrls.length}`);
	}
	if (blendUrls.length < 2) return fail(400, 'At least 2 images are required for blend');
	// blend page: "imageUrl_1 and imageUrl_2 OR imageBlob_1 and imageBlob_2 are required"; 3–5 are optional.
	for (const n of [1, 2]) {
		if (!str(params, `imageUrl_${n}`) && params[`imageBlob_${n}`] === undefined)
			return fail(400, `imageUrl_${n} or imageBlob_${n} is required`);
	}
	const dimensions = str(params, 'blendDimensions') || undefined;
	if (dimensions !== undefined && !(dimensions in BLEND_DIMENSIONS)) {
		return fail(400, 'Parameter blendDimensions must be one of: Portrait, Square, Landscape');
	}
	const reply = replyParams(params);
	if (isOutcome(reply)) return reply;
	const markers = parseMarkers(reply.replyRef);
	const account = pickChannel(app, str(params, 'channel') || undefined, 'image', {
		e596: markers.e596 || force596,
	});
	if (isOutcome(account)) return account;
	return {
		outcome: 'create',
		init: {
			api: 'v3',
			verb: 'blend',
			kind: 'grid',
			jobType: 'image',
			channel: account.channel,
			request: echo(params, reply, { blendUrls, blendDimensions: dimensions }),
			prompt: '',
			promptExtra: BLEND_DIMENSIONS[dimensions ?? 'Square'],
			markers,
			...replyTarget(reply, account),
		},
	};
}

function seed(app: App, params: Params, force596: boolean): Outcome {
	const jobId = str(params, 'jobId');
	if (!jobId) return fail(400, 'jobId is required');
	const reply = replyParams(params);
	if (isOutcome(reply)) return reply;
	const parent = parentJob(app, jobId);
	if (isOutcome(parent)) return parent;
	if (parent.status !== 'completed')
		return fail(400, `Parent job status is "${parent.status}", must be "completed" to get seed`);
	if (parent.jobType === 'video') return fail(400, 'Seed is not supported for video jobs');
	if (!['imagine', 'button', 'blend'].includes(parent.verb))
		return fail(
			400,
			`Seed is not supported for ${parent.verb} jobs, only imagine, button and blend`,
		);
	// Execute-once (what's new page: "seed retrieval can only be executed once per job").
	const existing = app.engine.get(parent.executeOnce.seed ?? '');
	if (existing && (existing.status === 'completed' || !isFinal(existing.status)))
		return { outcome: 'existing', job: existing };
	const markers = parseMarkers(reply.replyRef);
	const account = parentChannel(app, parent, undefined, markers.e596 || force596);
	if (isOutcome(account)) return account;
	return {
		outcome: 'create',
		init: {
			api: 'v3',
			verb: 'seed',
			kind: 'seed',
			channel: parent.channel,
			request: echo(params, reply, { jobId: parent.jobid }),
			prompt: parent.prompt,
			markers,
			parent,
			...replyTarget(reply, account),
		},
	};
}

function command(app: App, verb: Command, params: Params, force596: boolean): Outcome {
	if (!COMMANDS.has(verb)) return fail(404, 'Not found');
	const reply = replyParams(params);
	if (isOutcome(reply)) return reply;
	const markers: Markers = parseMarkers(reply.replyRef);
	const account = pickChannel(app, str(params, 'channel') || undefined, undefined, {
		e596: markers.e596 || force596,
		explicitIfMany: true,
	});
	if (isOutcome(account)) return account;
	return {
		outcome: 'create',
		init: {
			api: 'v3',
			verb,
			kind: 'command',
			command: verb,
			channel: account.channel,
			request: echo(params, reply, {}),
			prompt: '',
			markers,
			...replyTarget(reply, account),
		},
	};
}

function getJob(app: App, ctx: RequestContext, jobid: string): void {
	if (takeFault(app.faults, 'resetOnGetNext')) {
		ctx.req.socket.destroy();
		return;
	}
	if (takeFault(app.faults, 'status5xxOnGetNext'))
		return sendJson(ctx.res, 503, { error: 'Service Unavailable' });
	if (takeFault(app.faults, 'status502OnGetNext'))
		return sendJson(ctx.res, 502, { error: 'Bad Gateway' });
	if (jobid.includes('expired'))
		return sendJson(ctx.res, 410, { error: `Job ${jobid} has expired` });
	const job = app.engine.get(jobid);
	if (!job || job.api !== 'v3') return sendJson(ctx.res, 404, { error: 'Job not found' });
	sendJson(ctx.res, 200, app.engine.renderV3(job));
}

function deleteJob(app: App, ctx: RequestContext, jobid: string): void {
	if (jobid.includes('expired'))
		return sendJson(ctx.res, 410, { error: `Job ${jobid} has expired` });
	const job = app.engine.get(jobid);
	if (!job || job.api !== 'v3') return sendJson(ctx.res, 404, { error: 'Job not found' });
	if (isFinal(job.status)) {
		// The page: "Cannot cancel completed, failed or moderated jobs" (no status code printed).
		return sendJson(ctx.res, 400, {
			error: `Job ${jobid} is ${job.status}, only running jobs (created, started, progress) can be cancelled`,
		});
	}
	app.engine.cancel(job);
	sendEmpty(ctx.res, 204);
}

/**
 * GET jobs: running jobs per channel, in the page's shape. Readings: listUntypedJobs (jobs without
 * jobType, counted in `total` only) and listIdleChannels (configured channels with no running job).
 */
function listRunning(app: App, ctx: RequestContext): void {
	const now = Date.now();
	const { readings } = app.options;
	const running = [...app.engine.jobs.values()].filter(
		(job) =>
			job.api === 'v3' &&
			!isFinal(job.status) &&
			(job.jobType !== undefined || readings.listUntypedJobs),
	);
	const channels: Record<string, unknown> = {};
	const names = new Set([
		...(readings.listIdleChannels ? app.accounts.list().map((account) => account.channel) : []),
		...running.map((job) => job.channel),
	]);
	const count = (jobs: JobRecord[]) => ({
		total: jobs.length,
		images: jobs.filter((job) => job.jobType === 'image').length,
		videos: jobs.filter((job) => job.jobType === 'video').length,
	});
	for (const channel of names) {
		const account = app.accounts.get(channel);
		const jobs = running.filter((job) => job.channel === channel);
		channels[channel] = {
			...count(jobs),
			...(account
				? {
						maxJobs: account.maxJobs,
						maxImageJobs: account.maxImageJobs,
						maxVideoJobs: account.maxVideoJobs,
					}
				: {}),
			jobs: jobs.map((job) => {
				const seconds = Math.floor((now - job.created) / 1000);
				return {
					jobId: job.jobid,
					channel: job.channel,
					...(job.jobType ? { jobType: job.jobType } : {}),
					created: new Date(job.created).toISOString(),
					elapsed: `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`,
				};
			}),
		};
	}
	sendJson(ctx.res, 200, { ...count(running), channels });
}

// ---- accounts -------------------------------------------------------------------------------

function postAccount(app: App, ctx: RequestContext): void {
	const { res, params } = ctx;
	if (ctx.bodyError) return sendJson(res, 400, { error: ctx.bodyError });
	const discord = str(params, 'discord')?.trim();
	if (!discord)
		return sendJson(res, 400, { error: 'Required parameter discord is missing or empty' });
	const given: Partial<Record<'maxJobs' | 'maxImageJobs' | 'maxVideoJobs', number>> = {};
	for (const [name, max] of [
		['maxJobs', 15],
		['maxImageJobs', 12],
		['maxVideoJobs', 12],
	] as const) {
		const value = int(params, name);
		if (value === undefined) continue;
		if (Number.isNaN(value) || value < 1 || value > max)
			return sendJson(res, 400, { error: `Parameter ${name} must be between 1 and ${max}` });
		given[name] = value;
	}
	// Defaults are 3 each; an unspecified image/video limit never exceeds a smaller maxJobs.
	const maxJobs = given.maxJobs ?? 3;
	const limits = {
		maxJobs,
		maxImageJobs: given.maxImageJobs ?? Math.min(3, maxJobs),
		maxVideoJobs: given.maxVideoJobs ?? Math.min(3, maxJobs),
	};
	for (const name of ['maxImageJobs', 'maxVideoJobs'] as const) {
		if (limits[name] > limits.maxJobs) {
			return sendJson(res, 400, {
				error: `Parameter ${name} (${limits[name]}) must be less than or equal to maxJobs (${limits.maxJobs})`,
			});
		}
	}
	const replyUrl = str(params, 'replyUrl') || undefined;
	if (replyUrl && replyUrl.length > 2048)
		return sendJson(res, 400, { error: 'Parameter replyUrl maximum length is 2048 characters' });
	// Emulator conventions for the token-dependent answers (README): "invalid" → 401, "v2-configured" → 409.
	if (/invalid/i.test(discord)) return sendJson(res, 401, { error: 'Unauthorized' });
	const channel = channelFromDiscordToken(discord);
	// 409 when the account is configured in v2 (quick-start: one account is in v2 or v3, never both).
	if (/v2-configured/i.test(discord) || app.accounts.any(channel)?.api === 'v2') {
		return sendJson(res, 409, {
			error:
				`Legacy v2 Midjourney configuration detected for channel ${channel}. v2 and v3 APIs are incompatible and cannot coexist. ` +
				`Please delete the v2 configuration first: DELETE https://api.useapi.net/v2/midjourney/account/${channel} ` +
				'(requires Authorization header with your API key). After deletion, you can configure this channel for v3.',
		});
	}
	const { created, account } = app.accounts.upsert({ channel, discord, ...limits, replyUrl });
	sendJson(res, created ? 201 : 200, app.accounts.view(account));
}

function listAccounts(app: App, ctx: RequestContext): void {
	const accounts = app.accounts.list();
	if (accounts.length === 0) return sendEmpty(ctx.res, 404);
	const map: Record<string, unknown> = {};
	for (const account of accounts) map[account.channel] = app.accounts.view(account);
	sendJson(ctx.res, 200, map);
}
