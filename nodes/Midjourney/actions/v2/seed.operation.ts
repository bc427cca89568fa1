import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { readJobId } from '../../helpers/jobParameters';
import { executeV2JobOperation, v2JobIdField, v2WaitFields } from './v2Job';

/*
 * api-docs/v2/post-jobs-seed_async.md (updated August 15, 2025) takes jobid, replyUrl and replyRef;
 * the older capture (-alt.txt, October 2024) also listed a `discord` override, which the newer page
 * dropped, so it is not offered.
 */
const properties: INodeProperties[] = [
	{
		...v2JobIdField,
		description:
			'ID of a completed v2 Imagine, button or blend job (not a video). Drag the "jobid" field of an earlier Legacy (V2) step here.',
	},
	...v2WaitFields(),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['v2'], operation: ['seed'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	return await executeV2JobOperation(this, itemIndex, 'seed_async', {
		jobid: readJobId(this, itemIndex),
	});
}
