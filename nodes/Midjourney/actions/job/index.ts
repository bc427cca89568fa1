import type { INodeProperties } from 'n8n-workflow';

import * as imagine from './imagine.operation';

export { imagine };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['job'] } },
		options: [
			{
				name: 'Imagine',
				value: 'imagine',
				description: 'Generate a grid of four images, or a video, from a prompt',
				action: 'Generate images from a prompt',
			},
		],
		default: 'imagine',
	},
	...imagine.description,
];
