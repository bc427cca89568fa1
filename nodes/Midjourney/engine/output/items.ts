import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';

import { jobOfError, type FailedJob, type NodeError } from '../../transport/errors';

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
	const details =
		[jobError, job.errorDetails].filter(Boolean).join(' — ') ||
		(typeof description === 'string' ? description : '');
	const json: IDataObject = { jobid: job.jobid };
	if (job.status) json.status = job.status;
	json.error = message;
	if (details) json.errorDetails = details;
	if (job.cancelled !== undefined) json.cancelled = job.cancelled;
	if (job.cancelledJobid) json.cancelledJobid = job.cancelledJobid;
	return json;
}

/**
 * A failed item as output under Continue On Fail, paired with its input item.
 * - Continue (regular output): `{ jobid, status, error, errorDetails, … }`. The item's `error`
 *   property is left unset: n8n replaces the json of such an item with `{ error: message }`, which
 *   would drop the job.
 * - Continue (using error output): n8n 2.x routes an item to the error output when its json holds
 *   only `error`, `message` and `details` (and adds the input item's fields there), so the job goes
 *   under `details`. n8n 1.x routes only `{ error }` and `{ error, message }`: there such an item
 *   stays on the regular output, with its job.
 */
export function failedItem(
	ctx: { getNode(): INode },
	error: NodeError,
	itemIndex: number,
): INodeExecutionData {
	const json = failedItemJson(error, jobOfError(error));
	if (ctx.getNode().onError !== 'continueErrorOutput')
		return { json, pairedItem: { item: itemIndex } };
	const { error: message, ...details } = json;
	return {
		json: Object.keys(details).length ? { error: message, details } : { error: message },
		pairedItem: { item: itemIndex },
	};
}
