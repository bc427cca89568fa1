import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type IHookFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { properties } from './actions/properties';
import { resumeRouter, router } from './actions/router';
import { credentialTest, loadOptions } from './methods';

export class Midjourney implements INodeType {
	// The node-level description stays in this file: n8n's verification scanner looks for the icon and
	// the node's name here (icon-validation, node-filename-against-convention). The fields are in actions/.
	description: INodeTypeDescription = {
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
			// Tested by GET accounts, judged on its two documented good answers (transport/credentialCheck).
			{ name: 'useApiNetApi', required: true, testedBy: 'useApiNetApiTest' },
			// The Discord token is a secret: a credential, never a node parameter stored in the workflow.
			{
				name: 'midjourneyDiscordApi',
				required: true,
				testedBy: 'discordTokenShape',
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
		properties,
	};

	methods = { loadOptions, credentialTest };

	// The Callback webhook needs nothing registered at useapi.net: each job carries its execution's
	// resume URL as replyUrl. n8n (1.x and 2.x) never calls lifecycle methods for a restartWebhook
	// webhook; n8n's verification asks every node that declares webhooks to state them
	// (webhook-lifecycle-complete), and this is the truthful statement: nothing to check, create or delete.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}

	/** Only for Wait for Result: Callback — useapi.net calling the waiting execution back. */
	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await resumeRouter.call(this);
	}
}
