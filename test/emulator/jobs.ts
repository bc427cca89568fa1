/**
 * The job engine: every job (v3 and v2) lives here, advances through its lifecycle on timers,
 * notifies SSE streams and replyUrl callbacks on each status change, and is rendered in the v3 job
 * model (https://useapi.net/docs/api-midjourney-v3/get-midjourney-jobs-jobid) or the flat v2 model
 * (https://useapi.net/docs/api-v2/post-jobs-imagine, https://useapi.net/docs/api-v2/post-jobs-seed_async).
 */
import { randomInt, randomUUID } from 'crypto';

import type { AccountStore } from './accounts';
import { defaultSettings, redactDiscord } from './accounts';
import type { CallbackSender } from './callbacks';
import {
	BOT_ID,
	COMMAND_TEXT,
	GRID_BUTTONS,
	MODERATION,
	UPSCALED_BUTTONS,
	UPSCALE_BUTTONS,
	USER_ID,
	USERNAME,
	VIDEO_GRID_BUTTONS,
	VIDEO_SINGLE_BUTTONS,
	buttonComponents,
	describeComponents,
	describePrompts,
	discordAttachment,
	displaySuffix,
	imageUx,
	infoText,
	seedOf,
	settingsComponents,
	slug,
	snowflake,
	speedLabel,
	videoUx,
} from './content';
import { isoTime } from './http-util';
import type { Readings } from './readings';
import type { ChannelSettings, Job, JobStatus, JobType, OccupyOptions, ReplyLevel } from './types';

/** The account's error text after a CAPTCHA (the page says it explains that a CAPTCHA was detected; its wording is not shown). */
export const CAPTCHA_ERROR = 'CAPTCHA detected';

/** When a created job is announced (`updated` appears, `midjourney_created` is sent), as a fraction of its duration. */
const ANNOUNCE_AT = 0.02;

export const FINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'moderated'];
export const isFinal = (status: JobStatus) => FINAL_STATUSES.includes(status);

/**
 * What a job produces on completion:
 * grid (imagine, blend, V/Vary/Zoom/Pan/🔄 children), upscale (U1–U4 child), upscaled (Upscale
 * (Subtle|Creative) child), videoGrid (imagine --video, Animate, Extend), videoSingle (U on a video
 * grid), describe, seed, command (settings/info/fast/relax/turbo/remix/variability).
 */
export type JobKind =
	'grid' | 'upscale' | 'upscaled' | 'videoGrid' | 'videoSingle' | 'describe' | 'seed' | 'command';

export type Command = 'settings' | 'info' | 'fast' | 'relax' | 'turbo' | 'remix' | 'variability';

/** Prompt markers (README "Prompt markers"): test switches carried inside the prompt (or replyRef). */
export interface Markers {
	fail: boolean;
	moderated: boolean;
	e596: boolean;
	e504: boolean;
	ms?: number;
	drop: boolean;
	stall: boolean;
	malformed: boolean;
	errorEvent: boolean;
	/** The server ends the stream cleanly without a final event. */
	close: boolean;
	/** Midjourney shows a CAPTCHA: the job fails with 596 and its channel is locked (captcha-solver page). */
	captcha: boolean;
	/** The connection is destroyed right after `initialized`, before any job event. */
	dropAfterInitialized: boolean;
	/** A healthy stream that writes nothing between `created` and the final event. */
	quiet: boolean;
	/** --emu-queued=N: the job stays `created` for N ms more before it starts (a relax queue). */
	queuedMs?: number;
	/**
	 * --emu-instant: the job runs to its end as it is created, and the creating request is answered
	 * only once its callbacks were attempted: the final callback reaches the client's resume URL
	 * while the client still waits for the answer (before it can park an execution), every time.
	 */
	instant: boolean;
}

/** A stream marker decides how the job's stream behaves; the silent-stream readings leave it alone. */
export const hasStreamMarker = (markers: Markers): boolean =>
	markers.drop ||
	markers.dropAfterInitialized ||
	markers.stall ||
	markers.errorEvent ||
	markers.close ||
	markers.quiet;

export function parseMarkers(...texts: Array<string | undefined>): Markers {
	const text = texts.filter(Boolean).join(' ');
	const ms = /--emu-ms=(\d+)/.exec(text);
	const queued = /--emu-queued=(\d+)/.exec(text);
	return {
		fail: /--emu-fail\b/.test(text),
		moderated: /--emu-moderated\b/.test(text),
		e596: /--emu-596\b/.test(text),
		e504: /--emu-504\b/.test(text),
		ms: ms ? Number(ms[1]) : undefined,
		drop: /--emu-drop(?!-)\b/.test(text),
		dropAfterInitialized: /--emu-drop-after-initialized\b/.test(text),
		stall: /--emu-stall\b/.test(text),
		malformed: /--emu-malformed\b/.test(text),
		errorEvent: /--emu-error-event\b/.test(text),
		close: /--emu-close\b/.test(text),
		captcha: /--emu-captcha\b/.test(text),
		quiet: /--emu-quiet\b/.test(text),
		queuedMs: queued ? Number(queued[1]) : undefined,
		instant: /--emu-instant\b/.test(text),
	};
}

export interface V2Fields {
	discord: string;
	maxJobs?: number;
	parentJobId?: string;
	seed?: { value: number; content: string; attachments: Array<Record<string, unknown>> };
}

export interface JobRecord {
	api: 'v3' | 'v2';
	jobid: string;
	verb: string;
	kind: JobKind;
	jobType?: JobType;
	command?: Command;
	status: JobStatus;
	created: number;
	updated?: number;
	channel: string;
	/** Echo of the request parameters (the model's `request`). */
	request: Record<string, unknown>;
	response?: Record<string, unknown>;
	error?: string;
	errorDetails?: string;
	code?: number;
	/** The prompt Midjourney echoes in its messages (markers included, as sent). */
	prompt: string;
	/** Extra parameters Midjourney shows after the prompt (blend's --ar). */
	promptExtra?: string;
	/** The Midjourney job uuid used in CDN and Discord file names. */
	uuid: string;
	messageId: string;
	markers: Markers;
	durationMs: number;
	replyUrl?: string;
	replyLevel: ReplyLevel;
	replyRef?: string;
	parentId?: string;
	button?: string;
	/** 1–4 for U buttons: which grid cell. */
	index?: number;
	/** The channel's settings when the job started (speed label and suffix in messages). */
	settings: ChannelSettings;
	describeSource?: string;
	children: Record<string, string>;
	executeOnce: Record<string, string>;
	timers: Set<NodeJS.Timeout>;
	listeners: Set<(job: JobRecord) => void>;
	/** Frozen after its stream ended before a final status, whoever ended it (SSE guide: stuck until DELETE or 14 min). */
	stuck: boolean;
	/** A job of another client of the account (Emulator.occupy): not counted as created. */
	foreign?: boolean;
	v2?: V2Fields;
}

export interface JobInit {
	api: 'v3' | 'v2';
	verb: string;
	kind: JobKind;
	jobType?: JobType;
	command?: Command;
	channel: string;
	request: Record<string, unknown>;
	prompt: string;
	promptExtra?: string;
	markers: Markers;
	replyUrl?: string;
	replyLevel?: ReplyLevel;
	replyRef?: string;
	parent?: JobRecord;
	button?: string;
	index?: number;
	describeSource?: string;
	v2?: V2Fields;
	/** v2 jobs are answered once Midjourney started them: they begin in `started`. */
	initialStatus?: 'created' | 'started';
	/** false: no lifecycle timers (the caller finishes the job at once: v2 422/504/596). */
	schedule?: boolean;
	/** A job of another client of the account (Emulator.occupy). */
	foreign?: boolean;
	durationMs?: number;
}

export interface EngineOptions {
	jobDurationMs: number;
	imageBytes: number;
	stuckTimeoutMs: number;
	readings: Readings;
}

const clone = <T>(value: T): T =>
	value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);

export class JobEngine {
	readonly jobs = new Map<string, JobRecord>();
	private createdCount = 0;
	private peakRunning = 0;
	/** Timers that belong to no job (the CAPTCHA solver). */
	private timers = new Set<NodeJS.Timeout>();

	constructor(
		private readonly options: EngineOptions,
		private readonly accounts: AccountStore,
		private readonly callbacks: CallbackSender,
	) {}

	get(jobid: string): JobRecord | undefined {
		return this.jobs.get(jobid);
	}

	count(): number {
		return this.createdCount;
	}

	/** The most capacity-tracked jobs (image, video) that were running at the same time, over all channels. */
	maxRunning(): number {
		return this.peakRunning;
	}

	/** Image and video jobs not yet final on a channel: the ones that hold capacity (jobType tracking). */
	running(channel?: string): JobRecord[] {
		return [...this.jobs.values()].filter(
			(job) =>
				job.jobType !== undefined &&
				!isFinal(job.status) &&
				(channel === undefined || job.channel === channel),
		);
	}

	load(channel: string): { total: number; images: number; videos: number; jobs: JobRecord[] } {
		const jobs = this.running(channel);
		const images = jobs.filter((job) => job.jobType === 'image').length;
		return { total: jobs.length, images, videos: jobs.length - images, jobs };
	}

	/** Job ids as the docs print them: j + MMDDHHmmssSSS + 6 digits + i (image) / v (video) / nothing, then user and channel. */
	private newJobId(now: number, jobType: JobType | undefined, channel: string): string {
		const date = new Date(now);
		const two = (n: number) => String(n).padStart(2, '0');
		const stamp =
			two(date.getUTCMonth() + 1) +
			two(date.getUTCDate()) +
			two(date.getUTCHours()) +
			two(date.getUTCMinutes()) +
			two(date.getUTCSeconds()) +
			String(date.getUTCMilliseconds()).padStart(3, '0');
		const suffix = jobType === 'image' ? 'i' : jobType === 'video' ? 'v' : '';
		for (;;) {
			const id = `j${stamp}${String(randomInt(10 ** 6)).padStart(6, '0')}${suffix}-u12345-c${channel}-bot:midjourney`;
			if (!this.jobs.has(id)) return id;
		}
	}

	create(init: JobInit): JobRecord {
		const now = Date.now();
		const account = this.accounts.any(init.channel);
		const job: JobRecord = {
			api: init.api,
			jobid: this.newJobId(now, init.jobType, init.channel),
			verb: init.verb,
			kind: init.kind,
			jobType: init.jobType,
			command: init.command,
			status: init.initialStatus ?? 'created',
			created: now,
			channel: init.channel,
			request: init.request,
			prompt: init.prompt,
			promptExtra: init.promptExtra,
			uuid: randomUUID(),
			messageId: snowflake(),
			markers: init.markers,
			durationMs: init.durationMs ?? init.markers.ms ?? this.options.jobDurationMs,
			replyUrl: init.replyUrl,
			replyLevel: init.replyLevel ?? 'all',
			replyRef: init.replyRef,
			parentId: init.parent?.jobid,
			button: init.button,
			index: init.index,
			settings: { ...(account?.settings ?? init.parent?.settings ?? defaultSettings()) },
			describeSource: init.describeSource,
			children: {},
			executeOnce: {},
			timers: new Set(),
			listeners: new Set(),
			stuck: false,
			foreign: init.foreign,
			v2: init.v2,
		};
		if (job.status === 'started') {
			job.updated = now;
			job.response = this.startedResponse(job);
		}
		this.jobs.set(job.jobid, job);
		if (!job.foreign) this.createdCount++;
		if (job.jobType !== undefined)
			this.peakRunning = Math.max(this.peakRunning, this.running().length);
		if (init.parent) {
			init.parent.children[job.jobid] = init.button ?? init.verb;
			if (init.button && /^U[1-4]$/.test(init.button))
				init.parent.executeOnce[init.button] = job.jobid;
			if (init.verb === 'seed' || init.verb === 'seed_async')
				init.parent.executeOnce[init.verb] = job.jobid;
		}
		this.notifyCallback(job);
		if (init.schedule !== false) this.schedule(job);
		return job;
	}

	subscribe(job: JobRecord, listener: (job: JobRecord) => void): () => void {
		job.listeners.add(listener);
		return () => job.listeners.delete(listener);
	}

	// ---- lifecycle ------------------------------------------------------------------------------

	/**
	 * Runs the steps at their fractions of the job's duration, one after another: each timer is set
	 * when the previous step ran, so a busy event loop delays steps but never reorders them (Node
	 * runs due timers per duration list, not strictly in expiry order).
	 */
	private plan(job: JobRecord, steps: Array<[number, () => void]>, holdMs = 0): void {
		const ordered = [...steps].sort((a, b) => a[0] - b[0]);
		if (job.markers.instant) {
			// --emu-instant: every step now, before the creating request is answered.
			for (const [, step] of ordered) if (!isFinal(job.status)) step();
			return;
		}
		const run = (index: number, previous: number) => {
			if (index >= ordered.length) return;
			const [at, step] = ordered[index];
			// --emu-queued: the first step after the announcement waits the extra time (still `created`).
			const hold =
				index > 0 && ordered[index - 1][0] <= ANNOUNCE_AT && at > ANNOUNCE_AT ? holdMs : 0;
			const timer = setTimeout(
				() => {
					job.timers.delete(timer);
					step();
					// A step may have ended the job, or its stream may have been cut (stuck): nothing follows then.
					if (!isFinal(job.status) && !job.stuck) run(index + 1, at);
				},
				Math.round(job.durationMs * (at - previous)) + hold,
			);
			timer.unref?.();
			job.timers.add(timer);
		};
		run(0, 0);
	}

	private clearTimers(job: JobRecord): void {
		for (const timer of job.timers) clearTimeout(timer);
		job.timers.clear();
	}

	/**
	 * The progress steps of a job, as the transcripts show them: [fraction of the duration, what the
	 * step says]. A number is a `progress_percent`; 'waiting' is Midjourney's "(Waiting to start)"
	 * message (no percent); 'empty' is the empty message of describe and the settings commands.
	 */
	private progressSteps(job: JobRecord): Array<[number, number | 'waiting' | 'empty']> {
		switch (job.kind) {
			case 'grid':
			case 'videoGrid':
				// blend page: "(Waiting to start)", then 35 … 87 %; imagine page: 0, 15, 38, 96 %.
				if (job.verb === 'blend')
					return [
						[0.1, 'waiting'],
						[0.2, 35],
						[0.3, 39],
						[0.45, 47],
						[0.6, 59],
						[0.7, 71],
						[0.85, 87],
					];
				return [
					[0.2, 0],
					[0.4, 15],
					[0.6, 38],
					[0.8, 96],
				];
			case 'upscale':
			case 'upscaled':
			case 'videoSingle':
				// button page (U2): one "Upscaling image #2 with … (Waiting to start)" step.
				return [[0.5, 'waiting']];
			case 'seed':
				// seed page: created, then completed (v2 seed_async posts a progress update).
				return job.api === 'v2' ? [[0.5, 'empty']] : [];
			default:
				// describe and the settings commands: one progress event with empty content.
				return [[0.5, 'empty']];
		}
	}

	/** Spreads the status changes over the job's duration; markers bend the path to failed/moderated. */
	private schedule(job: JobRecord): void {
		const { markers } = job;
		// The transcripts' `midjourney_created` event already carries `updated` (the 201 answer does not):
		// the job is announced a moment after it is created.
		const steps: Array<[number, () => void]> = [];
		if (job.status === 'created') steps.push([ANNOUNCE_AT, () => this.announce(job)]);
		if (markers.moderated) {
			steps.push([0.3, () => this.moderate(job)]);
		} else if (markers.captcha) {
			steps.push([0.3, () => this.captcha(job)]);
		} else {
			for (const [at, step] of this.progressSteps(job)) {
				if (markers.fail && at > 0.5) break;
				steps.push([at, () => this.progress(job, step)]);
			}
			steps.push(markers.fail ? [0.6, () => this.fail(job)] : [1, () => this.complete(job)]);
		}
		this.plan(job, steps, job.status === 'created' ? (markers.queuedMs ?? 0) : 0);
	}

	/** The created job is on its way to Midjourney: `updated` appears and streams send `midjourney_created`. */
	private announce(job: JobRecord): void {
		if (job.status !== 'created' || job.updated !== undefined) return;
		job.updated = Date.now();
		for (const listener of [...job.listeners]) listener(job);
	}

	private transition(job: JobRecord, status: JobStatus, mutate: () => void): void {
		if (isFinal(job.status)) return;
		job.status = status;
		job.updated = Date.now();
		mutate();
		if (isFinal(status)) {
			this.clearTimers(job);
			job.stuck = false;
		}
		for (const listener of [...job.listeners]) listener(job);
		this.notifyCallback(job);
	}

	private baseMessage(job: JobRecord, type: number): Record<string, unknown> {
		const message: Record<string, unknown> = {
			id: job.messageId,
			type,
			channel_id: job.channel,
			timestamp: isoTime(job.created).replace('Z', '000+00:00'),
			author: { id: BOT_ID, username: 'Midjourney Bot', bot: true },
		};
		if (type === 20) message.webhook_id = BOT_ID;
		return message;
	}

	/** "**prompt --v 7.0 --s 250**" as Midjourney echoes it. */
	private promptLine(job: JobRecord, prompt = job.prompt): string {
		// "**prompt params**"; with no prompt (blend) Midjourney still writes the space: "** --ar 2:3 …**".
		const params = [job.promptExtra, displaySuffix(job.settings, prompt)].filter(Boolean).join(' ');
		return `**${prompt}${params ? ` ${params}` : ''}**`;
	}

	/** v2 jobs are answered once started: "(Waiting to start)". */
	private startedResponse(job: JobRecord): Record<string, unknown> {
		return {
			...this.baseMessage(job, 20),
			content: `${this.promptLine(job)} - <@${USER_ID}> (Waiting to start)`,
		};
	}

	private progress(job: JobRecord, step: number | 'waiting' | 'empty'): void {
		this.transition(job, 'progress', () => {
			const response = this.baseMessage(job, 20);
			if (step === 'empty') {
				// describe page: content and components only; settings pages: the full (ephemeral) message.
				Object.assign(
					response,
					job.kind === 'describe'
						? { content: '', components: [] }
						: { flags: 192, content: '', components: [], embeds: [], attachments: [] },
				);
			} else if (step === 'waiting') {
				if (job.kind === 'grid' || job.kind === 'videoGrid') {
					Object.assign(response, {
						content: `${this.promptLine(job)} - <@${USER_ID}> (Waiting to start)`,
						attachments: [],
					});
				} else {
					const what = job.kind === 'videoSingle' ? 'video' : 'image';
					response.content = `Upscaling ${what} #${job.index ?? 1} with ${this.promptLine(job)} - <@${USER_ID}> (Waiting to start)`;
				}
			} else {
				response.content = `${this.promptLine(job)} - <@${USER_ID}> (${step}%) (${speedLabel(job.settings)})`;
				// Reading progressPercent: the SSE guide says it is "not always present".
				if (this.options.readings.progressPercent) response.progress_percent = step;
				// The preview grid appears from 38 % (imagine page) / 39 % (blend page, which lists `attachments: []` before).
				const preview = job.verb === 'blend' ? step >= 39 : step >= 38;
				if (preview) {
					response.attachments = [
						discordAttachment({
							channel: job.channel,
							filename: `${job.uuid}_grid_0.webp`,
							width: 512,
							height: 512,
							size: 26968,
							contentType: 'image/webp',
						}),
					];
				} else if (job.verb === 'blend') response.attachments = [];
			}
			job.response = response;
		});
	}

	private complete(job: JobRecord): void {
		this.transition(job, 'completed', () => {
			job.response = this.completedResponse(job);
			job.code = 200;
		});
	}

	/** Fails a job (--emu-fail, DELETE, the stuck timeout). Top-level error/errorDetails/code as the model says. */
	fail(
		job: JobRecord,
		error = 'Midjourney job failed',
		errorDetails = 'Emulated failure requested with --emu-fail',
		code = 500,
	): void {
		this.transition(job, 'failed', () => {
			job.error = error;
			job.errorDetails = errorDetails;
			job.code = code;
		});
	}

	/**
	 * captcha-solver page: "The generation that triggered the CAPTCHA fails with a `596` error. The
	 * Midjourney account is locked and updated with an error message explaining that a CAPTCHA was
	 * detected. All subsequent API calls for this account will return `596`" until reset.
	 */
	captcha(job: JobRecord): void {
		this.accounts.setError(job.channel, CAPTCHA_ERROR);
		const solveMs = this.options.readings.captchaSolvedAfterMs;
		if (solveMs > 0) {
			// Reading captchaSolvedAfterMs: the solver unlocks the channel (unless it was reset or locked anew).
			const timer = setTimeout(() => {
				this.timers.delete(timer);
				if (this.accounts.any(job.channel)?.error === CAPTCHA_ERROR)
					this.accounts.setError(job.channel, undefined);
			}, solveMs);
			timer.unref?.();
			this.timers.add(timer);
		}
		this.fail(
			job,
			CAPTCHA_ERROR,
			'Midjourney asked to solve a CAPTCHA; the account is locked until it is solved or reset (POST accounts/reset/{channel}).',
			596,
		);
	}

	moderate(job: JobRecord): void {
		this.transition(job, 'moderated', () => {
			job.response = {
				...this.baseMessage(job, 20),
				content: '',
				embeds: [
					{
						type: 'rich',
						title: MODERATION.error,
						description: MODERATION.details,
						color: 16711680,
					},
				],
			};
			job.error = MODERATION.error;
			job.errorDetails = MODERATION.details;
			job.code = 422;
		});
	}

	/** DELETE jobs/{jobid}: the docs' "Job cancelled by user" failure; frees the slot at once. */
	cancel(job: JobRecord): void {
		this.transition(job, 'failed', () => {
			job.error = 'Job cancelled by user';
		});
	}

	/**
	 * The SSE stream ended before a final status (client abort, network cut, an emulated fault). The
	 * SSE guide: the job "becomes stuck in `progress` status", keeps its slot, and stays so for 14
	 * minutes unless DELETE frees it. A job still `created` is shown as `progress` from then on
	 * (quietly: no event, no callback; what the record says next is not documented).
	 */
	abandon(job: JobRecord): void {
		if (isFinal(job.status) || job.stuck) return;
		this.clearTimers(job);
		job.stuck = true;
		if (job.status !== 'progress') {
			job.status = 'progress';
			job.updated = Date.now();
		}
		const timer = setTimeout(() => {
			job.timers.delete(timer);
			this.fail(
				job,
				'Job timed out',
				'The SSE stream was closed before the job finished; the job timed out.',
				504,
			);
		}, this.options.stuckTimeoutMs);
		timer.unref?.();
		job.timers.add(timer);
	}

	private completedResponse(job: JobRecord): Record<string, unknown> {
		const content = `${this.promptLine(job)} - <@${USER_ID}> (${speedLabel(job.settings)})`;
		const name = `${USERNAME}_${slug(job.prompt)}_${job.uuid}`;
		const imageSize = this.options.imageBytes;
		switch (job.kind) {
			case 'grid':
				return {
					...this.baseMessage(job, 0),
					content,
					components: buttonComponents(GRID_BUTTONS, job.uuid),
					attachments: [
						discordAttachment({
							channel: job.channel,
							filename: `${name}.png`,
							width: 2048,
							height: 2048,
							size: imageSize * 4,
							contentType: 'image/png',
						}),
					],
					buttons: [...GRID_BUTTONS],
					imageUx: imageUx(job.uuid, 4),
				};
			case 'upscale':
			case 'upscaled': {
				const buttons = job.kind === 'upscale' ? UPSCALE_BUTTONS : UPSCALED_BUTTONS;
				return {
					...this.baseMessage(job, 0),
					content: `${this.promptLine(job)} - Image #${job.index ?? 1} <@${USER_ID}>`,
					components: buttonComponents(buttons, job.uuid),
					attachments: [
						discordAttachment({
							channel: job.channel,
							filename: `${name}.png`,
							width: 1024,
							height: 1024,
							size: imageSize,
							contentType: 'image/png',
						}),
					],
					// No imageUx: the button page's U2 transcript shows content, attachments and buttons only.
					buttons: [...buttons],
				};
			}
			case 'videoGrid':
				return {
					...this.baseMessage(job, 0),
					content,
					components: buttonComponents(VIDEO_GRID_BUTTONS, job.uuid),
					attachments: [
						discordAttachment({
							channel: job.channel,
							filename: `${name}.png`,
							width: 1280,
							height: 720,
							size: imageSize,
							contentType: 'image/png',
						}),
					],
					buttons: [...VIDEO_GRID_BUTTONS],
					videoUx: videoUx(job.uuid, 4),
				};
			case 'videoSingle':
				return {
					...this.baseMessage(job, 0),
					content: `${this.promptLine(job)} - Video #${job.index ?? 1} <@${USER_ID}>`,
					components: buttonComponents(VIDEO_SINGLE_BUTTONS, job.uuid),
					attachments: [
						discordAttachment({
							channel: job.channel,
							filename: `${name}.mp4`,
							width: 1280,
							height: 720,
							size: imageSize,
							contentType: 'video/mp4',
						}),
					],
					buttons: [...VIDEO_SINGLE_BUTTONS],
					videoUx: videoUx(job.uuid, 1),
				};
			case 'describe': {
				const prompts = describePrompts(job.describeSource ?? job.jobid);
				return {
					...this.baseMessage(job, 20),
					embeds: [
						{
							type: 'rich',
							description: prompts,
							color: 0,
							image: {
								url: `https://cdn.discordapp.com/ephemeral-attachments/${job.channel}/${job.messageId}/describe.png`,
							},
						},
					],
					content: prompts,
					components: describeComponents(),
				};
			}
			case 'seed':
				return this.seedResponse(job);
			case 'command':
				return this.commandResponse(job);
		}
	}

	private seedResponse(job: JobRecord): Record<string, unknown> {
		const parent = job.parentId ? this.jobs.get(job.parentId) : undefined;
		const uuid = parent?.uuid ?? job.uuid;
		const seed = seedOf(uuid);
		const prompt = parent?.prompt ?? '';
		const content = `${parent ? this.promptLine(parent) : '**?**'}\n**Job ID**: ${uuid}\n**seed** ${seed}`;
		const attachments = [0, 1, 2, 3].map((i) =>
			discordAttachment({
				channel: job.channel,
				filename: `anonymous_${slug(prompt)}_${i}_${uuid}.png`,
				width: 1024,
				height: 1024,
				size: this.options.imageBytes,
				contentType: 'image/png',
			}),
		);
		if (job.v2 && parent?.v2) {
			job.v2.seed = { value: seed, content, attachments };
			parent.v2.seed = job.v2.seed;
		}
		// The seed is in `content` only ("**seed** 3937070146"), as the seed page's transcript shows; the
		// job model has no `response.seed` (the page's example code reads one, its transcript has none).
		return { ...this.baseMessage(job, 0), content, attachments };
	}

	private commandResponse(job: JobRecord): Record<string, unknown> {
		// Toggles act on the channel's live settings (kept per channel, so they toggle); a deleted channel keeps the snapshot.
		const settings = this.accounts.any(job.channel)?.settings ?? job.settings;
		const message = {
			...this.baseMessage(job, 20),
			flags: 64,
			embeds: [] as unknown[],
			components: [] as unknown[],
			attachments: [],
		};
		const speed = () => ({ relax: settings.relax, fast: settings.fast, turbo: settings.turbo });
		const setSpeed = (mode: 'fast' | 'relax' | 'turbo') => {
			settings.fast = mode === 'fast';
			settings.relax = mode === 'relax';
			settings.turbo = mode === 'turbo';
		};
		switch (job.command) {
			case 'fast':
			case 'relax':
			case 'turbo':
				setSpeed(job.command);
				return { ...message, content: COMMAND_TEXT[job.command], settings: speed() };
			case 'remix':
				settings.remix = !settings.remix;
				return {
					...message,
					content: settings.remix ? COMMAND_TEXT.remixOn : COMMAND_TEXT.remixOff,
					settings: { remix: settings.remix },
				};
			case 'variability':
				settings.variability = !settings.variability;
				return {
					...message,
					content: settings.variability ? COMMAND_TEXT.variabilityOn : COMMAND_TEXT.variabilityOff,
					settings: { variability: settings.variability },
				};
			case 'info': {
				const text = infoText(settings, this.running(job.channel).length);
				return {
					...message,
					embeds: [{ type: 'rich', title: `Your info - ${USERNAME}`, description: text, color: 0 }],
					content: text,
					components: [
						{
							type: 1,
							id: 1,
							components: [
								{
									url: 'https://www.midjourney.com/imagine',
									type: 2,
									style: 5,
									label: 'Go to your feed',
									id: 2,
								},
							],
						},
					],
					settings: speed(),
				};
			}
			case 'settings':
			default:
				return {
					...message,
					content: `Adjust your settings here. Current suffix: \` ${settings.suffix}\``,
					components: settingsComponents(settings),
					settings: { ...settings },
				};
		}
	}

	// ---- rendering ------------------------------------------------------------------------------

	/** The job as the API shows it: v3 model, or the v2 flat model for v2 jobs. */
	render(job: JobRecord): Job {
		return job.api === 'v2' ? this.renderV2(job) : this.renderV3(job);
	}

	renderV3(job: JobRecord): Job {
		const out: Job = {
			jobid: job.jobid,
			verb: job.verb,
			...(job.jobType ? { jobType: job.jobType } : {}),
			status: job.status,
			created: isoTime(job.created),
			...(job.updated ? { updated: isoTime(job.updated) } : {}),
			request: clone(job.request),
		};
		if (job.response) {
			const response = clone(job.response);
			// Tracked once children exist (the imagine transcript's completed job, with none, shows neither).
			if (job.status === 'completed' && Object.keys(job.executeOnce).length)
				response.executeOnce = { ...job.executeOnce };
			if (job.status === 'completed' && Object.keys(job.children).length)
				response.children = { ...job.children };
			out.response = response;
		}
		if (job.error !== undefined) out.error = job.error;
		if (job.errorDetails !== undefined) out.errorDetails = job.errorDetails;
		if (job.code !== undefined) out.code = job.code;
		return out;
	}

	/** v2 model (the v2 pages post-jobs-imagine and post-jobs-seed_async): request fields at the top level. */
	renderV2(job: JobRecord): Job {
		const v2 = job.v2 as V2Fields;
		const response = job.response ?? {};
		const out: Job = {
			jobid: job.jobid,
			verb: job.verb,
			status: job.status,
			created: isoTime(job.created),
			updated: isoTime(job.updated ?? job.created),
		};
		if (job.verb === 'imagine') out.prompt = job.prompt;
		if (v2.parentJobId) out.parentJobId = v2.parentJobId;
		out.discord = redactDiscord(v2.discord);
		out.channel = job.channel;
		if (v2.maxJobs !== undefined) out.maxJobs = v2.maxJobs;
		if (job.replyUrl) out.replyUrl = job.replyUrl;
		if (job.replyRef) out.replyRef = job.replyRef;
		if (job.verb === 'imagine') {
			out.messageId = job.messageId;
			if (typeof response.content === 'string') out.content = response.content;
			out.timestamp = isoTime(job.created).replace('Z', '000+00:00');
			if (job.status === 'completed') {
				out.attachments = clone(response.attachments);
				out.buttons = clone(response.buttons);
			}
		} else if (job.status === 'completed' && typeof response.content === 'string') {
			out.content = response.content;
		}
		if (v2.seed) out.seed = clone(v2.seed);
		if (job.error !== undefined) out.error = job.error;
		if (job.errorDetails !== undefined) out.errorDetails = job.errorDetails;
		out.code = job.code ?? 200;
		return out;
	}

	// ---- callbacks ------------------------------------------------------------------------------

	/** Resolves when the callbacks the job has sent so far were attempted (--emu-instant's answer waits). */
	async callbacksAttempted(job: JobRecord): Promise<void> {
		await this.callbacks.attempted(job.jobid);
	}

	/** replyUrl POSTs, filtered by replyLevel (imagine page) for v3 and by the v2 pages' wording for v2. */
	private notifyCallback(job: JobRecord): void {
		if (!job.replyUrl) return;
		const final = isFinal(job.status);
		let send: boolean;
		if (job.api === 'v2') {
			// v2 imagine: "once job completed or failed"; seed_async: "task progress updates until complete or fails".
			send = final || (job.verb === 'seed_async' && job.status === 'progress');
		} else if (job.replyLevel === 'minimal') send = final;
		else if (job.replyLevel === 'standard') send = final || job.status === 'created';
		else send = true;
		if (send) this.callbacks.send(job.jobid, job.replyUrl, this.render(job));
	}

	// ---- housekeeping ---------------------------------------------------------------------------

	/**
	 * Another client's image/video jobs on a channel, each running `forMs` (Emulator.occupy). They
	 * take the free slots as a submission would, so they never exceed the channel's limits.
	 */
	occupy(options: OccupyOptions): string[] {
		const jobType = options.jobType ?? 'image';
		const account = options.channel
			? this.accounts.get(options.channel)
			: this.accounts.list().find((candidate) => candidate.api === 'v3');
		if (!account) throw new Error(`Channel ${options.channel ?? '(first)'} is not configured`);
		if (!Number.isFinite(options.forMs) || options.forMs <= 0)
			throw new Error('forMs must be a positive number of milliseconds');
		const load = this.load(account.channel);
		const typeLimit =
			jobType === 'image' ? account.maxImageJobs - load.images : account.maxVideoJobs - load.videos;
		const free = Math.max(0, Math.min(account.maxJobs - load.total, typeLimit));
		const count = Math.min(options.jobs ?? free, free);
		const ids: string[] = [];
		for (let i = 0; i < count; i++) {
			const prompt = `another client's job ${i + 1}${jobType === 'video' ? ' --video' : ''}`;
			const job = this.create({
				api: 'v3',
				verb: 'imagine',
				kind: jobType === 'video' ? 'videoGrid' : 'grid',
				jobType,
				channel: account.channel,
				request: { prompt, stream: false },
				prompt,
				markers: parseMarkers(),
				foreign: true,
				durationMs: options.forMs,
			});
			ids.push(job.jobid);
		}
		return ids;
	}

	/** Forget every job and stop every timer (reset/close). */
	clear(): void {
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		for (const job of this.jobs.values()) {
			this.clearTimers(job);
			job.listeners.clear();
		}
		this.jobs.clear();
		this.createdCount = 0;
		this.peakRunning = 0;
	}
}
