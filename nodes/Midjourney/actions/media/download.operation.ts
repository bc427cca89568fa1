import {
	updateDisplayOptions,
	type IBinaryData,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { JobRun } from '../../engine/jobRun';
import { downloadToBinary } from '../../engine/output/downloads';
import { checkMaxFileSize, mediaLimits } from '../../engine/output/jobOutput';
import { checkUrlPrefix, requireText } from '../../helpers/validation';
import { maxFileSizeField } from '../common.descriptions';
import { CDN_PREFIX } from '../../transport/media';

const properties: INodeProperties[] = [
	{
		displayName: 'CDN URL',
		name: 'cdnUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://cdn.midjourney.com/…/0_0.png',
		description:
			"Address of a Midjourney image or video, starting with https://cdn.midjourney.com/ (the addresses listed in a job's imageUx or videoUx). useapi.net fetches it for you, since the CDN blocks plain downloads.",
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the output binary field to put the file in',
	},
	{ ...maxFileSizeField, displayOptions: undefined },
];

export const description = updateDisplayOptions(
	{ show: { resource: ['media'], operation: ['download'] } },
	properties,
);

/** The file's size in bytes, as n8n's binary data store counted it while writing. */
function binarySize(binary: IBinaryData): number | undefined {
	const bytes = (binary as { bytes?: unknown }).bytes;
	return typeof bytes === 'number' ? bytes : undefined;
}

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	run: JobRun,
): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	const cdnUrl = requireText(
		node,
		itemIndex,
		'CDN URL',
		this.getNodeParameter('cdnUrl', itemIndex, '') as string,
	);
	checkUrlPrefix(node, itemIndex, 'CDN URL', cdnUrl, CDN_PREFIX);
	const field = requireText(
		node,
		itemIndex,
		'Put Output File in Field',
		this.getNodeParameter('binaryPropertyName', itemIndex, 'data') as string,
	);

	const maxFileSizeMb = checkMaxFileSize(
		node,
		itemIndex,
		this.getNodeParameter('maxFileSizeMb', itemIndex, maxFileSizeField.default),
	);
	const binary = await downloadToBinary(run, cdnUrl, itemIndex, mediaLimits(maxFileSizeMb));
	return this.helpers.constructExecutionMetaData(
		[
			{
				json: {
					cdnUrl,
					fileName: binary.fileName,
					mimeType: binary.mimeType,
					fileSize: binarySize(binary),
				},
				binary: { [field]: binary },
			},
		],
		{ itemData: { item: itemIndex } },
	);
}
