import type { IExecuteFunctions } from 'n8n-workflow';

/** How n8n answered a call of an execution's resume URL. */
export interface ResumeAnswer {
	statusCode: number;
	/** n8n's error message (e.g. `The execution "6" is running already.`), when there is one. */
	message?: string;
}

/**
 * POSTs `body` to this execution's own resume URL (`$execution.resumeUrl`), the way useapi.net calls
 * it back: no credential goes with it (the URL is n8n's, signed on 2.x). Answers undefined when n8n
 * could not be reached. Not tied to the execution's cancel signal: it is sent once the execution is
 * parked.
 */
export async function callResumeUrl(
	ctx: IExecuteFunctions,
	resumeUrl: string,
	body: Record<string, string>,
): Promise<ResumeAnswer | undefined> {
	try {
		const response = (await ctx.helpers.httpRequest({
			method: 'POST',
			url: resumeUrl,
			body,
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: 30_000,
		})) as { statusCode: number; body?: unknown };
		const answer = response.body as { message?: unknown } | undefined;
		return {
			statusCode: response.statusCode,
			message: typeof answer?.message === 'string' ? answer.message : undefined,
		};
	} catch {
		// No answer (refused, reset, timeout): the caller tries again.
		return undefined;
	}
}
