import {
	NodeOperationError,
	type IExecuteFunctions,
	type IHookFunctions,
	type ILoadOptionsFunctions,
	type IWebhookFunctions,
} from 'n8n-workflow';

import { baseUrlProblem, normalizedBaseUrl } from './baseUrl';
import type { ApiRequest } from './request';

/** The n8n contexts that call useapi.net: the action node, its editor look-ups, webhooks and hooks. */
export type ApiContext =
	IExecuteFunctions | ILoadOptionsFunctions | IWebhookFunctions | IHookFunctions;

export const CREDENTIAL_TYPE = 'useApiNetApi';
export const DEFAULT_BASE_URL = 'https://api.useapi.net';

/**
 * Told about the answers that change the account's job slots, so that a run's scheduler
 * (engine/capacity/scheduler.ts) adapts to the API's own state: accepted submissions, submissions
 * answered 429 (it decides when to try again instead of the fixed backoff), cancelled jobs, and the
 * IDs of the jobs the run created (a run's stuck-job watcher never touches those).
 */
export interface SubmissionObserver {
	onAccepted(request: ApiRequest): void;
	/**
	 * Resolves when the submission (answered 429 for the `attempt`-th time) may be sent again;
	 * rejects with requestAborted() when its abort signal fires or the run stops.
	 */
	waitForSlot(request: ApiRequest, attempt: number): Promise<void>;
	onCancelled(jobId: string): void;
	/** A job of this run got its ID (a submission's answer, or its stream's first event). */
	onJobCreated?(jobId: string): void;
}

/**
 * What the transport keeps for one execution (or one webhook call): n8n's context, the credential's
 * base URL (read once), and the observer its answers are reported to. A job run holds one (see
 * engine/jobRun.ts); a bare context passed to the transport gets a session of its own per request.
 */
export class ApiSession {
	private baseUrlRead?: Promise<string>;

	constructor(
		readonly ctx: ApiContext,
		readonly observer?: SubmissionObserver,
	) {}

	async baseUrl(): Promise<string> {
		this.baseUrlRead ??= this.ctx.getCredentials(CREDENTIAL_TYPE).then((credentials) => {
			const baseUrl = normalizedBaseUrl(credentials.baseUrl, DEFAULT_BASE_URL);
			const problem = baseUrlProblem(baseUrl);
			// The token goes wherever the Base URL points: a plain-http or password-carrying one sends nothing.
			if (problem) throw new NodeOperationError(this.ctx.getNode(), problem);
			return baseUrl;
		});
		return await this.baseUrlRead;
	}

	/** The execution's cancel signal (the user's stop); contexts other than an execution have none. */
	get cancelSignal(): AbortSignal | undefined {
		return 'getExecutionCancelSignal' in this.ctx
			? (this.ctx as IExecuteFunctions).getExecutionCancelSignal?.()
			: undefined;
	}
}

/** What the transport functions take: a session, or a bare n8n context. */
export type ApiCaller = ApiContext | ApiSession;

export function sessionOf(caller: ApiCaller): ApiSession {
	return caller instanceof ApiSession ? caller : new ApiSession(caller);
}

/**
 * The `this` n8n's httpRequestWithAuthentication runs with for a request that must outlive the
 * execution's cancel signal. n8n 2.x replaces every request's abortSignal with that signal when
 * `this` has `getExecutionCancelSignal`; once the user stops the execution it is aborted, so a
 * DELETE sent to free a job's slot would be cut before it left. The helper reads only these four
 * members of `this` (n8n-core 1.x and 2.x): the credential, the helpers (pre-authentication), the
 * node and the logger.
 */
export function detachedFromCancel(ctx: ApiContext): ApiContext {
	const detached: Pick<IExecuteFunctions, 'getCredentials' | 'getNode' | 'helpers' | 'logger'> = {
		getCredentials: ctx.getCredentials.bind(ctx) as IExecuteFunctions['getCredentials'],
		getNode: ctx.getNode.bind(ctx),
		helpers: ctx.helpers as IExecuteFunctions['helpers'],
		logger: ctx.logger,
	};
	return detached as unknown as ApiContext;
}
