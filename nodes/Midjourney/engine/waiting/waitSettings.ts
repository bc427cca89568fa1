import type { BusyRetry } from '../../transport/retryPolicy';

/** Wait for Result: how an item follows its job (see engine/waiting/runJob.ts). */
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
	/**
	 * How long a job whose stream was lost is read before it is judged stuck (default 30 s, see
	 * streamRecovery.ts), and how often meanwhile (default 5 s). Not a field of the node: set by tests.
	 */
	lostStreamWatch?: { forMs: number; everyMs: number };
}

/** Whether an item returns only once its job ended, and so frees a slot of the account when it returns. */
export function waitsForEnd(mode: WaitMode): boolean {
	return mode === 'stream' || mode === 'poll';
}
