import type { IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

import {
	BUSY_RETRY_DELAY_LIMITS,
	checkNumber,
	checkTimeLimitSeconds,
	POLL_INTERVAL_LIMITS,
	secondsToMs,
} from '../helpers/numberChecks';
import { DEFAULT_MAX_FILE_SIZE_MB } from '../transport/mediaPolicy';
import {
	checkMaxFileSize,
	outputOptionsFrom,
	type DownloadMode,
	type OutputOptions,
} from './output/jobOutput';
import {
	DEFAULT_STUCK_THRESHOLD_MINUTES,
	MAX_STUCK_THRESHOLD_MINUTES,
	MIN_STUCK_THRESHOLD_MINUTES,
} from './stuckJobs';
import { toolOutputDefaults, type AgentAnswer } from './toolMode';
import type { StreamLossPolicy, WaitMode, WaitSettings } from './waiting/waitSettings';
import {
	checkHttpUrl,
	checkMaxLength,
	invalidInput,
	requireChannelId,
	requireText,
} from '../helpers/validation';

/**
 * The one reader of an item's parameters that the engine and several operations share (wait
 * settings, routing, the Options collection, output options), typed once here instead of cast
 * where they are used.
 */

/** The /imagine prompt, the same in v3 and v2 (both pages: at most 5000 characters). */
export const PROMPT_MAX_LENGTH = 5000;
const REPLY_URL_MAX = 1024;
const REPLY_REF_MAX = 1024;
/** The shortest time between two reads of a polled job (the reads are scheduled from the job's progress). */
export const DEFAULT_POLL_INTERVAL_SECONDS = 2;

/** The action node's Options collection: every option any operation offers (each shows a subset). */
export interface JobOptions {
	/** As an AI Agent's tool: the compact answer (default) or the full job. */
	agentAnswer?: AgentAnswer;
	binaryPropertyName?: string;
	/** Numbers in the editor; anything when set by an expression (see helpers/numberChecks.ts). */
	busyRetryDelay?: unknown;
	/** Minutes; 0 turns the run's stuck-job watcher off (see readStuckJobThreshold). */
	cancelStuckAfter?: unknown;
	download?: DownloadMode;
	/** Legacy (V2) Imagine only. */
	maxJobs?: number;
	maxFileSizeMb?: unknown;
	maxParallelJobs?: number;
	pollInterval?: unknown;
	replyLevel?: 'all' | 'standard' | 'minimal';
	replyRef?: string;
	replyUrl?: string;
	simplify?: boolean;
	streamLoss?: StreamLossPolicy;
}

/** channel, replyUrl, replyRef and replyLevel as the API takes them; empty ones left out. */
export type JobRouting = {
	channel?: string;
	replyUrl?: string;
	replyRef?: string;
	replyLevel?: 'standard' | 'minimal';
};

/** The contexts whose parameters are read: an execution, and a webhook call (one item, no index). */
type ParameterContext = IExecuteFunctions | IWebhookFunctions;

function parameter<T>(ctx: ParameterContext, name: string, itemIndex: number, fallback: T): T {
	return (
		'getInputData' in ctx
			? ctx.getNodeParameter(name, itemIndex, fallback as never)
			: (ctx as IWebhookFunctions).getNodeParameter(name, fallback as never)
	) as T;
}

/** The resource and operation the node is set to (the same for every item). */
export function readResourceAndOperation(ctx: ParameterContext): {
	resource: string;
	operation: string;
} {
	return {
		resource: String(parameter(ctx, 'resource', 0, '')),
		operation: String(parameter(ctx, 'operation', 0, '')),
	};
}

export function readJobOptions(ctx: ParameterContext, itemIndex: number): JobOptions {
	return parameter<JobOptions>(ctx, 'options', itemIndex, {}) ?? {};
}

export function readWaitMode(ctx: ParameterContext, itemIndex: number): WaitMode {
	return parameter<WaitMode>(ctx, 'waitFor', itemIndex, 'stream');
}

/** The Channel field as written (trimmed, not checked): empty lets useapi.net choose. */
export function readChannel(ctx: ParameterContext, itemIndex: number): string {
	return String(parameter(ctx, 'channel', itemIndex, '') ?? '').trim();
}

/** A text field as written, for the engine's look-ahead over items (e.g. `--video` in a prompt). */
export function readText(ctx: ParameterContext, name: string, itemIndex: number): string {
	return String(parameter(ctx, name, itemIndex, '') ?? '');
}

/** Simplify, Download Media and Binary Property, over the operation's own defaults. */
export function readOutputOptions(
	ctx: ParameterContext,
	itemIndex: number,
	defaults: Partial<OutputOptions> = {},
): OutputOptions {
	// An AI Agent's tool downloads nothing and answers compactly unless the Options say otherwise.
	const asTool = 'getInputData' in ctx ? toolOutputDefaults(ctx, itemIndex) : {};
	const options = readJobOptions(ctx, itemIndex);
	const output = outputOptionsFrom({
		...defaults,
		...asTool,
		...options,
		maxFileSizeMb: checkMaxFileSize(
			ctx.getNode(),
			itemIndex,
			options.maxFileSizeMb ?? DEFAULT_MAX_FILE_SIZE_MB,
		),
	});
	return output;
}

/**
 * "Cancel Stuck Jobs After (Minutes)" of the run (item 0, like Max Parallel Jobs), checked, in ms:
 * 0 when the user turned it off, else within the stuck rule's bounds (default 3 minutes).
 */
export function readStuckJobThreshold(ctx: IExecuteFunctions): number {
	const minutes = readJobOptions(ctx, 0).cancelStuckAfter ?? DEFAULT_STUCK_THRESHOLD_MINUTES;
	if (minutes === 0) return 0;
	// Healthy jobs can be quiet for over half a minute; useapi.net ends stuck jobs itself after 14.
	return (
		checkNumber(ctx.getNode(), 0, 'Cancel Stuck Jobs After (Minutes)', minutes, {
			min: MIN_STUCK_THRESHOLD_MINUTES,
			max: MAX_STUCK_THRESHOLD_MINUTES,
			unit: 'minutes',
			maxNote: 'or 0 to turn it off',
		}) * 60_000
	);
}

/** The wait fields of the item, checked. */
export function readWaitSettings(ctx: IExecuteFunctions, itemIndex: number): WaitSettings {
	const mode = readWaitMode(ctx, itemIndex);
	const options = readJobOptions(ctx, itemIndex);
	const node = ctx.getNode();
	// "Don't Wait" reads nothing more than the answer to its submission: two minutes bound that.
	const timeLimit =
		mode === 'none'
			? 120
			: checkTimeLimitSeconds(node, itemIndex, parameter(ctx, 'timeLimit', itemIndex, 900));
	const pollInterval = checkNumber(
		node,
		itemIndex,
		'Poll Interval (Seconds)',
		options.pollInterval ?? DEFAULT_POLL_INTERVAL_SECONDS,
		POLL_INTERVAL_LIMITS,
	);
	const busyRetryDelay = checkNumber(
		node,
		itemIndex,
		'Busy Retry Delay (Seconds)',
		options.busyRetryDelay ?? 10,
		BUSY_RETRY_DELAY_LIMITS,
	);
	return {
		mode,
		timeLimitMs: secondsToMs(timeLimit),
		pollIntervalMs: secondsToMs(pollInterval),
		onStreamLoss: options.streamLoss ?? 'resubmit',
		busyRetry: { baseDelayMs: secondsToMs(busyRetryDelay), maxAttempts: 6 },
	};
}

/** channel, replyUrl, replyRef and replyLevel as the API takes them, checked; empty ones left out. */
export function readJobRouting(ctx: IExecuteFunctions, itemIndex: number): JobRouting {
	const node = ctx.getNode();
	const routing: JobRouting = {};
	const channel = readChannel(ctx, itemIndex);
	if (channel) routing.channel = requireChannelId(node, itemIndex, 'Channel', channel);
	const options = readJobOptions(ctx, itemIndex);
	const replyUrl = (options.replyUrl ?? '').trim();
	if (replyUrl) {
		checkHttpUrl(node, itemIndex, 'Reply URL', replyUrl, REPLY_URL_MAX);
		if (readWaitMode(ctx, itemIndex) === 'callback') {
			throw invalidInput(
				node,
				itemIndex,
				'"Reply URL" cannot be combined with Wait for Result: Callback',
				'Callback mode uses the execution\'s own resume URL as the reply URL. Clear "Reply URL", or choose "Don\'t Wait".',
			);
		}
		routing.replyUrl = replyUrl;
	}
	const replyRef = options.replyRef ?? '';
	if (replyRef) {
		checkMaxLength(node, itemIndex, 'Reply Ref', replyRef, REPLY_REF_MAX);
		routing.replyRef = replyRef;
	}
	if (options.replyLevel && options.replyLevel !== 'all') routing.replyLevel = options.replyLevel;
	return routing;
}

/** The Job ID field, trimmed and checked: job ids have no spaces, and a pasted job object is a common slip. */
export function readJobId(ctx: IExecuteFunctions, itemIndex: number): string {
	const value = parameter<unknown>(ctx, 'jobId', itemIndex, '');
	const jobId = (typeof value === 'string' ? value : '').trim();
	if (!jobId) {
		throw invalidInput(
			ctx.getNode(),
			itemIndex,
			'"Job ID" is empty',
			typeof value === 'object' && value !== null
				? 'The expression gave an object; use its "jobid" field, e.g. {{ $json.jobid }}.'
				: 'Use the "jobid" of an earlier Midjourney step, e.g. {{ $json.jobid }}.',
		);
	}
	if (/\s/.test(jobId) || jobId.length > 200) {
		throw invalidInput(
			ctx.getNode(),
			itemIndex,
			`"Job ID" is not a job ID: "${jobId.slice(0, 60)}"`,
		);
	}
	return jobId;
}

/** The Prompt field of Imagine (v3 and v2), trimmed and checked. */
export function readPrompt(ctx: IExecuteFunctions, itemIndex: number): string {
	const node = ctx.getNode();
	const prompt = requireText(node, itemIndex, 'Prompt', readText(ctx, 'prompt', itemIndex));
	checkMaxLength(node, itemIndex, 'Prompt', prompt, PROMPT_MAX_LENGTH);
	return prompt;
}
