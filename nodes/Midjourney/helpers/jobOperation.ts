import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { asNodeError } from '../transport/errors';
import { MultipartBody, type MultipartFile } from '../transport/multipart';
import { schedulerOf } from './capacity/concurrency';
import { V3 } from '../transport/jobs';
import type { Job } from '../transport/types';
import { readJobRouting, readWaitSettings } from './jobParameters';
import { jobOutputItems, readOutputOptions, type OutputOptions } from './output/jobOutput';
import { runJob } from './waiting/waitForJob';

export interface JobPayload {
	/** The operation's own parameters, as the API names them. */
	fields: IDataObject;
	/** Uploaded images (imageBlob, imageBlob_1…); when present the request is multipart/form-data. */
	files?: Record<string, MultipartFile>;
}

function requestBody(payload: JobPayload): IDataObject | MultipartBody {
	if (!payload.files || Object.keys(payload.files).length === 0) return payload.fields;
	const multipart = new MultipartBody();
	for (const [name, value] of Object.entries(payload.fields)) {
		if (value !== undefined && value !== null)
			multipart.field(name, value as string | number | boolean);
	}
	for (const [name, file] of Object.entries(payload.files)) multipart.file(name, file);
	return multipart;
}

const ANY_CHANNEL = '*';

/**
 * Channels that answered 596 (moderation or CAPTCHA pending) during this execution. Later items for
 * the same channel fail at once with the same advice instead of being submitted into the same wall;
 * a 596 for a request without a channel means every channel is blocked.
 */
const blockedChannels = new WeakMap<object, Map<string, Error>>();

function blockedFor(ctx: IExecuteFunctions, channel: string | undefined): Error | undefined {
	const blocked = blockedChannels.get(ctx);
	return blocked?.get(ANY_CHANNEL) ?? (channel ? blocked?.get(channel) : undefined);
}

function isPendingModeration(error: unknown): boolean {
	return error instanceof NodeApiError && error.httpCode === '596';
}

/** Submits `POST /v3/midjourney/jobs/<verb>` with the shared channel/reply fields and waits as the user chose. */
export async function submitAndWait(
	ctx: IExecuteFunctions,
	itemIndex: number,
	verb: string,
	payload: JobPayload,
): Promise<Job> {
	const routing = readJobRouting(ctx, itemIndex);
	const wait = readWaitSettings(ctx, itemIndex);
	const channel = routing.channel as string | undefined;
	const fields = { ...payload.fields, ...routing };
	const run = async () => {
		// Checked once the item has its slot: a 596 may have come back while it waited for one.
		const blocked = blockedFor(ctx, channel);
		if (blocked) {
			throw new NodeOperationError(ctx.getNode(), blocked.message, {
				itemIndex,
				description: `Not submitted: an earlier item of this run got the same answer. ${(blocked as NodeApiError).description ?? ''}`,
			});
		}
		return await runJob(
			ctx,
			itemIndex,
			{ path: `${V3}/jobs/${verb}`, body: requestBody({ fields, files: payload.files }), channel },
			wait,
		);
	};
	try {
		const scheduler = schedulerOf(ctx);
		const waitsForEnd = wait.mode === 'stream' || wait.mode === 'poll';
		return scheduler ? await scheduler.use(itemIndex, waitsForEnd, run) : await run();
	} catch (error) {
		if (isPendingModeration(error)) {
			if (!blockedChannels.has(ctx)) blockedChannels.set(ctx, new Map());
			blockedChannels.get(ctx)!.set(channel ?? ANY_CHANNEL, error as Error);
		}
		throw asNodeError(ctx.getNode(), error, itemIndex);
	}
}

/** The whole of a job-creating operation once its own fields are read and checked. */
export async function executeJobOperation(
	ctx: IExecuteFunctions,
	itemIndex: number,
	verb: string,
	payload: JobPayload,
	outputDefaults: Partial<OutputOptions> = {},
): Promise<INodeExecutionData[]> {
	const job = await submitAndWait(ctx, itemIndex, verb, payload);
	return await jobOutputItems(
		ctx,
		itemIndex,
		[job],
		readOutputOptions(ctx, itemIndex, outputDefaults),
	);
}
