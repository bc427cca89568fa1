import {
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { mapWithConcurrency } from '../engine/capacity/concurrency';
import { JobRun } from '../engine/jobRun';
import { describeStop, itemFailure } from '../engine/runFailures';
import { resumeFromCallback } from '../engine/waiting/callback';
import { readResourceAndOperation } from '../engine/itemParameters';
import { asNodeError } from '../transport/errors';
import * as account from './account';
import * as job from './job';
import * as legacy from './legacy';
import * as media from './media';
import type { MidjourneyType, Operation, OperationMap } from './node.type';
import * as settings from './settings';

const operations: OperationMap = {
	job,
	settings,
	account,
	media,
	// The Legacy (V2) resource: `v2` is the value saved in workflows, so it stays.
	v2: legacy,
};

function chosenOperation(ctx: IExecuteFunctions | IWebhookFunctions): {
	operation?: Operation;
	midjourney: MidjourneyType;
} {
	const midjourney = readResourceAndOperation(ctx) as MidjourneyType;
	const operation = (operations[midjourney.resource] as Record<string, Operation> | undefined)?.[
		midjourney.operation
	];
	return { operation, midjourney };
}

/** A Callback-mode execution woken by useapi.net: the job, presented as its operation presents it. */
export async function resumeRouter(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	return await resumeFromCallback(this, chosenOperation(this).operation?.finishedJob);
}

/**
 * Runs the chosen operation for every input item, in one JobRun (engine/jobRun.ts). Job-creating
 * operations run items in parallel up to the account's capacity; output order follows the input
 * whatever order jobs finish in. With Continue On Fail an item's error becomes an output item
 * paired with it, with its job once one exists.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const { operation, midjourney } = chosenOperation(this);
	if (!operation) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${midjourney.operation}" of "${midjourney.resource}" is not supported`,
		);
	}
	const run = await JobRun.start(this, operation);
	const count = this.getInputData().length;
	try {
		const perItem = await mapWithConcurrency(
			count,
			run.itemsAtOnce,
			async (itemIndex) => {
				const inputFailure = run.inputFailures[itemIndex];
				if (inputFailure) return inputFailure;
				try {
					return await operation.execute.call(this, itemIndex, run);
				} catch (error) {
					return itemFailure(this, itemIndex, error);
				}
			},
			// The run is going to stop: nothing new is submitted and running jobs are cancelled.
			() => run.stop(),
		);
		return [perItem.flat()];
	} catch (error) {
		if (run.scheduler && count > 1) describeStop(run.scheduler, error);
		throw asNodeError(this.getNode(), error);
	}
}
