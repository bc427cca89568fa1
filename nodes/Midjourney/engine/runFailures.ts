import {
	NodeApiError,
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { asNodeError, jobOfError, type FailedJob, type NodeError } from '../transport/errors';
import type { JobScheduler } from './capacity/scheduler';
import { failedItem } from './output/items';
import { answersErrorsToAgent } from './toolMode';

/** What the error that ends the run says about the jobs it stopped and the items it never sent. */
export function describeStop(scheduler: JobScheduler, error: unknown): void {
	const target = error as { description?: string | null };
	if (typeof target !== 'object' || target === null) return;
	const cancelled = scheduler.cancelledJobs;
	const note = cancelled.length
		? `The run stopped: nothing more was submitted, and the jobs still running were cancelled (DELETE): ${cancelled.join(', ')}.`
		: 'The run stopped: nothing more was submitted.';
	target.description = [target.description, note].filter(Boolean).join(' ');
}

/** The job of a failed item in one line, for the error description when the run stops. */
export function jobLine(job: FailedJob): string {
	const parts = [`Job ${job.jobid}`];
	if (job.status) parts.push(`status: ${job.status}`);
	if (job.error) parts.push(`error: ${job.error}`);
	if (job.errorDetails) parts.push(`errorDetails: ${job.errorDetails}`);
	if (job.cancelled !== undefined)
		parts.push(job.cancelled ? 'cancelled (DELETE)' : 'not cancelled');
	if (job.cancelledJobid) parts.push(`replaced job ${job.cancelledJobid} (cancelled)`);
	return parts.join(' · ');
}

/** When the run stops on a failed item, its description names the job it belonged to. */
function describeJobOf(error: unknown, job: FailedJob): void {
	const failure = error as { description?: string | null };
	const line = jobLine(job);
	const description = failure.description ?? '';
	if (!description.includes(line))
		failure.description = description ? `${description}\n\n${line}` : line;
}

/**
 * An item that failed: with Continue On Fail its output item (paired with it, with its job once one
 * exists); without, the error that ends the run, naming the item and its job.
 */
export function itemFailure(
	ctx: IExecuteFunctions,
	itemIndex: number,
	error: unknown,
): INodeExecutionData[] {
	const job = jobOfError(error);
	if (ctx.continueOnFail() || answersErrorsToAgent(ctx)) {
		// Only the message of an error that is not ours: it may carry the request, so the token.
		const failure: NodeError =
			error instanceof NodeApiError || error instanceof NodeOperationError
				? error
				: new NodeOperationError(ctx.getNode(), (error as Error).message, { itemIndex });
		return [failedItem(ctx, failure, itemIndex)];
	}
	const context = (error as { context?: { itemIndex?: number } }).context;
	if (context && context.itemIndex === undefined) context.itemIndex = itemIndex;
	if (job) describeJobOf(error, job);
	throw asNodeError(ctx.getNode(), error, itemIndex);
}
