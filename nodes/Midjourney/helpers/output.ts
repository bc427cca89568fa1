import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { jobOfError, type FailedJob, type NodeError } from '../transport/errors';

/** Output items of one input item, paired with it. */
export function pairedItems(
	ctx: IExecuteFunctions,
	itemIndex: number,
	data: object | object[],
): INodeExecutionData[] {
	return ctx.helpers.constructExecutionMetaData(
		ctx.helpers.returnJsonArray(data as IDataObject | IDataObject[]),
		{ itemData: { item: itemIndex } },
	);
}

/**
 * The Continue-On-Fail output of a failed item: its error, and when the failure came after its job
 * was created, the job (ID, status, details) so it can still be found, fetched, retried or cancelled.
 */
function failedItemJson(error: unknown, job: FailedJob | undefined): IDataObject {
	const message = (error as Error).message;
	if (!job) return { error: message };
	const description = (error as { description?: unknown }).description;
	const jobError = job.error && !message.includes(job.error) ? job.error : undefined;
	const details = [jobError, job.errorDetails].filter(Boolean).join(' — ') || (typeof description === 'string' ? description : '');
	const json: IDataObject = { jobid: job.jobid };
	if (job.status) json.status = job.status;
	json.error = message;
	if (details) json.errorDetails = details;
	if (job.cancelled !== undefined) json.cancelled = job.cancelled;
	if (job.cancelledJobid) json.cancelledJobid = job.cancelledJobid;
	return json;
}

/**
 * A failed item as output under Continue On Fail, paired with its input item. The item's `error`
 * property is left unset: n8n replaces the json of such an item with `{ error: message }`, which
 * would drop the job.
 */
export function failedItem(error: NodeError, itemIndex: number): INodeExecutionData {
	return { json: failedItemJson(error, jobOfError(error)), pairedItem: { item: itemIndex } };
}
