import { NodeOperationError, type IDataObject } from 'n8n-workflow';

import {
	asNodeError,
	isTransientFailure,
	withJob,
	type FailedJob,
	type NodeError,
} from '../../transport/errors';
import { cancelJob, getJob, type SubmitRequest } from '../../transport/jobs';
import type { MultipartBody } from '../../transport/multipart';
import { sleepUnlessAborted } from '../../transport/retryPolicy';
import { isFinal, type Job } from '../../transport/types';
import type { JobRun } from '../jobRun';
import { isSlotWaitFailure } from '../capacity/scheduler';
import { isToolExecution } from '../toolMode';
import { throwIfUnsuccessful } from './jobOutcome';
import { nextPollDelayMs } from './pollSchedule';
import type { WaitSettings } from './waitSettings';

export interface JobSubmission {
	/** `jobCommandPath(verb)` of transport/jobs.ts */
	path: string;
	body: IDataObject | MultipartBody;
	/** The channel the job runs on: the one it names, or its parent job's (button, seed); not sent. */
	channel?: string;
	/** What the item asks for, for an error before any job exists, e.g. `prompt "a cat"`. */
	label?: string;
}

/**
 * One item's wait for its job: the submission, the signal that ends waiting (time limit, the
 * user's stop, the run's stop), and the steps every wait mode is made of (see runJob.ts).
 */
export class JobWait {
	readonly request: SubmitRequest;

	private readonly label?: string;

	constructor(
		readonly run: JobRun,
		readonly itemIndex: number,
		submission: JobSubmission,
		readonly settings: WaitSettings,
		/** Ends the wait: JobRun.waitWithin's signal. */
		readonly abortSignal: AbortSignal,
	) {
		this.label = submission.label;
		this.request = {
			path: submission.path,
			body: submission.body,
			channel: submission.channel,
			itemIndex,
			busyRetry: settings.busyRetry,
			abortSignal: this.abortSignal,
		};
	}

	get aborted(): boolean {
		return this.abortSignal.aborted;
	}

	/**
	 * The time limit passed or the user stopped the execution: the job is cancelled and the item
	 * fails. `cause`: what ended a wait before any job existed (e.g. the wait for a slot after a 429).
	 * A job this item did not create (`ownJob` false: the existing child of an execute-once button,
	 * made by an earlier press, perhaps another execution's live job) is left running.
	 */
	async ended(
		job: FailedJob | undefined,
		{ cause, ownJob = true }: { cause?: unknown; ownJob?: boolean } = {},
	): Promise<NodeError> {
		const cancelled = job && ownJob ? await cancelJob(this.run.api, job.jobid) : false;
		const waitedForSlot = !job && isSlotWaitFailure(cause);
		const what = this.label ? ` for ${this.label}` : '';
		const jobText = job
			? !ownJob
				? `Job ${job.jobid} was made by an earlier press of the same button (execute-once); it was not cancelled.`
				: cancelled
					? `Job ${job.jobid} was cancelled (DELETE) so it no longer holds a slot of the account.`
					: `Cancelling job ${job.jobid} failed; it holds a slot of the account until useapi.net times it out (14 minutes).`
			: waitedForSlot
				? `No job was created${what}: every submission was answered 429 (channel at capacity), and no slot came free.`
				: 'No job had been created yet.';
		const seconds = Math.round(this.settings.timeLimitMs / 1000);
		const stopped = this.run.stopReason() === 'stopped';
		const message = waitedForSlot
			? stopped
				? `The execution was stopped while waiting for a free slot${what}`
				: `No slot of the account came free within the time limit of ${seconds} seconds${what}`
			: stopped
				? 'The execution was stopped while waiting for the Midjourney job'
				: `The Midjourney job did not finish within the time limit of ${seconds} seconds`;
		const error = new NodeOperationError(this.run.ctx.getNode(), message, {
			itemIndex: this.itemIndex,
			description: `${jobText} Raise "Time Limit (Seconds)" for long jobs (video, relax mode, busy account).`,
		});
		return job ? withJob(error, { ...job, cancelled }) : error;
	}

	/** Sends a submission; before a job id is known there is nothing to cancel when waiting ends. */
	async submit<T>(send: () => Promise<T>): Promise<T> {
		try {
			return await send();
		} catch (error) {
			if (this.aborted) throw await this.ended(undefined, { cause: error });
			throw asNodeError(this.run.ctx.getNode(), error, this.itemIndex);
		}
	}

	/**
	 * A final job: the item's result, or its failure when the job failed or was moderated. An
	 * agent's tool answers with the failed job (its ID, status and error) so that the model can act on it.
	 */
	finished(job: Job): Job {
		if (isToolExecution(this.run.ctx)) return job;
		return throwIfUnsuccessful(this.run.ctx, this.itemIndex, job);
	}

	/**
	 * Reads the job until it is final, scheduled by what is known of it (see nextPollDelayMs).
	 * A read that fails for a passing reason (5xx, 429, no answer) is tried again until the time
	 * limit; one that cannot succeed ends the wait, and the job, which may still be running, is
	 * cancelled, unless `ownJob` is false (an execute-once child made by an earlier press).
	 */
	async pollUntilFinal(
		jobId: string,
		submittedAt: number,
		lastRead?: Job,
		ownJob = true,
	): Promise<Job> {
		const { api } = this.run;
		let last = lastRead;
		for (;;) {
			const delay = nextPollDelayMs(last, Date.now() - submittedAt, this.settings.pollIntervalMs);
			await sleepUnlessAborted(delay, this.abortSignal);
			if (this.aborted) throw await this.ended({ jobid: jobId, status: last?.status }, { ownJob });
			try {
				last = await getJob(api, jobId, {
					itemIndex: this.itemIndex,
					abortSignal: this.abortSignal,
				});
			} catch (error) {
				if (this.aborted)
					throw await this.ended({ jobid: jobId, status: last?.status }, { ownJob });
				if (isTransientFailure(error)) continue;
				const cancelled = ownJob && (await cancelJob(api, jobId));
				throw withJob(asNodeError(this.run.ctx.getNode(), error, this.itemIndex), {
					jobid: jobId,
					status: last?.status,
					cancelled,
				});
			}
			if (isFinal(last)) return this.finished(last);
		}
	}
}
