import type { INodeProperties } from 'n8n-workflow';

import * as blend from './blend.operation';
import * as button from './button.operation';
import * as cancel from './cancel.operation';
import * as cancelStuck from './cancelStuck.operation';
import * as describe from './describe.operation';
import * as get from './get.operation';
import * as imagine from './imagine.operation';
import * as listRunning from './listRunning.operation';
import * as seed from './seed.operation';

export { blend, button, cancel, cancelStuck, describe, get, imagine, listRunning, seed };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['job'] } },
		options: [
			{
				name: 'Blend Images',
				value: 'blend',
				description: 'Blend two to five images into a new one',
				action: 'Blend images',
			},
			{
				name: 'Cancel',
				value: 'cancel',
				description: 'Cancel a running job and free its slot',
				action: 'Cancel a job',
			},
			{
				name: 'Cancel Stuck Jobs',
				value: 'cancelStuck',
				description:
					'Cancel jobs stuck in progress (e.g. after a crash) so they stop holding slots for 14 minutes',
				action: 'Cancel stuck jobs',
			},
			{
				name: 'Describe Image',
				value: 'describe',
				description: 'Get four prompts that describe an image',
				action: 'Describe an image',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Get a job with its status and results',
				action: 'Get a job',
			},
			{
				name: 'Get Seed',
				value: 'seed',
				description: 'Get the seed of a completed image job',
				action: 'Get the seed of a job',
			},
			{
				name: 'Imagine',
				value: 'imagine',
				description: 'Generate a grid of four images, or a video, from a prompt',
				action: 'Generate images from a prompt',
			},
			{
				name: 'List Running',
				value: 'listRunning',
				description: 'List the jobs running on every channel',
				action: 'List running jobs',
			},
			{
				name: 'Press Button',
				value: 'button',
				description: 'Upscale, vary, zoom, pan or animate a finished job',
				action: 'Press a button of a job',
			},
		],
		default: 'imagine',
	},
	...blend.description,
	...button.description,
	...cancel.description,
	...cancelStuck.description,
	...describe.description,
	...get.description,
	...imagine.description,
	...listRunning.description,
	...seed.description,
];
