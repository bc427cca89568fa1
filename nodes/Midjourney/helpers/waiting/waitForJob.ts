import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import {
	asNodeError,
	isTransientFailure,
	withJob,
	type FailedJob,
	type NodeError,
} from '../../transport/errors';
import {
	cancelJob,
	getJob,
	streamJob,
	submitJob,
	withFields,
	type SubmitRequest,
} from '../../transport/jobs';
import type { MultipartBody } from '../../transport/multipart';
import { sleepUnlessAborted, type BusyRetry } from '../../transport/request';
import { isFinal, type Job } from '../../transport/types';
import { runStopSignal } from '../capacity/concurrency';
import { isToolExecution } from '../toolMode';
import { nextPollDelayMs } from './pollSchedule';

export type WaitMode = 'stream' | 'poll' | 'none' | 'callback';

/** What becomes of a job whose live stream was lost before its final status (useapi.net leaves it stuck). */
export type StreamLossPolicy = 'resubmit' | 'fail';

export interface WaitSettings {
	mode: WaitMode;
	timeLimitMs: number;
	/** The shortest time between two reads of a polled job. */
	pollIntervalMs: number;
	onStreamLoss: StreamLossPolicy;
	busyRetry: BusyRetry;
}

export interface JobSubmission {
	path: string;
	body: IDataObject | MultipartBody;
	channel?: string;
}

/** Why waiting stopped early: the user stopped the execution, or the time limit passed. */
export function stopReason(ctx: IExecuteFunctions): 'stopped' | 'timeLimit' {
	return ctx.getExecutionCancelSignal?.()?.aborted ? 'stopped' : 'timeLimit';
}

/**
 * Fires when the time limit passes, the user stops the execution, or the run stops because another
 * item failed (helpers/capacity/concurrency.ts), whichever comes first.
 */
export function waitSignal(ctx: IExecuteFunctions, timeLimitMs: number): AbortSignal {
	const signals = [AbortSignal.timeout(timeLimitMs)];
	const cancel = ctx.getExecutionCancelSignal?.();
	if (cancel) signals.push(cancel);
	const runStop = runStopSignal(ctx);
	if (runStop) signals.push(runStop);
	return AbortSignal.any(signals);
}

/** What an error keeps of a job: its id and how far it got. */
function failedJob(job: Job): FailedJob {
	return { jobid: job.jobid, status: job.status, error: job.error, errorDetails: job.errorDetails };
}

/** A failed or moderated job is an error of its item; its details go into the description and `context.job`. */
export function throwIfUnsuccessful(
	ctx: Pick<IExecuteFunctions, 'getNode'>,
	itemIndex: number,
	job: Job,
): Job {
	if (job.status === 'failed' || job.status === 'moderated') {
		const what = job.status === 'failed' ? 'failed' : 'was moderated by Midjourney';
		const details = [
			job.error,
			job.errorDetails,
			...(job.response?.embeds ?? []).map((e) => e.description),
		]
			.filter(Boolean)
			.join(' — ');
		throw withJob(
			new NodeOperationError(ctx.getNode(), `Midjourney job ${what}: ${job.error ?? job.status}`, {
				itemIndex,
				description: `Job ${job.jobid}. ${details}`.trim(),
			}),
			failedJob(job),
		);
	}
	return job;
}

/**
 * Callback mode: the job reports to this execution's own resume URL (final status only) and the
 * execution is put to wait, holding no connection; `resumeFromCallback` wakes it with the job.
 * The returned job (as created) is the node's output only until the callback replaces it.
 * Returns `follow` for a job that will never call this execution back: the existing child of an
 * execute-once button (answered 200) reports to the Reply URL of the press that made it.
 */
async function submitAndSleep(
	ctx: IExecuteFunctions,
	itemIndex: number,
	request: SubmitRequest,
	timeLimitMs: number,
): Promise<{ job: Job; follow: boolean }> {
	const resumeUrl = String(ctx.evaluateExpression('{{ $execution.resumeUrl }}', itemIndex) ?? '');
	const job = await submitJob(ctx, {
		...request,
		body: withFields(request.body, { replyUrl: resumeUrl, replyLevel: 'minimal' }),
	});
	if (isFinal(job)) return { job, follow: false };
	if (job.request?.replyUrl !== resumeUrl) return { job, follow: true };
	await ctx.putExecutionToWait(new Date(Date.now() + timeLimitMs));
	return { job, follow: false };
}

/** How a lost stream is named in the output of the job that replaced it. */
export interface StreamLoss {
	cancelledJobid: string;
	reason: string;
}

/**
 * The one way every job-creating operation submits its job and waits for the result, in the mode
 * the user picked. When waiting ends early the job is cancelled so that it does not hold one of the
 * account's slots. A live stream lost before the final status leaves its job stuck for 14 minutes
 * (SSE guide): the job is read once, and if it has not finished it is cancelled and, at most once,
 * submitted again without a stream and polled.
 */
export async function runJob(
	ctx: IExecuteFunctions,
	itemIndex: number,
	submission: JobSubmission,
	wait: WaitSettings,
): Promise<Job> {
	const node = ctx.getNode();
	const abortSignal = waitSignal(ctx, wait.timeLimitMs);
	const request: SubmitRequest = {
		path: submission.path,
		body: submission.body,
		channel: submission.channel,
		itemIndex,
		busyRetry: wait.busyRetry,
		abortSignal,
	};

	/** The time limit passed or the user stopped the execution: the job is cancelled and the item fails. */
	const waitEnded = async (job: FailedJob | undefined): Promise<NodeError> => {
		const cancelled = job ? await cancelJob(ctx, job.jobid) : false;
		const jobText = job
			? cancelled
				? `Job ${job.jobid} was cancelled (DELETE) so it no longer holds a slot of the account.`
				: `Cancelling job ${job.jobid} failed; it holds a slot of the account until useapi.net times it out (14 minutes).`
			: 'No job had been created yet.';
		const message =
			stopReason(ctx) === 'stopped'
				? 'The execution was stopped while waiting for the Midjourney job'
				: `The Midjourney job did not finish within the time limit of ${Math.round(wait.timeLimitMs / 1000)} seconds`;
		const error = new NodeOperationError(node, message, {
			itemIndex,
			description: `${jobText} Raise "Time Limit (Seconds)" for long jobs (video, relax mode, busy account).`,
		});
		return job ? withJob(error, { ...job, cancelled }) : error;
	};

	/** Submission errors: before a job id is known there is nothing to cancel. */
	const submit = async <T>(send: () => Promise<T>): Promise<T> => {
		try {
			return await send();
		} catch (error) {
			if (abortSignal.aborted) throw await waitEnded(undefined);
			throw asNodeError(node, error, itemIndex);
		}
	};

	// An agent's tool answers with a failed job (its ID, status and error) so that the model can act on it.
	const toolMode = isToolExecution(ctx);
	const finished = (job: Job) => (toolMode ? job : throwIfUnsuccessful(ctx, itemIndex, job));

	/**
	 * Reads the job until it is final, scheduled by what is known of it (see nextPollDelayMs).
	 * A read that fails for a passing reason (5xx, 429, no answer) is tried again until the time
	 * limit; one that cannot succeed ends the wait, and the job, which may still be running, is cancelled.
	 */
	const pollUntilFinal = async (
		jobId: string,
		submittedAt: number,
		lastRead?: Job,
	): Promise<Job> => {
		let last = lastRead;
		for (;;) {
			await sleepUnlessAborted(
				nextPollDelayMs(last, Date.now() - submittedAt, wait.pollIntervalMs),
				abortSignal,
			);
			if (abortSignal.aborted) throw await waitEnded({ jobid: jobId, status: last?.status });
			try {
				last = await getJob(ctx, jobId, { itemIndex, abortSignal });
			} catch (error) {
				if (abortSignal.aborted) throw await waitEnded({ jobid: jobId, status: last?.status });
				if (isTransientFailure(error)) continue;
				const cancelled = await cancelJob(ctx, jobId);
				throw withJob(asNodeError(node, error, itemIndex), {
					jobid: jobId,
					status: last?.status,
					cancelled,
				});
			}
			if (isFinal(last)) return finished(last);
		}
	};

	/** A stream lost with the job id known: the job is stuck unless it already finished. */
	const recoverLostStream = async (
		jobId: string,
		reason: string,
		lastJob: Job | undefined,
	): Promise<Job> => {
		const current = await getJob(ctx, jobId, { itemIndex, abortSignal }).catch(() => lastJob);
		if (abortSignal.aborted) throw await waitEnded({ jobid: jobId, status: current?.status });
		if (current && isFinal(current)) return finished(current);

		const cancelled = await cancelJob(ctx, jobId);
		const cancelText = cancelled
			? `Job ${jobId} was cancelled (DELETE) so it no longer holds a slot.`
			: `Cancelling job ${jobId} failed; it holds a slot of the account until useapi.net times it out (14 minutes).`;
		if (wait.onStreamLoss === 'fail') {
			throw withJob(
				new NodeOperationError(
					node,
					'The live stream of the Midjourney job was lost before the job finished',
					{
						itemIndex,
						description:
							`${reason}. useapi.net leaves such a job stuck for 14 minutes. ${cancelText} ` +
							'Run the item again, set "If the Stream Is Lost" to Cancel and Resubmit, or choose Wait for Result: Poll.',
					},
				),
				{ jobid: jobId, status: current?.status, cancelled },
			);
		}

		// The SSE guide's advice for an unreliable connection: stream: false, then poll.
		const submittedAt = Date.now();
		const replacement = await submit(async () => await submitJob(ctx, request));
		const streamLost: StreamLoss = { cancelledJobid: jobId, reason };
		try {
			const job = isFinal(replacement)
				? finished(replacement)
				: await pollUntilFinal(replacement.jobid, submittedAt);
			return { ...job, streamLost };
		} catch (error) {
			const failure = withJob(asNodeError(node, error, itemIndex), {
				jobid: replacement.jobid,
				cancelledJobid: jobId,
			});
			failure.description =
				`${failure.description ?? ''} This was the second job for the item: job ${replacement.jobid} replaced ` +
				`job ${jobId}, whose live stream was lost (${reason}). ${cancelText}`.trim();
			throw failure;
		}
	};

	if (wait.mode === 'none') return await submit(async () => await submitJob(ctx, request));

	if (wait.mode === 'callback') {
		const submittedAt = Date.now();
		const { job, follow } = await submit(
			async () => await submitAndSleep(ctx, itemIndex, request, wait.timeLimitMs),
		);
		if (isFinal(job)) return finished(job);
		// Not this execution's job (an execute-once child still running): followed as Poll mode follows a job.
		return follow ? await pollUntilFinal(job.jobid, submittedAt, job) : job;
	}

	if (wait.mode === 'poll') {
		const submittedAt = Date.now();
		const created = await submit(async () => await submitJob(ctx, request));
		return isFinal(created) ? finished(created) : await pollUntilFinal(created.jobid, submittedAt);
	}

	const outcome = await submit(async () => await streamJob(ctx, request));
	switch (outcome.kind) {
		case 'final':
			return finished(outcome.job);
		case 'existing':
			// An execute-once child that is still running belongs to an earlier press: followed, never cancelled for a lost stream.
			return await pollUntilFinal(outcome.job.jobid, Date.now(), outcome.job);
		case 'aborted':
			throw await waitEnded(outcome.jobId ? { jobid: outcome.jobId } : undefined);
		case 'interrupted':
			return await recoverLostStream(outcome.jobId, outcome.reason, outcome.lastJob);
		case 'lost':
			throw new NodeOperationError(
				node,
				'The connection to useapi.net ended before the job ID arrived',
				{
					itemIndex,
					description:
						`${outcome.reason}. The job may have been created; it was not submitted again to avoid a duplicate. ` +
						'Check Job → List Running before retrying.',
				},
			);
	}
}
