import {
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { mapWithConcurrency } from '../helpers/concurrency';
import * as job from './job';
import type { MidjourneyType, Operation, OperationMap } from './node.type';

const operations: OperationMap = {
	job,
};

/** Runs the chosen operation for every input item. Continue On Fail turns an item's error into an output item paired with it. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const midjourney = {
		resource: this.getNodeParameter<MidjourneyType>('resource', 0),
		operation: this.getNodeParameter('operation', 0),
	} as MidjourneyType;

	const operation = (operations[midjourney.resource] as Record<string, Operation> | undefined)?.[
		midjourney.operation
	];
	if (!operation) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${midjourney.operation}" of "${midjourney.resource}" is not supported`,
		);
	}

	const perItem = await mapWithConcurrency(items.length, 1, async (itemIndex) => {
		try {
			return await operation.execute.call(this, itemIndex);
		} catch (error) {
			if (this.continueOnFail()) {
				return [{ json: { error: (error as Error).message }, pairedItem: { item: itemIndex } }];
			}
			if (error instanceof NodeOperationError || (error as { context?: unknown }).context) {
				(error as NodeOperationError).context.itemIndex ??= itemIndex;
			}
			throw error;
		}
	});
	return [perItem.flat()];
}
