import type { INodeProperties } from 'n8n-workflow';

import * as createOrUpdate from './createOrUpdate.operation';
import * as deleteAccount from './deleteAccount.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as reset from './reset.operation';

export { createOrUpdate, deleteAccount, get, getAll, reset };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['account'] } },
		options: [
			{
				name: 'Create or Update',
				value: 'createOrUpdate',
				description:
					'Add a Midjourney Discord account to useapi.net, or change its job limits and reply URL',
				action: 'Create or update an account',
			},
			{
				name: 'Delete',
				value: 'deleteAccount',
				description: 'Remove an account from useapi.net',
				action: 'Delete an account',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Get the configuration of one account: job limits, reply URL and any error',
				action: 'Get an account',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				description: 'List the accounts configured in useapi.net, one item per channel',
				action: 'Get many accounts',
			},
			{
				name: 'Reset',
				value: 'reset',
				description:
					'Clear the error state of an account after answering a Midjourney moderation message or CAPTCHA',
				action: 'Reset an account',
			},
		],
		default: 'getAll',
	},
	...createOrUpdate.description,
	...deleteAccount.description,
	...get.description,
	...getAll.description,
	...reset.description,
];
