/**
 * The v2 endpoints users still call (v2 pages): POST /v2/jobs/imagine, POST /v2/jobs/seed_async,
 * GET /v2/jobs/?jobid=. Same job engine and channels as v3; v2 answers are flat JSON with `code`.
 */
import type { Account } from './accounts';
import { byLoad, CHANNEL_ERROR_TEXT, takeFault, type App, type RequestContext } from './app';
import { int, sendJson, str } from './http-util';
import { isFinal, parseMarkers, type JobRecord } from './jobs';
import type { JobType } from './types';

export const V2_PREFIX = '/v2';

/** The v2 596 answer while a channel is in the error state (seed_async page). */
const PENDING_MOD_MESSAGE =
	'Your Discord account has received a pending moderation message from Midjourney. Please address this issue and reset the /account pendingModMessage before making any new API calls.';
const PENDING_MOD_DETAILS =
	'You have a pending moderation message. Please acknowledge it before using the bot further.';

const v2Error = (
	ctx: RequestContext,
	status: number,
	error: string,
	extra: Record<string, unknown> = {},
) => sendJson(ctx.res, status, { error, ...extra, code: status });

/** The 596 of a channel in the error state; a pending status596Next counts as fired. */
function pendingModeration(app: App, ctx: RequestContext, force596: boolean): void {
	if (force596) takeFault(app.faults, 'status596Next');
	v2Error(ctx, 596, PENDING_MOD_MESSAGE);
}

export function handleV2(app: App, ctx: RequestContext, method: string, path: string): boolean {
	const parts = path.split('/').filter(Boolean);
	if (parts[0] !== 'jobs') return false;
	if (method === 'POST' && parts.length === 2 && parts[1] === 'imagine') {
		imagine(app, ctx);
		return true;
	}
	if (method === 'POST' && parts.length === 2 && parts[1] === 'seed_async') {
		seedAsync(app, ctx);
		return true;
	}
	if (method === 'GET' && parts.length === 1) {
		getJob(app, ctx);
		return true;
	}
	return false;
}

/** Faults shared by the two job-creating v2 POSTs; true when one answered. */
function postFaults(app: App, ctx: RequestContext): boolean {
	if (ctx.bodyError) {
		v2Error(ctx, 400, ctx.bodyError);
		return true;
	}
	if (takeFault(app.faults, 'status5xxOnPostNext')) {
		v2Error(ctx, 500, 'Internal Server Error');
		return true;
	}
	if (takeFault(app.faults, 'status429Next')) {
		const account = app.accounts.list('v2')[0];
		v2Error(
			ctx,
			429,
			`Account ${account?.channel ?? ''} is busy executing ${account?.maxJobs ?? 3} jobs`,
			{ executingJobs: [] },
		);
		return true;
	}
	return false;
}

function replyError(
	replyUrl: string | undefined,
	replyRef: string | undefined,
): string | undefined {
	if (replyUrl && replyUrl.length > 1024) return 'replyUrl is too long';
	if (replyRef && replyRef.length > 1024) return 'replyRef is too long';
	return undefined;
}

function imagine(app: App, ctx: RequestContext): void {
	if (postFaults(app, ctx)) return;
	// status596Next fires on the next request that gets as far as choosing its channel (as on v3).
	const force596 = (app.faults.status596Next ?? 0) > 0;
	const { params } = ctx;
	const prompt = str(params, 'prompt');
	if (!prompt || !prompt.trim())
		return v2Error(ctx, 400, 'Required param prompt is missing or empty');
	if (prompt.length > 5000)
		return v2Error(ctx, 400, 'prompt is too long (maximum 5000 characters)');
	const replyUrl = str(params, 'replyUrl') || undefined;
	const replyRef = str(params, 'replyRef') || undefined;
	const tooLong = replyError(replyUrl, replyRef);
	if (tooLong) return v2Error(ctx, 400, tooLong);
	const maxJobsParam = int(params, 'maxJobs');
	if (
		maxJobsParam !== undefined &&
		(Number.isNaN(maxJobsParam) || maxJobsParam < 1 || maxJobsParam > 15)
	) {
		return v2Error(ctx, 400, 'maxJobs must be between 1 and 15');
	}
	const markers = parseMarkers(prompt, replyRef);
	const jobType: JobType = /(^|\s)--video\b/.test(prompt) ? 'video' : 'image';

	// Channel: the named one, else the least busy healthy one with room under maxJobs.
	const requested = str(params, 'channel') || undefined;
	const configured = app.accounts.list('v2');
	if (configured.length === 0) return v2Error(ctx, 400, 'channel is missing');
	const room = (account: Account) =>
		app.engine.load(account.channel).total < (maxJobsParam ?? account.maxJobs);
	let account: Account | undefined;
	if (requested) {
		account = app.accounts.get(requested, 'v2');
		if (!account) return v2Error(ctx, 400, `Channel ${requested} is not configured`);
		if (account.error) return pendingModeration(app, ctx, force596);
	} else {
		const healthy = byLoad(
			app,
			configured.filter((candidate) => !candidate.error),
		);
		if (healthy.length === 0) return pendingModeration(app, ctx, force596);
		account = healthy.find(room) ?? healthy[0];
	}
	const maxJobs = maxJobsParam ?? account.maxJobs;
	if (!markers.e596 && !force596 && !room(account)) {
		const executing = app.engine.load(account.channel).jobs.map((job) => job.jobid);
		return v2Error(
			ctx,
			429,
			`Account ${account.channel} is busy executing ${executing.length} jobs`,
			{ executingJobs: executing },
		);
	}

	const immediateEnd = markers.e596 || force596 || markers.moderated || markers.e504;
	const job = app.engine.create({
		api: 'v2',
		verb: 'imagine',
		kind: jobType === 'video' ? 'videoGrid' : 'grid',
		jobType,
		channel: account.channel,
		request: {},
		prompt,
		markers,
		replyUrl,
		replyRef,
		initialStatus: 'started',
		schedule: !immediateEnd,
		v2: { discord: account.discord, maxJobs },
	});
	if (markers.e596 || force596) {
		if (force596) takeFault(app.faults, 'status596Next');
		app.accounts.setError(account.channel, CHANNEL_ERROR_TEXT);
		app.engine.fail(job, CHANNEL_ERROR_TEXT, PENDING_MOD_DETAILS, 596);
		return sendJson(ctx.res, 596, app.engine.renderV2(job));
	}
	if (markers.moderated) {
		// "it will return a 422 status code if the job is moderated by Midjourney" (Q&A).
		app.engine.moderate(job);
		return sendJson(ctx.res, 422, app.engine.renderV2(job));
	}
	if (markers.e504) {
		// Q&A: a 504 means maxJobs is set higher than the Midjourney plan supports.
		app.engine.fail(
			job,
			'Midjourney did not start the job in time',
			`Check that maxJobs (${maxJobs}) does not exceed the Maximum Concurrent Jobs of your Midjourney plan`,
			504,
		);
		return sendJson(ctx.res, 504, app.engine.renderV2(job));
	}
	app.countSubmission();
	sendJson(ctx.res, 200, app.engine.renderV2(job));
}

function seedAsync(app: App, ctx: RequestContext): void {
	if (postFaults(app, ctx)) return;
	const force596 = (app.faults.status596Next ?? 0) > 0;
	const { params } = ctx;
	const jobid = str(params, 'jobid');
	if (!jobid) return v2Error(ctx, 400, 'jobid is missing');
	const replyUrl = str(params, 'replyUrl') || undefined;
	const replyRef = str(params, 'replyRef') || undefined;
	const tooLong = replyError(replyUrl, replyRef);
	if (tooLong) return v2Error(ctx, 400, tooLong);
	const parent = app.engine.get(jobid);
	if (!parent || parent.api !== 'v2')
		return v2Error(ctx, 404, `Unable to locate parent job ${jobid}`);
	if (parent.status !== 'completed') return v2Error(ctx, 400, 'Parent job must be completed');
	if (parent.jobType === 'video') return v2Error(ctx, 400, 'Job of type video not supported');
	// "If the seed was already retrieved … API will return the original job along with the seed."
	if (parent.v2?.seed) {
		app.countSubmission();
		return sendJson(ctx.res, 200, app.engine.renderV2(parent));
	}
	const running: JobRecord | undefined = app.engine.get(parent.executeOnce.seed_async ?? '');
	if (running && !isFinal(running.status)) {
		app.countSubmission();
		return sendJson(ctx.res, 200, app.engine.renderV2(running));
	}
	const account = app.accounts.get(parent.channel, 'v2');
	if (!account) return v2Error(ctx, 400, 'channel is missing');
	if (account.error) return pendingModeration(app, ctx, force596);
	const markers = parseMarkers(replyRef);
	if (markers.e596 || force596) {
		app.accounts.setError(account.channel, CHANNEL_ERROR_TEXT);
		return pendingModeration(app, ctx, force596);
	}
	const job = app.engine.create({
		api: 'v2',
		verb: 'seed_async',
		kind: 'seed',
		channel: parent.channel,
		request: {},
		prompt: parent.prompt,
		markers,
		replyUrl,
		replyRef,
		parent,
		initialStatus: 'started',
		v2: { discord: account.discord, parentJobId: parent.jobid },
	});
	app.countSubmission();
	sendJson(ctx.res, 200, app.engine.renderV2(job));
}

function getJob(app: App, ctx: RequestContext): void {
	if (takeFault(app.faults, 'resetOnGetNext')) {
		ctx.req.socket.destroy();
		return;
	}
	if (takeFault(app.faults, 'status5xxOnGetNext')) return v2Error(ctx, 503, 'Service Unavailable');
	const jobid = ctx.url.searchParams.get('jobid');
	if (!jobid) return v2Error(ctx, 400, 'jobid is missing');
	if (jobid.includes('expired')) return v2Error(ctx, 410, `Job ${jobid} has expired`);
	const job = app.engine.get(jobid);
	if (!job || job.api !== 'v2') return v2Error(ctx, 404, `Unable to locate job ${jobid}`);
	sendJson(ctx.res, 200, app.engine.renderV2(job));
}
