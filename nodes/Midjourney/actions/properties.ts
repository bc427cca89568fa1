import type { INodeProperties } from 'n8n-workflow';

import * as account from './account';
import * as job from './job';
import * as media from './media';
import * as settings from './settings';
import * as legacy from './legacy';

/** The node's fields: the resource selector, then each resource's operations and their fields. */
export const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Account',
				value: 'account',
				description:
					'Add, list, update, reset or remove the Midjourney accounts configured in useapi.net',
			},
			{ name: 'Job', value: 'job', description: 'Generate and transform images and videos' },
			{
				name: 'Legacy (V2)',
				value: 'v2',
				description:
					'Imagine, seed and job lookup through the older v2 API, for accounts still configured there',
			},
			{
				name: 'Media',
				value: 'media',
				description: "Download images and videos from Midjourney's CDN",
			},
			{
				name: 'Setting',
				value: 'settings',
				description: 'Read the account settings and switch speed, remix and variation modes',
			},
		],
		default: 'job',
	},
	...job.description,
	...settings.description,
	...account.description,
	...media.description,
	...legacy.description,
];
