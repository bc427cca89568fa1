import { NodeApiError, NodeOperationError, type INode } from 'n8n-workflow';

const ANY_CHANNEL = '*';

/**
 * Channels that answered 596 (moderation or CAPTCHA pending) during one run. Later items for the
 * same channel fail at once with the same advice instead of being submitted into the same wall;
 * a 596 for a request without a channel means every channel is blocked.
 */
export class BlockedChannels {
	private readonly blocked = new Map<string, Error>();

	/** Records the channel of a submission that failed, when the failure is a 596. */
	noteFailure(channel: string | undefined, error: unknown): void {
		if (error instanceof NodeApiError && error.httpCode === '596')
			this.blocked.set(channel ?? ANY_CHANNEL, error);
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
