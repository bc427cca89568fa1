import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { resolveImageSlot, imageSlotFields } from '../../helpers/imageInput';
import { executeJobOperation } from '../../helpers/jobOperation';
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

export const description = updateDisplayOptions({ show: { resource: ['job'], operation: ['describe'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const image = await resolveImageSlot(
		this,
		itemIndex,
		{
			imageUrl: this.getNodeParameter('imageUrl', itemIndex, '') as string,
			binaryPropertyName: this.getNodeParameter('binaryPropertyName', itemIndex, '') as string,
		},
		'Image',
	);
	return await executeJobOperation(
		this,
		itemIndex,
		'describe',
		'url' in image ? { fields: { imageUrl: image.url } } : { fields: {}, files: { imageBlob: image.file } },
	);
}

/** Items run in parallel up to the account's free capacity (see the router). */
export const createsJobs = true;
