import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { readJobSettings, submitAndWait, type JobPayload } from '../../engine/jobOperation';
import type { JobRun } from '../../engine/jobRun';
import { describePrompts, jobOutputItems } from '../../engine/output/jobOutput';
import { resolveImageSlot } from '../../helpers/imageInput';
import { readOutputOptions } from '../../engine/itemParameters';
import type { Job } from '../../transport/types';
import { channelField, jobWaitFields } from '../common.descriptions';
import { imageSlotFields } from './imageSlot.description';

const properties: INodeProperties[] = [
	{
		displayName: 'Set either an Image URL or an Input Binary Field, not both',
		name: 'describeNotice',
		type: 'notice',
		default: '',
	},
	...imageSlotFields,
	channelField,
	...jobWaitFields,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['job'], operation: ['describe'] } },
	properties,
);

/** The item's inputs, checked before any request (see engine/preflight.ts). */
export async function readInputs(this: IExecuteFunctions, itemIndex: number): Promise<JobPayload> {
	readJobSettings(this, itemIndex);
	const image = await resolveImageSlot(
		this,
		itemIndex,
		{
			imageUrl: this.getNodeParameter('imageUrl', itemIndex, '') as string,
			binaryPropertyName: this.getNodeParameter('binaryPropertyName', itemIndex, '') as string,
		},
		'Image',
	);
	return 'url' in image
		? { fields: { imageUrl: image.url } }
		: { fields: {}, files: { imageBlob: image.file } };
}

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	run: JobRun,
): Promise<INodeExecutionData[]> {
	const payload = await readInputs.call(this, itemIndex);
	const job = await submitAndWait(run, itemIndex, 'describe', payload);
	return await jobOutputItems(
		run,
		itemIndex,
		[finishedJob(job)],
		readOutputOptions(this, itemIndex),
	);
}

/** The four prompts are the point of Describe: lifted out of the embed so the next node can use them. */
export function finishedJob(job: Job): Job {
	const prompts = describePrompts(job);
	return prompts.length ? { ...job, prompts } : job;
}

/** Items run in parallel up to the account's free capacity (see engine/jobRun.ts). */
export const createsJobs = true;
