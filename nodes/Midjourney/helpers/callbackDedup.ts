import type { IWebhookFunctions } from 'n8n-workflow';

import type { Job } from '../transport/types';

/** How many (job, status) pairs are remembered per trigger: enough for any realistic redelivery window. */
const REMEMBERED = 2000;

/** Deliveries seen by this process; it closes the gap between two simultaneous duplicates, which both read the static data before either saves it. */
const seenInProcess = new Map<string, Set<string>>();

/**
 * Whether this (job, status) pair already started the workflow. useapi.net may deliver the same
 * event again (retries); the workflow runs once per event. Kept in the trigger's static data so it
 * survives a restart of n8n, and in memory for concurrent deliveries.
 */
export function isDuplicateDelivery(ctx: IWebhookFunctions, job: Job): boolean {
	const key = `${job.jobid}|${job.status}`;
	const scope = `${ctx.getWorkflow().id ?? ''}|${ctx.getNode().id ?? ctx.getNode().name}`;
	let memory = seenInProcess.get(scope);
	if (!memory) seenInProcess.set(scope, (memory = new Set()));

	const staticData = ctx.getWorkflowStaticData('node') as { deliveries?: string[] };
	const deliveries = staticData.deliveries ?? [];
	if (memory.has(key) || deliveries.includes(key)) return true;

	memory.add(key);
	if (memory.size > REMEMBERED) memory.delete(memory.values().next().value as string);
	staticData.deliveries = [...deliveries, key].slice(-REMEMBERED);
	return false;
}
