import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { resolveImageSlot, imageSlotFields } from '../../helpers/imageInput';
import { submitAndWait } from '../../helpers/jobOperation';
import { describePrompts, jobOutputItems, readOutputOptions } from '../../helpers/output/jobOutput';
import type { Job } from '../../transport/types';
import { channelField, jobWaitFields } from '../common.descriptions';

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

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const image = await resolveImageSlot(
		this,
		itemIndex,
		{
			imageUrl: this.getNodeParameter('imageUrl', itemIndex, '') as string,
			binaryPropertyName: this.getNodeParameter('binaryPropertyName', itemIndex, '') as string,
		},
		'Image',
	);
	const job = await submitAndWait(
		this,
		itemIndex,
		'describe',
		'url' in image
			? { fields: { imageUrl: image.url } }
			: { fields: {}, files: { imageBlob: image.file } },
	);
	return await jobOutputItems(
		this,
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

/** Items run in parallel up to the account's free capacity (see the router). */
export const createsJobs = true;
