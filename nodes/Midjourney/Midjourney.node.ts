import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { versionDescription } from './actions/node.description';
import { resumeRouter, router } from './actions/router';
import { loadOptions } from './methods';

export class Midjourney implements INodeType {
	description: INodeTypeDescription = versionDescription;

	methods = { loadOptions };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}

	/** Only for Wait for Result: Callback — useapi.net calling the waiting execution back. */
	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await resumeRouter.call(this);
	}
}
