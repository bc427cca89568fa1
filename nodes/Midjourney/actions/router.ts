import {
	NodeApiError,
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { resumeFromCallback } from '../helpers/waiting/callbackResume';

import {
	lookUpCapacity,
	MAX_PARALLEL_JOBS_LIMIT,
	SAFE_DEFAULT_PARALLEL_JOBS,
	type JobKind,
} from '../helpers/capacity/capacity';
import { JobScheduler, mapWithConcurrency, setScheduler } from '../helpers/capacity/concurrency';
import { checkIntegerRange } from '../helpers/validation';
import { failedItem } from '../helpers/output/output';
import { answersErrorsToAgent, checkToolWaitMode } from '../helpers/toolMode';
import { asNodeError, jobOfError, type FailedJob, type NodeError } from '../transport/errors';
import { observeSubmissions } from '../transport/request';
import * as account from './account';
import * as job from './job';
import * as media from './media';
import type { MidjourneyType, Operation, OperationMap } from './node.type';
import * as settings from './settings';
import * as v2 from './v2';

const operations: OperationMap = {
	job,
	settings,
	account,
	media,
	v2,
};

/** The channels the items name; empty when any item lets useapi.net choose. */
function channelsOfItems(ctx: IExecuteFunctions, count: number): Set<string> {
	const channels = new Set<string>();
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		const channel = String(ctx.getNodeParameter('channel', itemIndex, '') ?? '').trim();
		if (!channel) return new Set();
		channels.add(channel);
	}
	return channels;
}

/** A waiting execution is woken once, by one job: Callback mode takes one item per run. */
function checkCallbackBatch(ctx: IExecuteFunctions, count: number): void {
	if (count > 1 && ctx.getNodeParameter('waitFor', 0, '') === 'callback') {
		throw new NodeOperationError(
			ctx.getNode(),
			`Wait for Result: Callback takes one item per run, got ${count}`,
			{
				description:
					'For many items choose Stream or Poll (items run in parallel), or "Don\'t Wait" with a Reply URL and the Midjourney Trigger node.',
			},
		);
	}
}

/** Video jobs count against `maxVideoJobs`, image jobs against `maxImageJobs`; a mixed batch is sized by the smaller. */
function jobKindOfItems(ctx: IExecuteFunctions, count: number): JobKind {
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		const prompt = String(ctx.getNodeParameter('prompt', itemIndex, '') ?? '');
		const button = String(ctx.getNodeParameter('button', itemIndex, '') ?? '');
		if (/(^|\s)--video\b/.test(prompt) || /^(Animate|Extend)\b/.test(button)) return 'video';
	}
	return 'image';
}

/**
 * The scheduler of a job-creating run: it starts from the account's free capacity (what the user
 * set as Max Parallel Jobs caps it), or from a safe default when the look-up fails, and adapts.
 */
async function schedulerFor(ctx: IExecuteFunctions, count: number): Promise<JobScheduler> {
	const options = ctx.getNodeParameter('options', 0, {}) as { maxParallelJobs?: number };
	const userLimit = options.maxParallelJobs ?? 0;
	checkIntegerRange(ctx.getNode(), 0, 'Max Parallel Jobs', userLimit, 0, MAX_PARALLEL_JOBS_LIMIT);
	const channels = channelsOfItems(ctx, count);
	const kind = jobKindOfItems(ctx, count);
	// A user-set limit and a single item need no look-up; a 429 is still waited out on the API's state.
	const capacity = count > 1 && !userLimit ? await lookUpCapacity(ctx, channels, kind) : undefined;
	const ceiling = userLimit || capacity?.ceiling || MAX_PARALLEL_JOBS_LIMIT;
	const start =
		count === 1 ? 1 : capacity ? Math.max(1, capacity.free) : SAFE_DEFAULT_PARALLEL_JOBS;
	return new JobScheduler(ctx, {
		start: userLimit || start,
		ceiling,
		known: Boolean(userLimit || capacity),
		channels,
		kind,
	});
}

/** What the error that ends the run says about the jobs it stopped and the items it never sent. */
function describeStop(scheduler: JobScheduler, error: unknown): void {
	const target = error as { description?: string | null };
	if (typeof target !== 'object' || target === null) return;
	const cancelled = scheduler.cancelledJobs;
	const note = cancelled.length
		? `The run stopped: nothing more was submitted, and the jobs still running were cancelled (DELETE): ${cancelled.join(', ')}.`
		: 'The run stopped: nothing more was submitted.';
	target.description = [target.description, note].filter(Boolean).join(' ');
}

function chosenOperation(ctx: IExecuteFunctions | IWebhookFunctions): {
	operation?: Operation;
	midjourney: MidjourneyType;
} {
	const getParameter = (name: string) =>
		'getInputData' in ctx
			? ctx.getNodeParameter(name, 0)
			: (ctx as IWebhookFunctions).getNodeParameter(name);
	const midjourney = {
		resource: getParameter('resource'),
		operation: getParameter('operation'),
	} as MidjourneyType;
	const operation = (operations[midjourney.resource] as Record<string, Operation> | undefined)?.[
		midjourney.operation
	];
	return { operation, midjourney };
}

/** The job of a failed item in one line, for the error description when the run stops. */
function jobLine(job: FailedJob): string {
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

/** A Callback-mode execution woken by useapi.net: the job, presented as its operation presents it. */
export async function resumeRouter(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	return await resumeFromCallback(this, chosenOperation(this).operation?.finishedJob);
}

/**
 * Runs the chosen operation for every input item. Job-creating operations run items in parallel up
 * to the account's capacity; output order follows the input whatever order jobs finish in. With
 * Continue On Fail an item's error becomes an output item paired with it, with its job once one exists.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const { operation, midjourney } = chosenOperation(this);
	if (!operation) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${midjourney.operation}" of "${midjourney.resource}" is not supported`,
		);
	}
	checkCallbackBatch(this, items.length);

	const scheduler = operation.createsJobs ? await schedulerFor(this, items.length) : undefined;
	if (scheduler) {
		setScheduler(this, scheduler);
		observeSubmissions(this, scheduler);
	}
	// Jobs hold a slot only from submission to final status (see submitAndWait); twice as many items
	// as slots run so that a finished job's downloads overlap the next job instead of delaying it.
	const itemsAtOnce = scheduler ? scheduler.ceiling * 2 : 1;
	try {
		const perItem = await mapWithConcurrency(
			items.length,
			itemsAtOnce,
			async (itemIndex) => {
				try {
					checkToolWaitMode(this, itemIndex);
					return await operation.execute.call(this, itemIndex);
				} catch (error) {
					const job = jobOfError(error);
					if (this.continueOnFail() || answersErrorsToAgent(this)) {
						// Only the message of an error that is not ours: it may carry the request, so the token.
						const failure: NodeError =
							error instanceof NodeApiError || error instanceof NodeOperationError
								? error
								: new NodeOperationError(this.getNode(), (error as Error).message, { itemIndex });
						return [failedItem(this, failure, itemIndex)];
					}
					const context = (error as { context?: { itemIndex?: number } }).context;
					if (context && context.itemIndex === undefined) context.itemIndex = itemIndex;
					if (job) describeJobOf(error, job);
					throw asNodeError(this.getNode(), error, itemIndex);
				}
			},
			// The run is going to stop: nothing new is submitted and running jobs are cancelled.
			() => scheduler?.stop(),
		);
		return [perItem.flat()];
	} catch (error) {
		if (scheduler && items.length > 1) describeStop(scheduler, error);
		throw asNodeError(this.getNode(), error);
	}
}
