import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { itemFailure } from './runFailures';
import { checkToolWaitMode } from './toolMode';

/** What the preflight needs of an operation: how it reads and checks one item's inputs. */
export interface InputReader {
	/**
	 * Reads and checks one item's inputs (its own fields, and the wait, routing and output settings
	 * for a job operation) exactly as `execute` will read them, without any request.
	 */
	readInputs?: (this: IExecuteFunctions, itemIndex: number) => unknown;
}

/**
 * Before the first submission of a run, every item's inputs are read and checked, so that one bad
 * row of a paid batch fails the node before anything is sent instead of after the rows before it
 * were submitted (and then cancelled or dropped). Without Continue On Fail the first bad item
 * fails the node, naming the item and the field (itemFailure throws); with it, or when the node is
 * an AI Agent's tool, that item's failure is its output and the other items run. Returns each
 * failed item's output, by item index.
 */
export async function preflightItems(
	ctx: IExecuteFunctions,
	operation: InputReader,
	count: number,
): Promise<Array<INodeExecutionData[] | undefined>> {
	const failed: Array<INodeExecutionData[] | undefined> = [];
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		try {
			checkToolWaitMode(ctx, itemIndex);
			// Read and dropped: an image read now is read again when the item runs, so a batch of
			// uploads is never held in memory at once.
			await operation.readInputs?.call(ctx, itemIndex);
		} catch (error) {
			failed[itemIndex] = itemFailure(ctx, itemIndex, error);
		}
	}
	return failed;
}
