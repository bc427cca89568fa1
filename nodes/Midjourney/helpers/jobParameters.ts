import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import {
	checkHttpUrl,
	checkMaxLength,
	invalidInput,
	requireChannelId,
	requireText,
} from './validation';
import {
	BUSY_RETRY_DELAY_LIMITS,
	checkNumber,
	checkTimeLimitSeconds,
	POLL_INTERVAL_LIMITS,
	secondsToMs,
} from './numberChecks';
import { checkMaxFileSize } from './output/jobOutput';
import { DEFAULT_MAX_FILE_SIZE_MB } from '../transport/mediaPolicy';
import type { StreamLossPolicy, WaitMode, WaitSettings } from './waiting/waitForJob';

/** The /imagine prompt, the same in v3 and v2 (both pages: at most 5000 characters). */
export const PROMPT_MAX_LENGTH = 5000;
const REPLY_URL_MAX = 1024;
const REPLY_REF_MAX = 1024;
/** The shortest time between two reads of a polled job (the reads are scheduled from the job's progress). */
export const DEFAULT_POLL_INTERVAL_SECONDS = 2;

interface JobOptions {
	/** Numbers in the editor; anything when set by an expression (see numberChecks). */
	busyRetryDelay?: unknown;
	pollInterval?: unknown;
	maxFileSizeMb?: unknown;
	replyLevel?: 'all' | 'standard' | 'minimal';
	replyRef?: string;
	replyUrl?: string;
	streamLoss?: StreamLossPolicy;
}

function jobOptions(ctx: IExecuteFunctions, itemIndex: number): JobOptions {
	return ctx.getNodeParameter('options', itemIndex, {}) as JobOptions;
}

/** The wait fields of the item, checked. */
export function readWaitSettings(ctx: IExecuteFunctions, itemIndex: number): WaitSettings {
	const mode = ctx.getNodeParameter('waitFor', itemIndex, 'stream') as WaitMode;
	const options = jobOptions(ctx, itemIndex);
	const node = ctx.getNode();
	// "Don't Wait" reads nothing more than the answer to its submission: two minutes bound that.
	const timeLimit =
		mode === 'none'
			? 120
			: checkTimeLimitSeconds(node, itemIndex, ctx.getNodeParameter('timeLimit', itemIndex, 900));
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
	// Checked here, before the job is submitted, though it is used only once the job finished.
	checkMaxFileSize(node, itemIndex, options.maxFileSizeMb ?? DEFAULT_MAX_FILE_SIZE_MB);
	return {
		mode,
		timeLimitMs: secondsToMs(timeLimit),
		pollIntervalMs: secondsToMs(pollInterval),
		onStreamLoss: options.streamLoss ?? 'resubmit',
		busyRetry: { baseDelayMs: secondsToMs(busyRetryDelay), maxAttempts: 6 },
	};
}

/** channel, replyUrl, replyRef and replyLevel as the API takes them, checked; empty ones left out. */
export function readJobRouting(ctx: IExecuteFunctions, itemIndex: number): IDataObject {
	const node = ctx.getNode();
	const body: IDataObject = {};
	const channel = String(ctx.getNodeParameter('channel', itemIndex, '') ?? '').trim();
	if (channel) body.channel = requireChannelId(node, itemIndex, 'Channel', channel);
	const options = jobOptions(ctx, itemIndex);
	const replyUrl = (options.replyUrl ?? '').trim();
	if (replyUrl) {
		checkHttpUrl(node, itemIndex, 'Reply URL', replyUrl, REPLY_URL_MAX);
		if (ctx.getNodeParameter('waitFor', itemIndex, 'stream') === 'callback') {
			throw invalidInput(
				node,
				itemIndex,
				'"Reply URL" cannot be combined with Wait for Result: Callback',
				'Callback mode uses the execution\'s own resume URL as the reply URL. Clear "Reply URL", or choose "Don\'t Wait".',
			);
		}
		body.replyUrl = replyUrl;
	}
	const replyRef = options.replyRef ?? '';
	if (replyRef) {
		checkMaxLength(node, itemIndex, 'Reply Ref', replyRef, REPLY_REF_MAX);
		body.replyRef = replyRef;
	}
	if (options.replyLevel && options.replyLevel !== 'all') body.replyLevel = options.replyLevel;
	return body;
}

/** The Job ID field, trimmed and checked: job ids have no spaces, and a pasted job object is a common slip. */
export function readJobId(ctx: IExecuteFunctions, itemIndex: number): string {
	const value = ctx.getNodeParameter('jobId', itemIndex, '') as unknown;
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
	const prompt = requireText(
		node,
		itemIndex,
		'Prompt',
		String(ctx.getNodeParameter('prompt', itemIndex, '') ?? ''),
	);
	checkMaxLength(node, itemIndex, 'Prompt', prompt, PROMPT_MAX_LENGTH);
	return prompt;
}
