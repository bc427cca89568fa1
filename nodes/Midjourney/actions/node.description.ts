import { NodeConnectionTypes, type INodeTypeDescription } from 'n8n-workflow';

import * as account from './account';
import * as job from './job';
import * as media from './media';
import * as settings from './settings';
import * as v2 from './v2';

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
	credentials: [
		{ name: 'useApiNetApi', required: true },
		// The Discord token is a secret: a credential, never a node parameter stored in the workflow.
		{
			name: 'midjourneyDiscordApi',
			required: true,
			displayOptions: { show: { resource: ['account'], operation: ['createOrUpdate'] } },
		},
	],
	// Wait for Result: Callback. The execution waits and is resumed at its own resume URL
	// ($execution.resumeUrl), which useapi.net calls when the job ends; as n8n's Wait node does.
	webhooks: [
		{
			name: 'default',
			httpMethod: 'POST',
			responseMode: 'onReceived',
			responseData: '',
			path: '',
			restartWebhook: true,
			isFullPath: true,
		},
	],
	properties: [
		{
			displayName: 'Resource',
			name: 'resource',
			type: 'options',
			noDataExpression: true,
			options: [
				{ name: 'Account', value: 'account', description: 'Add, list, update, reset or remove the Midjourney accounts configured in useapi.net' },
				{ name: 'Job', value: 'job', description: 'Generate and transform images and videos' },
				{ name: 'Legacy (V2)', value: 'v2', description: 'Imagine, seed and job lookup through the older v2 API, for accounts still configured there' },
				{ name: 'Media', value: 'media', description: 'Download images and videos from Midjourney\'s CDN' },
				{ name: 'Setting', value: 'settings', description: 'Read the account settings and switch speed, remix and variation modes' },
			],
			default: 'job',
		},
		...job.description,
		...settings.description,
		...account.description,
		...media.description,
		...v2.description,
	],
};
