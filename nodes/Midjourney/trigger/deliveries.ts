import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

/** How many events are remembered per trigger: enough for any realistic redelivery window. */
const REMEMBERED = 2000;

/**
 * Events of this process that are being processed or were delivered; it closes the gap between two
 * simultaneous duplicates, which both read the static data before either saves it.
 */
const seenInProcess = new Map<string, Set<string>>();

/**
 * What tells one event of a job from another: its status, and for progress events the percentage
 * (a job reports 15 %, 54 % and 96 % as three events). Read from the event as delivered.
 */
export function eventKey(event: IDataObject): string {
	const jobId = String(event.jobid ?? event.jobId ?? '');
	const status = String(event.status ?? '');
	if (status !== 'progress') return `${jobId}|${status}`;
	const response = (event.response ?? {}) as IDataObject;
	const percent = response.progress_percent ?? event.progress_percent ?? event.progress ?? '';
	return `${jobId}|${status}|${String(percent)}`;
}

export interface Delivery {
	/** The event started the workflow: a later delivery of it starts nothing. */
	done(): void;
	/** Processing the event failed: a later delivery of it is processed again. */
	failed(): void;
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
	if (!memory) seenInProcess.set(scope, (memory = new Set()));
	const staticData = ctx.getWorkflowStaticData('node') as { deliveries?: string[] };
	if (memory.has(key) || (staticData.deliveries ?? []).includes(key)) return undefined;

	memory.add(key);
	if (memory.size > REMEMBERED) memory.delete(memory.values().next().value as string);
	return {
		done() {
			staticData.deliveries = [...(staticData.deliveries ?? []), key].slice(-REMEMBERED);
		},
		failed() {
			memory.delete(key);
		},
	};
}
