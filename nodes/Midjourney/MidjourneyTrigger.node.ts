import {
	NodeConnectionTypes,
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IHookFunctions,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import {
	maxFileSizeField,
	mediaBinaryPropertyField,
	triggerDownloadMediaField,
} from './actions/common.descriptions';
import { webhookRun } from './engine/output/downloads';
import { checkMaxFileSize, jobItems, type DownloadMode } from './engine/output/jobOutput';
import { useApiNetApiTest } from './methods/credentialTest';
import { alreadyDelivered, claimDelivery } from './trigger/deliveries';
import { matchesFilter, readCallbackFilter } from './trigger/eventFilter';
import { maskSecret, secretProblem } from './trigger/secret';
import { callbackFilterFields } from './trigger/trigger.description';
import {
	contradiction,
	eventKey,
	readDeliveredEvent,
	verifiedEvent,
} from './trigger/verifiedEvent';
import { getJob } from './transport/jobs';
import { getLegacyJob } from './transport/legacy';
import { DEFAULT_MAX_FILE_SIZE_MB } from './transport/mediaPolicy';
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
		credentials: [{ name: 'useApiNetApi', required: true, testedBy: 'useApiNetApiTest' }],
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
					"Whether to read the job again from useapi.net with your credential and output that copy, so a forged or altered call cannot inject data. Calls for jobs useapi.net does not know are rejected, and an event the API's copy contradicts (completed while useapi.net says progress) starts nothing. When off, the call is trusted as delivered; media is still fetched only from useapi.net's and Discord's hosts.",
			},
			triggerDownloadMediaField,
			mediaBinaryPropertyField,
			maxFileSizeField,
		],
	};

	// n8n tests a credential with the first node that names it: the same test as the Midjourney node's.
	methods = { credentialTest: { useApiNetApiTest } };

	// Nothing is registered at useapi.net: the URL goes into a job's or account's replyUrl.
	webhookMethods = {
		default: {
			// Runs on activation: a workflow whose Secret cannot guard its URL is not activated.
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const problem = secretProblem(String(this.getNodeParameter('secret', '') ?? ''));
				if (problem) throw new NodeOperationError(this.getNode(), problem);
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
		const badSecret = secretProblem(secret);
		if (badSecret) return reject(this, 403, badSecret);
		const body = this.getBodyData() as IDataObject;
		const delivered = readDeliveredEvent(body);
		if (typeof delivered === 'string') return reject(this, 400, delivered);
		const filter = readCallbackFilter(this);
		const verify = this.getNodeParameter('verifyWithApi', true) as boolean;

		// Verify first, then judge: with Verify With API on, the filters and the de-dup key use the
		// event only where the API's copy agrees with it.
		let job = body as unknown as Job;
		let judged = job;
		const key = eventKey(delivered);
		const run = webhookRun(this);
		if (verify) {
			// A delivery of an event that already started the workflow costs no GET.
			if (alreadyDelivered(this, key))
				return answer(this, 200, { received: true, started: false, duplicate: true });
			try {
				job = isV3(body)
					? await getJob(run.api, delivered.jobId)
					: ((await getLegacyJob(run.api, delivered.jobId)) as unknown as Job);
			} catch (error) {
				const status = error instanceof NodeApiError && error.httpCode === '404' ? 404 : 502;
				return reject(
					this,
					status,
					status === 404
						? `useapi.net does not know job ${delivered.jobId}`
						: 'Could not verify the job with useapi.net',
				);
			}
			const stale = contradiction(delivered, job);
			// Not recorded: the genuine event that follows is processed.
			if (stale)
				return answer(this, 409, { received: true, started: false, stale: true, error: stale });
			judged = verifiedEvent(delivered, job);
		}
		if (!matchesFilter(judged, filter)) {
			return answer(this, 200, { received: true, started: false });
		}
		const delivery = claimDelivery(this, key);
		if (!delivery) return answer(this, 200, { received: true, started: false, duplicate: true });

		try {
			const download = this.getNodeParameter('download', 'none') as DownloadMode;
			const binaryPropertyName = this.getNodeParameter('binaryPropertyName', 'data') as string;
			const maxFileSizeMb =
				download === 'none'
					? DEFAULT_MAX_FILE_SIZE_MB
					: checkMaxFileSize(
							this.getNode(),
							0,
							this.getNodeParameter('maxFileSizeMb', DEFAULT_MAX_FILE_SIZE_MB),
						);
			const items = await jobItems(run, 0, [job], {
				simplify: false,
				download,
				binaryPropertyName,
				maxFileSizeMb,
			});
			// The job's replyUrl is this trigger's URL: its secret stays out of the output.
			const masked = items.map((item) => ({ ...item, json: maskSecret(item.json, secret) }));
			delivery.done();
			return answer(this, 200, { received: true, started: true }, [masked]);
		} catch (error) {
			// Nothing started: the same event delivered again is processed again.
			delivery.failed();
			const message = maskSecret((error as Error).message, secret);
			return reject(this, 502, `The event could not be processed: ${message}`);
		}
	}
}
