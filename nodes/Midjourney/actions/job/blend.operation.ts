import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { executeJobOperation, readJobSettings, type JobPayload } from '../../engine/jobOperation';
import type { JobRun } from '../../engine/jobRun';
import { resolveImageSlot, type ImageSlot } from '../../helpers/imageInput';
import { invalidInput } from '../../helpers/validation';
import { channelField, jobWaitFields } from '../common.descriptions';
import { imageSlotFields } from './imageSlot.description';

const MIN_IMAGES = 2;
const MAX_IMAGES = 5;

const properties: INodeProperties[] = [
	{
		displayName: 'Images',
		name: 'images',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true, maxAllowedFields: MAX_IMAGES },
		default: {},
		placeholder: 'Add Image',
		required: true,
		description:
			'Two to five images to blend. Each one from a URL or from a binary field of the input item.',
		options: [{ displayName: 'Image', name: 'image', values: imageSlotFields }],
	},
	{
		displayName: 'Dimensions',
		name: 'blendDimensions',
		type: 'options',
		default: 'Square',
		options: [
			{ name: 'Landscape', value: 'Landscape' },
			{ name: 'Portrait', value: 'Portrait' },
			{ name: 'Square', value: 'Square' },
		],
		description: 'Aspect of the blended image',
	},
	channelField,
	...jobWaitFields,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['job'], operation: ['blend'] } },
	properties,
);

/** The item's inputs, checked before any request (see engine/preflight.ts). */
export async function readInputs(this: IExecuteFunctions, itemIndex: number): Promise<JobPayload> {
	readJobSettings(this, itemIndex);
	const slots = (this.getNodeParameter('images.image', itemIndex, []) as ImageSlot[]) ?? [];
	if (slots.length < MIN_IMAGES || slots.length > MAX_IMAGES) {
		throw invalidInput(
			this.getNode(),
			itemIndex,
			`"Images" needs ${MIN_IMAGES} to ${MAX_IMAGES} images, got ${slots.length}`,
			'Add images with "Add Image"; each needs an Image URL or an Input Binary Field.',
		);
	}
	const payload: Required<JobPayload> = {
		fields: {
			blendDimensions: this.getNodeParameter('blendDimensions', itemIndex, 'Square') as string,
		},
		files: {},
	};
	for (const [index, slot] of slots.entries()) {
		const number = index + 1;
		const image = await resolveImageSlot(this, itemIndex, slot, `Image ${number}`);
		if ('url' in image) payload.fields[`imageUrl_${number}`] = image.url;
		else payload.files[`imageBlob_${number}`] = image.file;
	}
	return payload;
}

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	run: JobRun,
): Promise<INodeExecutionData[]> {
	return await executeJobOperation(run, itemIndex, 'blend', await readInputs.call(this, itemIndex));
}

/** Items run in parallel up to the account's free capacity (see engine/jobRun.ts). */
export const createsJobs = true;
