/**
 * The node as an AI Agent's tool ("Midjourney (useapi.net) Tool", the variant n8n adds for
 * `usableAsTool`). An agent reads JSON only: n8n drops binary data from a tool's answer, and the
 * model pays for every token of it. So a tool downloads nothing unless the user chose a download
 * option, answers with a compact job, reports a failed job as an answer (the model can act on it),
 * and cannot sleep on a callback.
 */
import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
} from 'n8n-workflow';

import type { Job } from '../transport/types';
import type { OutputOptions } from './output/jobOutput';

/** The contexts tool mode is read from (the action node's; the trigger is never a tool). */
type ToolContext = Pick<IExecuteFunctions, 'getNode'> &
	Partial<Pick<IExecuteFunctions, 'isToolExecution'>>;

/**
 * Whether this run is an AI Agent calling the node as its tool, as n8n tells the node:
 * - AI Agent v3 (n8n 2.x, and 1.x from 1.1xx): the agent asks the engine to run the tool node
 *   (n8n-core `requests-response`), which marks the node it runs with `rewireOutputLogTo: ai_tool`;
 *   n8n's own error handling tells a tool's run from others by the same mark (`workflow-execute`,
 *   `isAiToolExecution`). `isToolExecution()` is false in that context.
 * - Older agents (v1, v2): the node's execute runs in a supply-data context whose connection type
 *   is `ai_tool`. n8n 2.x says so through `isToolExecution()`; n8n 1.x has no such method, and the
 *   same context carries the `connectionType` that 2.x's method reads.
 */
export function isToolExecution(ctx: ToolContext): boolean {
	if (ctx.getNode().rewireOutputLogTo === NodeConnectionTypes.AiTool) return true;
	if (typeof ctx.isToolExecution === 'function') return ctx.isToolExecution();
	return (ctx as { connectionType?: unknown }).connectionType === NodeConnectionTypes.AiTool;
}

/** What the user may choose in Options → Answer to the Agent. */
export type AgentAnswer = 'compact' | 'full';

/**
 * Output options of a tool run before the user's own Options are applied: nothing downloaded
 * (an agent cannot use binary data, n8n drops it), and the compact answer unless "Answer to the
 * Agent" is Full Job. Outside an agent: none, the node behaves as it always did.
 */
export function toolOutputDefaults(
	ctx: ToolContext & Pick<IExecuteFunctions, 'getNodeParameter'>,
	itemIndex: number,
): Partial<OutputOptions> {
	if (!isToolExecution(ctx)) return {};
	const options = ctx.getNodeParameter('options', itemIndex, {}) as { agentAnswer?: AgentAnswer };
	return { download: 'none', compact: options.agentAnswer !== 'full' };
}

/** A prompt longer than this is cut in the compact answer: the model wrote it and needs no full echo. */
export const COMPACT_PROMPT_MAX = 500;

function cut(text: string, max: number): string {
	return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * The compact answer to an agent: job ID, status, prompt, the picture or video links, the buttons
 * that can be pressed next, and the error of a failed job; for a pressed button, which button and
 * on which job. `simplified` is the node's Simplify Output of the same job (its links, seed and
 * describe prompts), so both read a job the same way.
 */
export function compactJob(job: Job, simplified: IDataObject): IDataObject {
	const compact: IDataObject = { jobid: job.jobid, status: job.status };
	if (typeof simplified.prompt === 'string')
		compact.prompt = cut(simplified.prompt, COMPACT_PROMPT_MAX);
	if (typeof job.request?.button === 'string') compact.button = job.request.button;
	if (typeof job.request?.jobId === 'string') compact.parentJobid = job.request.jobId;
	// One name for a picture link whatever it came from: cdn.midjourney.com images or the Discord attachment.
	const imageUrls = simplified.imageUrls ?? simplified.attachmentUrls;
	if (imageUrls) compact.imageUrls = imageUrls;
	if (simplified.videoUrls) compact.videoUrls = simplified.videoUrls;
	if (simplified.buttons) compact.buttons = simplified.buttons;
	if (simplified.seed) compact.seed = simplified.seed;
	if (simplified.prompts) compact.prompts = simplified.prompts;
	if (job.error) compact.error = job.error;
	if (job.errorDetails) compact.errorDetails = job.errorDetails;
	// The caller's own reference (Options → Reply Ref): how an agent tells its jobs apart.
	if (typeof simplified.replyRef === 'string') compact.replyRef = simplified.replyRef;
	return compact;
}

/**
 * Wait for Result: Callback puts the execution to sleep until useapi.net calls it back; an agent's
 * tool call must answer within the agent's run, so a tool cannot wait that way. Checked before any
 * request.
 */
export function checkToolWaitMode(ctx: IExecuteFunctions, itemIndex: number): void {
	if (!isToolExecution(ctx)) return;
	if (ctx.getNodeParameter('waitFor', itemIndex, 'stream') !== 'callback') return;
	throw new NodeOperationError(
		ctx.getNode(),
		'Wait for Result: Callback cannot be used when the node is an AI Agent\'s tool: the agent needs the answer within its run. Set "Wait for Result" to Stream or Poll.',
		{
			itemIndex,
			description:
				'Callback mode puts the whole execution to sleep until useapi.net calls it back; an agent cannot wait for a sleeping tool.',
		},
	);
}

/**
 * A tool's failed item is answered to the agent (as Continue On Fail outputs it: the error, and the
 * job where there is one) unless the user set the tool's On Error to Stop Workflow. n8n 2.x does the
 * same for a tool's error (n8n-core workflow-execute, aiToolDefaultsToContinue) but keeps only its
 * message; n8n 1.x stops the whole execution, so the model could never correct its call.
 */
export function answersErrorsToAgent(ctx: ToolContext): boolean {
	return isToolExecution(ctx) && ctx.getNode().onError !== 'stopWorkflow';
}
