import {
	NodeApiError,
	NodeOperationError,
	type IBinaryData,
	type IDataObject,
	type INode,
	type INodeExecutionData,
} from 'n8n-workflow';

import { withJob } from '../../transport/errors';
import { replyRefOf, type Job } from '../../transport/types';
import type { JobRun } from '../jobRun';
import { compactJob } from '../toolMode';
import type { MediaLimits } from '../../transport/media';
import { DEFAULT_MAX_FILE_SIZE_MB, MAX_FILE_SIZE_LIMIT_MB } from '../../transport/mediaPolicy';
import { checkNumber } from '../../helpers/numberChecks';
import { downloadToBinary, type MediaRun } from './downloads';

export type DownloadMode = 'none' | 'separate' | 'combined';

/**
 * A job operation attaches its images unless told otherwise: a person running it in the editor sees
 * the pictures in the output panel, not only URLs. All files in one item keeps one output item per
 * job, so a following Midjourney step (Button on the job's ID) runs once per job, not once per image.
 */
export const DEFAULT_DOWNLOAD: DownloadMode = 'combined';

export interface OutputOptions {
	simplify: boolean;
	download: DownloadMode;
	binaryPropertyName: string;
	/** Max File Size (MB): a larger media file fails its item. */
	maxFileSizeMb: number;
	/** The compact answer of an AI Agent's tool (see engine/toolMode.ts). */
	compact?: boolean;
}

/** The output options with their defaults, from the node's Options collection. */
/** Max File Size (MB), checked: it comes from the options, maybe from an expression. */
export function checkMaxFileSize(node: INode, itemIndex: number, value: unknown): number {
	return checkNumber(node, itemIndex, 'Max File Size (MB)', value, {
		min: 1,
		max: MAX_FILE_SIZE_LIMIT_MB,
		unit: 'MB',
	});
}

export function mediaLimits(maxFileSizeMb: number): MediaLimits {
	return { maxBytes: Math.floor(maxFileSizeMb * 1024 * 1024) };
}

export function outputOptionsFrom(options: Partial<OutputOptions>): OutputOptions {
	return {
		simplify: options.simplify ?? false,
		download: options.download ?? DEFAULT_DOWNLOAD,
		binaryPropertyName: (options.binaryPropertyName ?? 'data').trim() || 'data',
		maxFileSizeMb: options.maxFileSizeMb ?? DEFAULT_MAX_FILE_SIZE_MB,
		compact: options.compact ?? false,
	};
}

/** The media a job produced: its upscaled images and videos, else its attachments (the grid image). */
export function mediaUrls(job: Job): string[] {
	const response = job.response ?? {};
	const ux = [...(response.imageUx ?? []), ...(response.videoUx ?? [])].map((media) => media.url);
	if (ux.length) return ux;
	return (response.attachments ?? []).map((attachment) => attachment.url).filter(Boolean);
}

/** The seed, where Midjourney printed one (the seed command's answer: "**seed** 3937070146"). */
export function seedOf(job: Job): string | undefined {
	return /\*\*seed\*\*\s*(\d+)/i.exec(job.response?.content ?? '')?.[1];
}

/** The four prompts of a describe job: Midjourney numbers them 1️⃣–4️⃣ in the embed's description. */
export function describePrompts(job: Job): string[] {
	const text = (job.response?.embeds ?? []).map((embed) => embed.description ?? '').join('\n');
	return text
		.split(/\s*[1-4]\uFE0F?\u20E3\s*/u)
		.map((prompt) => prompt.trim())
		.filter(Boolean);
}

export function simplifyJob(job: Job): IDataObject {
	const response = job.response ?? {};
	const simplified: IDataObject = {
		jobid: job.jobid,
		status: job.status,
		verb: job.verb,
	};
	if (job.jobType) simplified.jobType = job.jobType;
	if (typeof job.request?.prompt === 'string') simplified.prompt = job.request.prompt;
	const imageUrls = (response.imageUx ?? []).map((media) => media.url);
	const videoUrls = (response.videoUx ?? []).map((media) => media.url);
	if (imageUrls.length) simplified.imageUrls = imageUrls;
	if (videoUrls.length) simplified.videoUrls = videoUrls;
	if (!imageUrls.length && !videoUrls.length && response.attachments?.length) {
		simplified.attachmentUrls = response.attachments.map((attachment) => attachment.url);
	}
	if (response.buttons?.length) simplified.buttons = response.buttons;
	const seed = seedOf(job);
	if (seed) simplified.seed = seed;
	const prompts = describePrompts(job);
	if (prompts.length) simplified.prompts = prompts;
	if (job.error) simplified.error = job.error;
	const replyRef = replyRefOf(job);
	if (replyRef !== undefined) simplified.replyRef = replyRef;
	// Set by the node when this job replaced one whose live stream was lost (see engine/waiting/streamRecovery.ts).
	if (job.streamLost) simplified.streamLost = job.streamLost as IDataObject;
	return simplified;
}

/** A completed job whose media could not be downloaded fails its item, keeping the job. */
function downloadFailed(run: MediaRun, itemIndex: number, job: Job, error: unknown): Error {
	const failure =
		error instanceof NodeApiError || error instanceof NodeOperationError
			? error
			: new NodeOperationError(
					run.ctx.getNode(),
					`Downloading the media of job ${job.jobid} failed: ${(error as Error).message}`,
					{
						itemIndex,
						description:
							'The job completed; run Media → Download with its URLs, or the item again with Download Media off.',
					},
				);
	return withJob(failure, { jobid: job.jobid, status: job.status });
}

/**
 * Items for jobs: each job as it is or simplified, with its media downloaded as binary data when
 * asked, one item per file or all files in one item.
 */
export async function jobItems(
	run: MediaRun,
	itemIndex: number,
	jobs: Job[],
	options: OutputOptions,
): Promise<INodeExecutionData[]> {
	const items: INodeExecutionData[] = [];
	for (const job of jobs) {
		const json = options.compact
			? compactJob(job, simplifyJob(job))
			: options.simplify
				? simplifyJob(job)
				: (job as unknown as IDataObject);
		const urls = options.download === 'none' || job.status !== 'completed' ? [] : mediaUrls(job);
		if (!urls.length) {
			items.push({ json });
		} else {
			// A grid's files are fetched at once (within MAX_PARALLEL_DOWNLOADS): one after another they kept the next job waiting.
			let files: IBinaryData[];
			try {
				files = await Promise.all(
					urls.map(
						async (url) =>
							await downloadToBinary(run, url, itemIndex, mediaLimits(options.maxFileSizeMb)),
					),
				);
			} catch (error) {
				throw downloadFailed(run, itemIndex, job, error);
			}
			if (options.download === 'separate') {
				files.forEach((binary, index) =>
					items.push({
						json: { ...json, mediaIndex: index + 1, mediaUrl: urls[index] },
						binary: { [options.binaryPropertyName]: binary },
					}),
				);
			} else {
				const binary: Record<string, IBinaryData> = {};
				files.forEach(
					(file, index) => (binary[`${options.binaryPropertyName}_${index + 1}`] = file),
				);
				items.push({ json, binary });
			}
		}
	}
	return items;
}

/** The output items of one input item of the action node, paired with it. */
export async function jobOutputItems(
	run: JobRun,
	itemIndex: number,
	jobs: Job[],
	options: OutputOptions,
): Promise<INodeExecutionData[]> {
	return run.ctx.helpers.constructExecutionMetaData(await jobItems(run, itemIndex, jobs, options), {
		itemData: { item: itemIndex },
	});
}
