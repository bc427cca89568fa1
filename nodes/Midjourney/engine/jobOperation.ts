import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { readJobRouting, readOutputOptions, readWaitSettings } from './itemParameters';
import { asNodeError } from '../transport/errors';
import { jobCommandPath } from '../transport/jobs';
import { channelOfJobId } from './capacity/capacity';
import { MultipartBody, type MultipartFile } from '../transport/multipart';
import type { Job } from '../transport/types';
import type { JobRun } from './jobRun';
import { jobOutputItems, type OutputOptions } from './output/jobOutput';
import { runJob } from './waiting/runJob';
import { waitsForEnd } from './waiting/waitSettings';

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

/** What an item asks for, as its errors name it before any job exists: its prompt, or its button and parent job. */
function submissionLabel(verb: string, fields: IDataObject): string {
	const quoted = (text: unknown) => {
		const value = String(text);
		return `"${value.length > 200 ? `${value.slice(0, 200)}…` : value}"`;
	};
	if (verb === 'button') return `button ${quoted(fields.button)} of job ${String(fields.jobId)}`;
	if (typeof fields.prompt === 'string' && fields.prompt) return `prompt ${quoted(fields.prompt)}`;
	if (typeof fields.jobId === 'string') return `${verb} of job ${fields.jobId}`;
	return verb;
}

/**
 * The item's wait, routing and output settings, read and checked as submitAndWait and
 * executeJobOperation read them: part of every job operation's preflight (engine/preflight.ts).
 */
export function readJobSettings(ctx: IExecuteFunctions, itemIndex: number): void {
	readJobRouting(ctx, itemIndex);
	readWaitSettings(ctx, itemIndex);
	readOutputOptions(ctx, itemIndex);
}

/**
 * Submits `POST /v3/midjourney/jobs/<verb>` with the shared channel/reply fields and waits as the
 * user chose, while the item holds a slot of the run's scheduler (when the run has one).
 */
export async function submitAndWait(
	run: JobRun,
	itemIndex: number,
	verb: string,
	payload: JobPayload,
): Promise<Job> {
	const { ctx } = run;
	const routing = readJobRouting(ctx, itemIndex);
	const wait = readWaitSettings(ctx, itemIndex);
	// The channel the job runs on: the item's, or for a button press or seed (which name no channel:
	// "Button job executes in the same channel as the parent job") the parent job's, from its id.
	const channel = routing.channel ?? channelOfJobId(payload.fields.jobId);
	const fields = { ...payload.fields, ...routing };
	const submitAndFollow = async () => {
		// Checked once the item has its slot: a 596 may have come back while it waited for one.
		const refusal = run.blockedChannels.refusal(ctx.getNode(), itemIndex, channel);
		if (refusal) throw refusal;
		const body = requestBody({ fields, files: payload.files });
		const label = submissionLabel(verb, payload.fields);
		const submission = { path: jobCommandPath(verb), body, channel, label };
		try {
			return await runJob(run, itemIndex, submission, wait);
		} catch (error) {
			// Noted before the slot is handed on: the next item must see the channel blocked.
			run.blockedChannels.noteFailure(channel, error);
			throw asNodeError(ctx.getNode(), error, itemIndex);
		}
	};
	try {
		return run.scheduler
			? await run.scheduler.use(itemIndex, waitsForEnd(wait.mode), submitAndFollow)
			: await submitAndFollow();
	} catch (error) {
		throw asNodeError(ctx.getNode(), error, itemIndex);
	}
}

/** The whole of a job-creating operation once its own fields are read and checked. */
export async function executeJobOperation(
	run: JobRun,
	itemIndex: number,
	verb: string,
	payload: JobPayload,
	outputDefaults: Partial<OutputOptions> = {},
): Promise<INodeExecutionData[]> {
	const job = await submitAndWait(run, itemIndex, verb, payload);
	const options = readOutputOptions(run.ctx, itemIndex, outputDefaults);
	return await jobOutputItems(run, itemIndex, [job], options);
}
