import { NodeOperationError, sleep, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import { cancelJob, getJob, streamJob, submitJob, withFields, type SubmitRequest } from '../transport/jobs';
import type { MultipartBody } from '../transport/multipart';
import { RequestAbortedError, type BusyRetry } from '../transport/request';
import { isFinal, type Job } from '../transport/types';
import { runStopSignal } from './concurrency';

export type WaitMode = 'stream' | 'poll' | 'none' | 'callback';

export interface WaitSettings {
	mode: WaitMode;
	timeLimitMs: number;
	pollIntervalMs: number;
	/** A stream silent for longer than this (no event, no keep-alive) is given up on and the job polled. */
	stallMs: number;
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
 * item failed (helpers/concurrency.ts), whichever comes first.
 */
export function waitSignal(ctx: IExecuteFunctions, timeLimitMs: number): AbortSignal {
	const signals = [AbortSignal.timeout(timeLimitMs)];
	const cancel = ctx.getExecutionCancelSignal?.();
	if (cancel) signals.push(cancel);
	const runStop = runStopSignal(ctx);
	if (runStop) signals.push(runStop);
	return AbortSignal.any(signals);
}

/** A failed or moderated job is an error of its item; its details go into the description. */
export function throwIfUnsuccessful(ctx: IExecuteFunctions, itemIndex: number, job: Job): Job {
	if (job.status === 'failed' || job.status === 'moderated') {
		const what = job.status === 'failed' ? 'failed' : 'was moderated by Midjourney';
		const details = [job.error, job.errorDetails, ...(job.response?.embeds ?? []).map((e) => e.description)]
			.filter(Boolean)
			.join(' — ');
		throw new NodeOperationError(ctx.getNode(), `Midjourney job ${what}: ${job.error ?? job.status}`, {
			itemIndex,
			description: `Job ${job.jobid}. ${details}`.trim(),
		});
	}
	return job;
}

/**
 * Callback mode: the job reports to this execution's own resume URL (final status only) and the
 * execution is put to wait, holding no connection; `resumeFromCallback` wakes it with the job.
 * The returned job (as created) is the node's output only until the callback replaces it.
 */
async function submitAndSleep(
	ctx: IExecuteFunctions,
	itemIndex: number,
	request: SubmitRequest,
	timeLimitMs: number,
): Promise<Job> {
	const resumeUrl = String(ctx.evaluateExpression('{{ $execution.resumeUrl }}', itemIndex) ?? '');
	const created = await submitJob(ctx, {
		...request,
		body: withFields(request.body, { replyUrl: resumeUrl, replyLevel: 'minimal' }),
	});
	if (isFinal(created)) return throwIfUnsuccessful(ctx, itemIndex, created);
	await ctx.putExecutionToWait(new Date(Date.now() + timeLimitMs));
	return created;
}

/**
 * The one way every job-creating operation submits its job and waits for the result, in the mode
 * the user picked. A job is submitted exactly once: when a stream breaks after the job id is known,
 * the job is finished by polling, and when waiting ends early the job is cancelled so that it
 * does not hold one of the account's slots.
 */
export async function runJob(
	ctx: IExecuteFunctions,
	itemIndex: number,
	submission: JobSubmission,
	wait: WaitSettings,
): Promise<Job> {
	const deadline = Date.now() + wait.timeLimitMs;
	const abortSignal = waitSignal(ctx, wait.timeLimitMs);
	const request: SubmitRequest = {
		path: submission.path,
		body: submission.body,
		channel: submission.channel,
		itemIndex,
		busyRetry: wait.busyRetry,
		abortSignal,
	};

	const giveUp = async (jobId: string | undefined): Promise<never> => {
		const cancelled = jobId ? await cancelJob(ctx, jobId) : false;
		const reason = stopReason(ctx);
		const jobText = jobId
			? cancelled
				? `Job ${jobId} was cancelled (DELETE) so it no longer holds a slot of the account.`
				: `Cancelling job ${jobId} failed; it holds a slot of the account until useapi.net times it out (14 minutes).`
			: 'No job had been created yet.';
		const message =
			reason === 'stopped'
				? 'The execution was stopped while waiting for the Midjourney job'
				: `The Midjourney job did not finish within the time limit of ${Math.round(wait.timeLimitMs / 1000)} seconds`;
		throw new NodeOperationError(ctx.getNode(), message, {
			itemIndex,
			description: `${jobText} Raise "Time Limit (Seconds)" for long jobs (video, relax mode, busy account).`,
		});
	};

	const pollUntilFinal = async (jobId: string): Promise<Job> => {
		for (;;) {
			if (abortSignal.aborted) return await giveUp(jobId);
			let job: Job;
			try {
				job = await getJob(ctx, jobId, { itemIndex, abortSignal });
			} catch (error) {
				if (error instanceof RequestAbortedError) return await giveUp(jobId);
				throw error;
			}
			if (isFinal(job)) return throwIfUnsuccessful(ctx, itemIndex, job);
			const remaining = deadline - Date.now();
			if (remaining <= 0) return await giveUp(jobId);
			await sleep(Math.min(wait.pollIntervalMs, remaining));
		}
	};

	try {
		if (wait.mode === 'none') return await submitJob(ctx, request);

		if (wait.mode === 'callback') return await submitAndSleep(ctx, itemIndex, request, wait.timeLimitMs);

		if (wait.mode === 'poll') {
			const created = await submitJob(ctx, request);
			if (isFinal(created)) return throwIfUnsuccessful(ctx, itemIndex, created);
			return await pollUntilFinal(created.jobid);
		}

		const outcome = await streamJob(ctx, { ...request, stallMs: wait.stallMs });
		switch (outcome.kind) {
			case 'final':
				return throwIfUnsuccessful(ctx, itemIndex, outcome.job);
			case 'interrupted':
				return await pollUntilFinal(outcome.jobId);
			case 'aborted':
				return await giveUp(outcome.jobId);
			case 'broken': {
				const cancelled = outcome.jobId ? await cancelJob(ctx, outcome.jobId) : false;
				throw new NodeOperationError(ctx.getNode(), 'useapi.net sent a progress event that could not be read', {
					itemIndex,
					description:
						`${outcome.reason}. ` +
						(outcome.jobId
							? `Job ${outcome.jobId} was ${cancelled ? '' : 'not '}cancelled. `
							: '') +
						'Run the item again, or switch "Wait for Result" to Poll.',
				});
			}
			case 'lost':
				throw new NodeOperationError(ctx.getNode(), 'The connection to useapi.net ended before the job ID arrived', {
					itemIndex,
					description:
						`${outcome.reason}. The job may have been created; it was not submitted again to avoid a duplicate. ` +
						'Check Job → List Running before retrying.',
				});
		}
	} catch (error) {
		if (error instanceof RequestAbortedError) return await giveUp(undefined);
		throw error;
	}
}
