import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { JobRun } from '../../engine/jobRun';
import { readJobId } from '../../engine/itemParameters';
import {
	executeLegacyJobOperation,
	legacyJobIdField,
	legacyWaitFields,
	readLegacyJobSettings,
	type LegacyFields,
} from './legacyJob';

/*
 * https://useapi.net/docs/api-v2/post-jobs-seed_async (updated August 15, 2025) takes jobid, replyUrl and replyRef;
 * the older capture (-alt.txt, October 2024) also listed a `discord` override, which the newer page
 * dropped, so it is not offered.
 */
const properties: INodeProperties[] = [
	{
		...legacyJobIdField,
		description:
			'ID of a completed v2 Imagine, button or blend job (not a video). Drag the "jobid" field of an earlier Legacy (V2) step here.',
	},
	...legacyWaitFields(),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['v2'], operation: ['seed'] } },
	properties,
);

/** The item's inputs, checked before any request (see engine/preflight.ts). */
export function readInputs(this: IExecuteFunctions, itemIndex: number): LegacyFields {
	readLegacyJobSettings(this, itemIndex);
	return { jobid: readJobId(this, itemIndex) };
}

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	run: JobRun,
): Promise<INodeExecutionData[]> {
	return await executeLegacyJobOperation(
		run,
		itemIndex,
		'seed_async',
		readInputs.call(this, itemIndex),
	);
}
