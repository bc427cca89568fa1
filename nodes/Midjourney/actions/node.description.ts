import { NodeConnectionTypes, type INodeTypeDescription } from 'n8n-workflow';

import * as job from './job';

export const versionDescription: INodeTypeDescription = {
	displayName: 'Midjourney (useapi.net)',
	name: 'midjourney',
	icon: { light: 'file:midjourney.svg', dark: 'file:midjourney.dark.svg' },
	group: ['transform'],
	version: 1,
	subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
	description: 'Generate and edit Midjourney images and videos through the useapi.net API',
	defaults: { name: 'Midjourney' },
	usableAsTool: true,
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	credentials: [{ name: 'useApiNetApi', required: true }],
	properties: [
		{
			displayName: 'Resource',
			name: 'resource',
			type: 'options',
			noDataExpression: true,
			options: [{ name: 'Job', value: 'job', description: 'Generate and transform images and videos' }],
			default: 'job',
		},
		...job.description,
	],
};
