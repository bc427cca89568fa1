import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { executeJobOperation } from '../../helpers/jobOperation';
import { checkMaxLength, requireText } from '../../helpers/validation';
import { channelField, jobWaitFields } from '../common.descriptions';

const PROMPT_MAX = 5000;

const properties: INodeProperties[] = [
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		placeholder: 'a cat in a hat --ar 16:9',
		description:
			'The Midjourney /imagine prompt, with any parameters such as --ar or --video. At most 5000 characters.',
	},
	channelField,
	...jobWaitFields,
];

export const description = updateDisplayOptions({ show: { resource: ['job'], operation: ['imagine'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	const prompt = requireText(node, itemIndex, 'Prompt', this.getNodeParameter('prompt', itemIndex) as string);
	checkMaxLength(node, itemIndex, 'Prompt', prompt, PROMPT_MAX);
	return await executeJobOperation(this, itemIndex, 'imagine', { fields: { prompt } });
}

/** Items run in parallel up to the account's free capacity (see the router). */
export const createsJobs = true;
