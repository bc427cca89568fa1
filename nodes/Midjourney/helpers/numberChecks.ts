import { NodeOperationError, type INode } from 'n8n-workflow';

/**
 * Checks of the number options, which an expression can fill with anything: a string, NaN, a
 * negative or a huge number. Each is checked before any request, and its error names the field and
 * its limits. The limits of the time options come from Node's timers: a delay above 2^31-1 ms
 * (about 24.8 days) becomes 1 ms, so a Poll Interval of a month would poll in a tight loop.
 */

/** The longest delay a Node timer (and AbortSignal.timeout) takes: 2^31-1 ms, about 24.8 days. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** The same in whole seconds, for the fields that are given in seconds. */
export const MAX_TIMER_SECONDS = Math.floor(MAX_TIMER_MS / 1000);

export interface NumberLimits {
	min: number;
	max: number;
	/** Only whole numbers (counts); seconds may have decimals. */
	integer?: boolean;
	/** Said after the limits in the message, e.g. "seconds". */
	unit?: string;
	/** Why the upper limit is what it is, e.g. "about 24.8 days". */
	maxNote?: string;
}

function describeValue(value: unknown): string {
	if (typeof value === 'string') return `the text "${value.slice(0, 40)}"`;
	if (typeof value === 'number') return String(value);
	if (value === null || value === undefined) return 'nothing';
	return Array.isArray(value) ? 'a list' : `an ${typeof value}`;
}

/**
 * The value of a number field, or an error that names the field, its limits and what it got. A
 * number given as text ("30", from a sheet) is not guessed at: expressions turn text into a number
 * with Number(…).
 */
export function checkNumber(
	node: INode,
	itemIndex: number,
	field: string,
	value: unknown,
	limits: NumberLimits,
): number {
	const kind = limits.integer ? 'a whole number' : 'a number';
	const unit = limits.unit ? ` ${limits.unit}` : '';
	const note = limits.maxNote ? ` (${limits.maxNote})` : '';
	const range = `${kind} from ${limits.min} to ${limits.max}${unit}${note}`;
	const valid =
		typeof value === 'number' &&
		Number.isFinite(value) &&
		(!limits.integer || Number.isInteger(value)) &&
		value >= limits.min &&
		value <= limits.max;
	if (!valid) {
		throw new NodeOperationError(node, `"${field}" must be ${range}, got ${describeValue(value)}`, {
			itemIndex,
			description:
				typeof value === 'number'
					? `Set "${field}" to ${range}.`
					: `"${field}" must be a number: if an expression gives text, wrap it in Number(…).`,
		});
	}
	return value as number;
}

/** Time Limit (Seconds): how long an item waits for its job; from 1 s to the longest timer. */
export function checkTimeLimitSeconds(node: INode, itemIndex: number, value: unknown): number {
	return checkNumber(node, itemIndex, 'Time Limit (Seconds)', value, {
		min: 1,
		max: MAX_TIMER_SECONDS,
		unit: 'seconds',
		maxNote: 'about 24.8 days',
	});
}

/** Poll Interval (Seconds): at least 0.2 s (useapi.net is not read more often), at most one hour. */
export const POLL_INTERVAL_LIMITS: NumberLimits = { min: 0.2, max: 3600, unit: 'seconds' };

/** Busy Retry Delay (Seconds): the waits after a 429 grow from it and stop growing at 30 s. */
export const BUSY_RETRY_DELAY_LIMITS: NumberLimits = { min: 0, max: 30, unit: 'seconds' };

/** Seconds as whole milliseconds: timers and AbortSignal.timeout refuse fractions of a millisecond. */
export function secondsToMs(seconds: number): number {
	return Math.round(seconds * 1000);
}
