import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';

/** What the API said, reduced to what is safe to show: never the request, so never the token. */
export interface ApiFailure {
	statusCode: number;
	method: string;
	path: string;
	/** The `error` field of the API's JSON answer, or its text. */
	apiMessage: string;
	/** The channel the request was for, where known: 596 names it. */
	channel?: string;
	retries?: number;
}

function nextStep(failure: ApiFailure): { message: string; description: string } {
	const { statusCode, apiMessage } = failure;
	const said = apiMessage ? `useapi.net said: "${apiMessage}"` : '';
	// v2 accounts are configured and reset through useapi.net's v2 API, not this node's Account resource.
	const v2 = failure.path.startsWith('/v2/');
	switch (statusCode) {
		case 400:
			return {
				message: `useapi.net rejected the request (400): ${apiMessage || 'invalid parameters'}`,
				description: 'Check the node parameters named in the message.',
			};
		case 401:
			return {
				message: 'The useapi.net API token was rejected (401)',
				description:
					'Open the "useapi.net API" credential and paste the token again from your useapi.net account. ' +
					said,
			};
		case 402:
			return {
				message: 'The useapi.net subscription is missing or expired (402)',
				description: `Renew the subscription at useapi.net, then run the workflow again. ${said}`,
			};
		case 403:
			return {
				message: `useapi.net refused access (403): ${apiMessage || 'forbidden'}`,
				description: 'The token is valid but may not use this resource.',
			};
		case 404:
			return {
				message: `Not found (404): ${apiMessage || failure.path}`,
				description:
					'Check the job ID or channel. Job IDs come from the output of an earlier Midjourney step (field "jobid").',
			};
		case 409:
			// In v3, only POST accounts answers 409: the Discord account is still configured in the v2 API.
			if (failure.path.endsWith('/accounts')) {
				return {
					message: 'This Discord account is still configured in the legacy v2 API (409)',
					description:
						'useapi.net cannot use one Discord account in both v2 and v3. Delete its v2 configuration as useapi.net says below, then run Account → Create or Update again. ' +
						said,
				};
			}
			return {
				message: `Conflict (409): ${apiMessage}`,
				description:
					'useapi.net refused the change because it conflicts with the current state (for example the Discord account is already configured elsewhere). ' +
					said,
			};
		case 410:
			return {
				message: `The job has expired (410): ${apiMessage}`,
				description: 'useapi.net keeps jobs for 62 days. Run the job again to get fresh results.',
			};
		case 422:
			return {
				message: `Midjourney moderated the request (422): ${apiMessage}`,
				description: 'Midjourney refused the prompt or image. Rephrase the prompt and try again.',
			};
		case 429: {
			const tried = failure.retries ? ` after ${failure.retries} retries` : '';
			return {
				message: `All Midjourney channels are busy (429)${tried}`,
				description:
					(v2
						? 'The v2 account is running as many jobs as its limit allows. Wait for running jobs to finish, or (for Imagine) raise "Max Jobs" in the options, no higher than your Midjourney plan allows. '
						: 'The account is running as many jobs as its limits allow. Lower "Max Parallel Jobs", wait for running jobs to finish, or raise maxJobs with Account → Create or Update. ') +
					said,
			};
		}
		case 596: {
			const channel = failure.channel ? `channel ${failure.channel}` : 'the channel';
			return {
				message: `Midjourney needs attention on ${channel} (596): moderation or CAPTCHA pending`,
				description:
					`Log into Discord and answer the Midjourney moderation message or CAPTCHA for ${channel}, ` +
					(v2
						? `then reset ${channel} through useapi.net's v2 API (account/midjourney/<channel>/reset). `
						: `then run Account → Reset for ${channel}. `) +
					`Nothing was submitted. ${said}`,
			};
		}
		default:
			// v2 answers 504 when Midjourney never started the job (https://useapi.net/docs/questions-and-answers).
			if (statusCode === 504 && v2) {
				return {
					message: `Midjourney did not start the v2 job (504): ${apiMessage || 'gateway timeout'}`,
					description:
						'useapi.net says a 504 means maxJobs is set higher than your Midjourney plan allows. Lower "Max Jobs" in the options (or the v2 account\'s maxJobs), then run the item again. ' +
						said,
				};
			}
			if (statusCode >= 500) {
				return {
					message: `useapi.net had a server error (${statusCode})`,
					description: `Try again in a minute. If it persists, check useapi.net status. ${said}`,
				};
			}
			return {
				message: `useapi.net answered ${statusCode}: ${apiMessage}`,
				description: said,
			};
	}
}

export function apiError(node: INode, failure: ApiFailure, itemIndex?: number): NodeApiError {
	const { message, description } = nextStep(failure);
	const errorResponse: JsonObject = {
		statusCode: failure.statusCode,
		error: failure.apiMessage,
		request: `${failure.method} ${failure.path}`,
	};
	if (failure.channel) errorResponse.channel = failure.channel;
	return new NodeApiError(node, errorResponse, {
		message,
		description: description.trim(),
		httpCode: String(failure.statusCode),
		itemIndex,
	});
}

/** A request that never got an HTTP answer. Only the error code goes into the message: the original error carries the request headers. */
export function connectionError(
	node: INode,
	baseUrl: string,
	method: string,
	path: string,
	code: string | undefined,
	itemIndex?: number,
	timeoutMs?: number,
): NodeOperationError {
	const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT';
	const what =
		timedOut && timeoutMs
			? `no answer within ${Math.round(timeoutMs / 1000)} seconds`
			: (code ?? 'connection failed');
	const error = new NodeOperationError(node, `Could not reach useapi.net at ${baseUrl} (${what})`, {
		itemIndex,
		description: `The request ${method} ${path} got no answer. Check the Base URL in the credential and the network.`,
	});
	error.context.connectionFailed = code ?? true;
	return error;
}

export type NodeError = NodeApiError | NodeOperationError;

/** An error as n8n expects nodes to raise it: our own errors as they are, anything else wrapped. */
export function asNodeError(node: INode, error: unknown, itemIndex?: number): NodeError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(node, error instanceof Error ? error : String(error), {
		itemIndex,
	});
}

/**
 * A failure that may pass if the same read is tried again a little later: a server error, a busy
 * answer or no answer at all. Client errors (401, 404, 410…) will not change by waiting.
 */
export function isTransientFailure(error: unknown): boolean {
	if (error instanceof NodeApiError) {
		const status = Number(error.httpCode);
		return status === 429 || (status >= 500 && status !== 596);
	}
	return error instanceof NodeOperationError && error.context.connectionFailed !== undefined;
}

/** What a failed item must keep of its job, so the user can find, retry or cancel it. */
export interface FailedJob {
	jobid: string;
	status?: string;
	error?: string;
	errorDetails?: string;
	/** Whether the node cancelled it (DELETE) when it stopped waiting for it. */
	cancelled?: boolean;
	/** A job cancelled on the way, e.g. the one whose stream was lost before it was resubmitted. */
	cancelledJobid?: string;
}

/** Records the job an error is about in `context.job`, where the router reads it for the failed item. */
export function withJob<E extends NodeError>(error: E, job: FailedJob): E {
	const known = Object.fromEntries(Object.entries(job).filter(([, value]) => value !== undefined));
	error.context.job = { ...((error.context.job as object) ?? {}), ...known };
	return error;
}

/** The job an error is about (`context.job`), when it was raised after the job existed. */
export function jobOfError(error: unknown): FailedJob | undefined {
	const job = (error as { context?: { job?: unknown } } | undefined)?.context?.job as
		FailedJob | undefined;
	return job && typeof job.jobid === 'string' && job.jobid ? job : undefined;
}
