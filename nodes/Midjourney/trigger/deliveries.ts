import type { IWebhookFunctions } from 'n8n-workflow';

import { DedupStore, type DedupEntries } from './dedupStore';

/**
 * Events of this process that are being processed or were delivered; it closes the gap between two
 * simultaneous duplicates, which both read the static data before either saves it. Bounded like
 * the static data (see DedupStore), per trigger node.
 */
const seenInProcess = new Map<string, DedupStore>();

export interface Delivery {
	/** The event started the workflow: a later delivery of it starts nothing. */
	done(): void;
	/** Processing the event failed: a later delivery of it is processed again. */
	failed(): void;
}

interface TriggerStaticData {
	/** Events that started the workflow, key → time (ms). */
	delivered?: DedupEntries;
	/** The unbounded list an earlier version kept: read once, then replaced by `delivered`. */
	deliveries?: unknown;
}

function recordedEvents(ctx: IWebhookFunctions): DedupStore {
	const staticData = ctx.getWorkflowStaticData('node') as TriggerStaticData;
	if (!staticData.delivered) {
		staticData.delivered = DedupStore.fromLegacyList(staticData.deliveries, Date.now());
		delete staticData.deliveries;
	}
	return new DedupStore(staticData.delivered);
}

/** Whether the event already started the workflow (recorded in the trigger's static data). */
export function alreadyDelivered(ctx: IWebhookFunctions, key: string): boolean {
	return recordedEvents(ctx).has(key);
}

/**
 * Claims an event for processing, or returns undefined when it already started the workflow (or
 * is being processed right now): useapi.net may deliver the same event again, and the workflow
 * runs once per event. An event is recorded as delivered only once it started the workflow, so
 * one whose processing failed (a media download, the verification) can be delivered again.
 * Recorded in the trigger's static data, so it survives a restart of n8n.
 */
export function claimDelivery(ctx: IWebhookFunctions, key: string): Delivery | undefined {
	const scope = `${ctx.getWorkflow().id ?? ''}|${ctx.getNode().id ?? ctx.getNode().name}`;
	let memory = seenInProcess.get(scope);
	if (!memory) seenInProcess.set(scope, (memory = new DedupStore({})));
	const recorded = recordedEvents(ctx);
	if (memory.has(key) || recorded.has(key)) return undefined;

	memory.add(key);
	return {
		done() {
			recorded.add(key);
		},
		failed() {
			memory.delete(key);
		},
	};
}
