import { NodeApiError, NodeOperationError, type INode } from 'n8n-workflow';

import { channelOfJobId } from './capacity/capacity';

const ANY_CHANNEL = '*';

/** Marks the error of a job that failed with `code: 596`: the channel useapi.net locked. */
const LOCKED_CHANNEL = 'lockedChannel';

/**
 * The error of a job that ended `failed` with `code: 596`. captcha-solver page
 * (https://useapi.net/docs/api-midjourney-v3/captcha-solver): "The generation that triggered the
 * CAPTCHA fails with a `596` error. The Midjourney account is locked … All subsequent API calls
 * for this account will return `596`" until the solver unlocks it or POST accounts/reset; the page
 * advises a 10-15 minute cool-off before retrying.
 */
export function captchaFailure(
	node: INode,
	itemIndex: number,
	job: { jobid: string; channel?: unknown; error?: string; errorDetails?: string },
): NodeOperationError {
	const channel =
		typeof job.channel === 'string' && job.channel ? job.channel : channelOfJobId(job.jobid);
	const where = channel ? `channel ${channel}` : 'its channel';
	const said = [job.error, job.errorDetails].filter(Boolean).join(' — ');
	const error = new NodeOperationError(
		node,
		`Midjourney job failed with a CAPTCHA on ${where} (596): the channel is locked`,
		{
			itemIndex,
			description:
				`Job ${job.jobid}.${said ? ` ${said}.` : ''} Midjourney showed a CAPTCHA and useapi.net locked ${where}: ` +
				"every request on it answers 596 until the CAPTCHA is resolved. useapi.net's CAPTCHA solver usually " +
				'clears it within 60-90 seconds (you get an email); if it asks you to, solve it in Discord. Wait out a ' +
				`cool-off of 10-15 minutes before submitting again (the account is being pushed too hard), and run Account → Reset for ${where} if it stays locked. ` +
				'Later items of this run for that channel are not submitted.',
		},
	);
	error.context[LOCKED_CHANNEL] = channel ?? ANY_CHANNEL;
	return error;
}

/**
 * Channels that answered 596 (moderation or CAPTCHA pending), or ran a job that failed with
 * `code: 596`, during one run. Later items for the same channel fail at once with the same advice
 * instead of being submitted into the same wall; a 596 for a request without a channel means every
 * channel is blocked.
 */
export class BlockedChannels {
	private readonly blocked = new Map<string, Error>();

	/**
	 * Records the channel of a submission that failed, when the failure is a 596: `channel` is the
	 * one the job runs on (named by the item, or its parent job's for a button press or seed).
	 */
	noteFailure(channel: string | undefined, error: unknown): void {
		if (error instanceof NodeApiError && error.httpCode === '596')
			this.blocked.set(channel ?? ANY_CHANNEL, error);
		else if (error instanceof NodeOperationError && error.context[LOCKED_CHANNEL] !== undefined) {
			// The channel the job ran on, as useapi.net reported it; else the one it was sent to.
			const locked = String(error.context[LOCKED_CHANNEL]);
			this.blocked.set(locked !== ANY_CHANNEL ? locked : (channel ?? ANY_CHANNEL), error);
		}
	}

	/** The error an item for `channel` fails with before it is submitted, if its channel is blocked. */
	refusal(node: INode, itemIndex: number, channel: string | undefined): Error | undefined {
		const blocked =
			this.blocked.get(ANY_CHANNEL) ?? (channel ? this.blocked.get(channel) : undefined);
		if (!blocked) return undefined;
		return new NodeOperationError(node, blocked.message, {
			itemIndex,
			description: `Not submitted: an earlier item of this run got the same answer. ${(blocked as NodeApiError).description ?? ''}`,
		});
	}
}
