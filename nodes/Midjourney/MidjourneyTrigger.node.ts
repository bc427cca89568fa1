import {
	NodeConnectionTypes,
	NodeApiError,
	type IDataObject,
	type IHookFunctions,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { mediaBinaryPropertyField, triggerDownloadMediaField } from './actions/common.descriptions';
import { webhookRun } from './engine/output/downloads';
import { jobItems, type DownloadMode } from './engine/output/jobOutput';
import { claimDelivery, eventKey } from './trigger/deliveries';
import { matchesFilter, readCallbackFilter } from './trigger/eventFilter';
import { callbackFilterFields } from './trigger/trigger.description';
import { getJob } from './transport/jobs';
import { getLegacyJob } from './transport/legacy';
import type { Job } from './transport/types';

/**
 * The trigger answers useapi.net itself, as JSON: n8n's own answer to a call that starts a workflow
 * in "onReceived" mode is the text `firstEntryJson` on some versions, whatever the node returns.
 */
function answer(
	ctx: IWebhookFunctions,
	status: number,
	body: IDataObject,
	workflowData?: IWebhookResponseData['workflowData'],
): IWebhookResponseData {
	ctx.getResponseObject().status(status).json(body);
	return workflowData ? { noWebhookResponse: true, workflowData } : { noWebhookResponse: true };
}

function reject(ctx: IWebhookFunctions, status: number, error: string): IWebhookResponseData {
	return answer(ctx, status, { error });
}

/** v3 callbacks carry the original request in `request`; v2 callbacks carry its fields at the top level. */
function isV3(body: IDataObject): boolean {
	return typeof body.request === 'object' && body.request !== null;
}

export class MidjourneyTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Midjourney (useapi.net) Trigger',
		name: 'midjourneyTrigger',
		icon: { light: 'file:midjourney.svg', dark: 'file:midjourney.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ ($parameter["events"] || []).join(", ") }}',
		description:
			'Starts the workflow when useapi.net reports a Midjourney job event to its Reply URL',
		defaults: { name: 'Midjourney Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'useApiNetApi', required: true }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				// The secret is part of the path, so the URL the editor shows is the whole Reply URL to paste,
				// and a call without it never reaches the workflow.
				path: '={{ "midjourney/" + $parameter["secret"] }}',
			},
		],
		properties: [
			{
				displayName:
					'Paste the Production URL above as "Reply URL" in the Midjourney node (Options → Reply URL) or in your useapi.net account (Account → Create or Update), then activate this workflow. Use the Test URL while building.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Secret',
				name: 'secret',
				type: 'string',
				typeOptions: { password: true },
				default: '',
				required: true,
				placeholder: 'a long random text',
				description:
					'Part of the Reply URL: only calls that know it start the workflow. Use letters, digits, - and _, at least 16 characters.',
			},
			...callbackFilterFields,
			{
				displayName: 'Verify With API',
				name: 'verifyWithApi',
				type: 'boolean',
				default: true,
				description:
					'Whether to read the job again from useapi.net with your credential and output that copy, so a forged or altered call cannot inject data. Calls for jobs useapi.net does not know are rejected.',
			},
			triggerDownloadMediaField,
			mediaBinaryPropertyField,
		],
	};

	// Nothing is registered at useapi.net: the URL goes into a job's or account's replyUrl.
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

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const secret = String(this.getNodeParameter('secret', '') ?? '');
		if (secret.length < 16) {
			return reject(
				this,
				403,
				'The trigger has no secret of at least 16 characters; set one in the node',
			);
		}
		const body = this.getBodyData() as IDataObject;
		const jobId =
			typeof body?.jobid === 'string'
				? body.jobid
				: typeof body?.jobId === 'string'
					? body.jobId
					: '';
		if (!jobId || typeof body.status !== 'string') {
			return reject(this, 400, 'Not a useapi.net job callback: "jobid" and "status" are required');
		}

		// The filters judge the event as delivered: with Verify With API on, the API's copy may already
		// be further along (a progress event's job read as completed).
		const delivered = body as unknown as Job;
		if (!matchesFilter(delivered, readCallbackFilter(this))) {
			return answer(this, 200, { received: true, started: false });
		}
		const delivery = claimDelivery(this, eventKey(body));
		if (!delivery) return answer(this, 200, { received: true, started: false, duplicate: true });

		const run = webhookRun(this);
		try {
			let job = delivered;
			if (this.getNodeParameter('verifyWithApi', true) as boolean) {
				try {
					job = isV3(body)
						? await getJob(run.api, jobId)
						: ((await getLegacyJob(run.api, jobId)) as unknown as Job);
				} catch (error) {
					delivery.failed();
					const status = error instanceof NodeApiError && error.httpCode === '404' ? 404 : 502;
					return reject(
						this,
						status,
						status === 404
							? `useapi.net does not know job ${jobId}`
							: 'Could not verify the job with useapi.net',
					);
				}
			}
			const download = this.getNodeParameter('download', 'none') as DownloadMode;
			const binaryPropertyName = this.getNodeParameter('binaryPropertyName', 'data') as string;
			const items = await jobItems(run, 0, [job], {
				simplify: false,
				download,
				binaryPropertyName,
			});
			delivery.done();
			return answer(this, 200, { received: true, started: true }, [items]);
		} catch (error) {
			// Nothing started: the same event delivered again is processed again.
			delivery.failed();
			return reject(this, 502, `The event could not be processed: ${(error as Error).message}`);
		}
	}
}
