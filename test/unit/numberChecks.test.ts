import { NodeOperationError, type INode } from 'n8n-workflow';

import {
	checkNumber,
	checkTimeLimitSeconds,
	MAX_TIMER_MS,
	MAX_TIMER_SECONDS,
	secondsToMs,
} from '../../nodes/Midjourney/helpers/numberChecks';
import { checkIntegerRange } from '../../nodes/Midjourney/helpers/validation';
import { runMidjourney } from '../helpers/n8nCore';
import { useUnitEmulator } from '../helpers/unitEmulator';

/**
 * Issue 20 (2): every number option an expression can fill is checked for type and range before
 * any request, with the field's name and its limits in the message and the item's index.
 */
const node = { name: 'Midjourney', type: 'midjourney', parameters: {} } as unknown as INode;

function errorOf(run: () => unknown): NodeOperationError {
	try {
		run();
	} catch (error) {
		expect(error).toBeInstanceOf(NodeOperationError);
		return error as NodeOperationError;
	}
	throw new Error('no error was thrown');
}

describe('checkNumber', () => {
	const limits = { min: 0.2, max: 3600, unit: 'seconds' };

	it.each([0.2, 2, 3600, 17.5])('accepts %p', (value) => {
		expect(checkNumber(node, 3, 'Poll Interval (Seconds)', value, limits)).toBe(value);
	});

	it.each([
		[Number.NaN, 'got NaN'],
		[Number.POSITIVE_INFINITY, 'got Infinity'],
		[-1, 'got -1'],
		[0.1, 'got 0.1'],
		[3601, 'got 3601'],
		['30', 'got the text "30"'],
		['', 'got the text ""'],
		[null, 'got nothing'],
		[{ seconds: 3 }, 'got an object'],
		[[3], 'got a list'],
	])('refuses %p, naming the field, its limits and the item', (value, got) => {
		const error = errorOf(() => checkNumber(node, 3, 'Poll Interval (Seconds)', value, limits));
		expect(error.message).toBe(
			`"Poll Interval (Seconds)" must be a number from 0.2 to 3600 seconds, ${got}`,
		);
		expect(error.context.itemIndex).toBe(3);
	});

	it('refuses a fraction where only whole numbers make sense', () => {
		const error = errorOf(() =>
			checkNumber(node, 0, 'Max Parallel Jobs', 2.5, { min: 0, max: 15, integer: true }),
		);
		expect(error.message).toBe('"Max Parallel Jobs" must be a whole number from 0 to 15, got 2.5');
	});

	it('tells a user whose expression gave text to convert it', () => {
		const error = errorOf(() => checkNumber(node, 0, 'Max Jobs', '5', { min: 1, max: 15 }));
		expect(error.description).toMatch(/Number\(…\)/);
	});
});

describe('Time Limit', () => {
	it('the upper limit is the longest delay a Node timer takes (2^31-1 ms, about 24.8 days)', () => {
		expect(MAX_TIMER_MS).toBe(2147483647);
		expect(MAX_TIMER_SECONDS).toBe(2147483);
		expect(secondsToMs(MAX_TIMER_SECONDS)).toBeLessThanOrEqual(MAX_TIMER_MS);
		expect(checkTimeLimitSeconds(node, 0, MAX_TIMER_SECONDS)).toBe(MAX_TIMER_SECONDS);
		// Above it, AbortSignal.timeout would fire after 1 ms or throw ERR_OUT_OF_RANGE.
		const error = errorOf(() => checkTimeLimitSeconds(node, 1, MAX_TIMER_SECONDS + 1));
		expect(error.message).toBe(
			'"Time Limit (Seconds)" must be a number from 1 to 2147483 seconds (about 24.8 days), got 2147484',
		);
		expect(error.context.itemIndex).toBe(1);
	});

	it.each([0, -5, Number.NaN, 30 * 24 * 3600, '900'])('refuses %p', (value) => {
		expect(() => checkTimeLimitSeconds(node, 0, value)).toThrow(/"Time Limit \(Seconds\)"/);
	});

	it('a fraction of a second becomes whole milliseconds, which timers take', () => {
		expect(secondsToMs(1.0005)).toBe(1001);
		expect(Number.isInteger(secondsToMs(checkTimeLimitSeconds(node, 0, 1.23456)))).toBe(true);
		expect(() => AbortSignal.timeout(secondsToMs(1.0005))).not.toThrow();
	});
});

describe('account limits (Account → Create or Update, checked with checkIntegerRange)', () => {
	it.each([
		['Max Jobs', Number.NaN, 15, 'got NaN'],
		['Max Jobs', 16, 15, 'got 16'],
		['Max Image Jobs', '3', 12, 'got the text "3"'],
		['Max Video Jobs', -1, 12, 'got -1'],
		['Max Video Jobs', 1.5, 12, 'got 1.5'],
	])('%s = %p is refused', (field, value, max, got) => {
		const error = errorOf(() => checkIntegerRange(node, 2, field, value, 1, max));
		expect(error.message).toBe(`"${field}" must be a whole number from 1 to ${max}, ${got}`);
		expect(error.context.itemIndex).toBe(2);
	});

	it('a whole number within the limits is returned', () => {
		expect(checkIntegerRange(node, 0, 'Max Jobs', 15, 1, 15)).toBe(15);
	});
});

/** The same checks as the node runs them in n8n-core: the item fails before anything is sent. */
describe('in the node, before any request', () => {
	const { emulator, credential } = useUnitEmulator();

	const imagine = (parameters: Record<string, unknown>) => ({
		resource: 'job',
		operation: 'imagine',
		prompt: 'a number check',
		waitFor: 'poll',
		...parameters,
	});

	it.each([
		[
			{ timeLimit: '={{ 40 * 24 * 3600 }}' },
			'"Time Limit (Seconds)" must be a number from 1 to 2147483 seconds (about 24.8 days), got 3456000',
		],
		[
			{ timeLimit: '={{ $json.limit }}' },
			'"Time Limit (Seconds)" must be a number from 1 to 2147483 seconds (about 24.8 days), got the text "abc"',
		],
		[
			{ options: { pollInterval: '={{ 0 / 0 }}' } },
			'"Poll Interval (Seconds)" must be a number from 0.2 to 3600 seconds, got NaN',
		],
		[
			{ options: { pollInterval: '={{ 30 * 24 * 3600 }}' } },
			'"Poll Interval (Seconds)" must be a number from 0.2 to 3600 seconds, got 2592000',
		],
		[
			{ options: { busyRetryDelay: '={{ -1 }}' } },
			'"Busy Retry Delay (Seconds)" must be a number from 0 to 30 seconds, got -1',
		],
		[
			{ options: { busyRetryDelay: '={{ 0 / 0 }}' } },
			'"Busy Retry Delay (Seconds)" must be a number from 0 to 30 seconds, got NaN',
		],
		[
			{ options: { maxParallelJobs: '={{ 2.5 }}' } },
			'"Max Parallel Jobs" must be a whole number from 0 to 15, got 2.5',
		],
		[
			{ options: { maxParallelJobs: '={{ "4" }}' } },
			'"Max Parallel Jobs" must be a whole number from 0 to 15, got the text "4"',
		],
	])('%p fails with its message and sends nothing', async (parameters, message) => {
		const { error } = await runMidjourney({
			credential: credential(),
			parameters: imagine(parameters),
			items: [{ limit: 'abc' }],
		});
		expect(error?.message).toBe(message);
		expect(emulator().requests).toHaveLength(0);
	});

	it('Limit of Account → Get Many is checked the same way', async () => {
		const { error } = await runMidjourney({
			credential: credential(),
			parameters: {
				resource: 'account',
				operation: 'getAll',
				returnAll: false,
				limit: '={{ "2" }}',
			},
			items: [{}],
		});
		expect(error?.message).toBe('"Limit" must be a whole number from 1 to 1000, got the text "2"');
		expect(emulator().requests).toHaveLength(0);
	});

	it('v2 Max Jobs is checked the same way', async () => {
		const { error } = await runMidjourney({
			credential: credential(),
			parameters: {
				resource: 'v2',
				operation: 'imagine',
				prompt: 'x',
				options: { maxJobs: '={{ 0 / 0 }}' },
			},
			items: [{}],
		});
		expect(error?.message).toBe('"Max Jobs" must be a whole number from 1 to 15, got NaN');
		expect(emulator().requests).toHaveLength(0);
	});
});
