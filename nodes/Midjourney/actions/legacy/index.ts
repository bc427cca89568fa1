import type { INodeProperties } from 'n8n-workflow';

import * as get from './get.operation';
import * as imagine from './imagine.operation';
import * as seed from './seed.operation';

export { get, imagine, seed };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['v2'] } },
		options: [
			{
				name: 'Get Job',
				value: 'get',
				description: 'Get a v2 job with its status and results',
				action: 'Get a v2 job',
			},
			{
				name: 'Get Seed',
				value: 'seed',
				description: 'Get the seed and four separate upscaled images of a completed v2 image job',
				action: 'Get the seed of a v2 job',
			},
			{
				name: 'Imagine',
				value: 'imagine',
				description: 'Generate a grid of four images, or a video, from a prompt with the v2 API',
				action: 'Generate images with the v2 API',
			},
		],
		default: 'imagine',
	},
	...get.description,
	...imagine.description,
	...seed.description,
];
