import {
	NodeApiError,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { readOutputOptions } from '../itemParameters';
import type { NodeError } from '../../transport/errors';
import { getJob, submitJob, withFields } from '../../transport/jobs';
import { callResumeUrl } from '../../transport/resumeCall';
import { isFinal, type Job } from '../../transport/types';
import { webhookRun } from '../output/downloads';
import { failedItem } from '../output/items';
import { jobItems } from '../output/jobOutput';
import { throwIfUnsuccessful } from './jobOutcome';
import type { JobWait } from './jobWait';

/**
 * Wait for Result: Callback, both halves. The execution submits its job with its own resume URL as
 * the Reply URL and is put to wait (submitAndSleep); useapi.net's call to that URL wakes it
 * (resumeFromCallback), in a webhook call that has no job run of its own.
 */

/**
 * Callback mode: the job reports to this execution's own resume URL (final status only) and the
 * execution is put to wait, holding no connection; `resumeFromCallback` wakes it with the job.
 * The returned job (as created) is the node's output only until the callback replaces it.
 * Returns `follow` for a job that will never call this execution back: the existing child of an
 * execute-once button (answered 200) reports to the Reply URL of the press that made it.
 */
export async function submitAndSleep(wait: JobWait): Promise<{ job: Job; follow: boolean }> {
	const { ctx, api } = wait.run;
	const resumeUrl = String(
		ctx.evaluateExpression('{{ $execution.resumeUrl }}', wait.itemIndex) ?? '',
	);
	const job = await submitJob(api, {
		...wait.request,
		body: withFields(wait.request.body, { replyUrl: resumeUrl, replyLevel: 'minimal' }),
	});
	if (isFinal(job)) return { job, follow: false };
	if (job.request?.replyUrl !== resumeUrl) return { job, follow: true };
	await ctx.putExecutionToWait(new Date(Date.now() + wait.settings.timeLimitMs));
	// Not awaited: it runs once this node has returned and n8n parks the execution.
	void confirmParked(ctx, resumeUrl, job.jobid, Date.now() + wait.settings.timeLimitMs);
	return { job, follow: false };
}

/** Pauses before each call of confirmParked: n8n saves a waiting execution within a few seconds. */
const PARK_CHECK_DELAYS_MS = [1_000, 2_000, 3_000, 5_000];
/** confirmParked gives up after this long (or the time limit): n8n has parked the execution long before. */
const PARK_CHECK_FOR_MS = 120_000;

/**
 * A job may end between its submission and the moment n8n has saved the execution as waiting. Its
 * final callback then reaches n8n while the execution still runs and is refused (n8n's
 * waiting-webhooks: 409 `The execution "6" is running already.`), and the docs do not say that
 * useapi.net tries again. Nothing else would wake the execution before its time limit, and n8n runs
 * nothing of the node when a wait times out: it passes the node's input on as its output.
 *
 * So the execution makes sure it was parked: it calls its own resume URL with its job ID, as
 * useapi.net does, until n8n no longer answers "running". That call goes through
 * resumeFromCallback, which reads the job from the API: a job already final wakes the execution
 * with its result; a job still running leaves it waiting, and its own final callback can no longer
 * find the execution running. n8n answers every other refusal (finished, unknown) for good.
 */
async function confirmParked(
	ctx: IExecuteFunctions,
	resumeUrl: string,
	jobId: string,
	timeLimitAt: number,
): Promise<void> {
	const until = Math.min(timeLimitAt, Date.now() + PARK_CHECK_FOR_MS);
	for (let attempt = 0; Date.now() < until; attempt++) {
		await sleep(PARK_CHECK_DELAYS_MS[Math.min(attempt, PARK_CHECK_DELAYS_MS.length - 1)]);
		const answer = await callResumeUrl(ctx, resumeUrl, { jobid: jobId });
		if (answer && !(answer.statusCode === 409 && /running/i.test(answer.message ?? ''))) return;
	}
}

function refuse(ctx: IWebhookFunctions, status: number, error: string): IWebhookResponseData {
	ctx.getResponseObject().status(status).json({ error });
	return { noWebhookResponse: true };
}

/**
 * Whether a job's Reply URL is the address this call came in on, i.e. this execution's own resume
 * URL: the job is the one this execution submitted (Callback mode submits one job per run, and the
 * URL, signed on n8n 2.x, names the execution). Compared by path (a proxy in front of n8n may add a
 * prefix) and query (the signature).
 */
function isForThisExecution(ctx: IWebhookFunctions, job: Job): boolean {
	const replyUrl = job.request?.replyUrl;
	if (typeof replyUrl !== 'string') return false;
	const request = ctx.getRequestObject();
	let reply: URL;
	let received: URL;
	try {
		reply = new URL(replyUrl);
		received = new URL(request.originalUrl ?? request.url ?? '', 'http://n8n.invalid');
	} catch {
		return false;
	}
	const executionId = ctx.getExecutionId();
	return (
		received.pathname.length > 1 &&
		reply.pathname.endsWith(received.pathname) &&
		reply.search === received.search &&
		(!executionId || reply.pathname.split('/').includes(executionId))
	);
}

/**
 * Wakes an execution that waits in Callback mode. useapi.net posts the job to the execution's
 * resume URL; the job is read again from the API (a callback body is not trusted) and becomes the
 * node's output. Only the job this execution submitted wakes it: a call naming another job is
 * refused (403) and the execution keeps waiting, as it does for a call that is not the final status.
 * A failed or moderated job becomes the item's failure, with its job, as in Stream and Poll mode
 * under Continue On Fail: n8n passes a resumed node's data on and never runs it again, so the
 * failure cannot be raised as an error here.
 */
export async function resumeFromCallback(
	ctx: IWebhookFunctions,
	finishedJob: (job: Job) => Job = (job) => job,
): Promise<IWebhookResponseData> {
	const body = (ctx.getBodyData() ?? {}) as IDataObject;
	const jobId = typeof body.jobid === 'string' ? body.jobid : '';
	if (!jobId) return refuse(ctx, 400, 'Not a useapi.net job callback: "jobid" is missing');

	const run = webhookRun(ctx);
	let job: Job;
	try {
		job = await getJob(run.api, jobId);
	} catch (error) {
		// Answered without waking the execution: a thrown error would end it with nothing of its run kept.
		const unknown =
			error instanceof NodeApiError && ['404', '410'].includes(String(error.httpCode));
		return unknown
			? refuse(ctx, 403, `useapi.net does not know job ${jobId}`)
			: refuse(ctx, 502, 'Could not read the job from useapi.net; call again');
	}
	if (!isForThisExecution(ctx, job)) {
		return refuse(ctx, 403, `Job ${jobId} is not the job this execution waits for`);
	}
	if (!isFinal(job)) return { webhookResponse: { received: true, resumed: false } };

	try {
		throwIfUnsuccessful(ctx, 0, job);
	} catch (error) {
		// n8n passes a resumed node's output on without running it again, through its error-output routing.
		return {
			webhookResponse: { received: true, resumed: true },
			workflowData: [[failedItem(ctx, error as NodeError, 0)]],
		};
	}
	const items = await jobItems(run, 0, [finishedJob(job)], readOutputOptions(ctx, 0));
	return {
		webhookResponse: { received: true, resumed: true },
		workflowData: [items.map((item) => ({ ...item, pairedItem: { item: 0 } }))],
	};
}
