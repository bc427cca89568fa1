import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { executeContext } from '../helpers/n8nCore';
import {
	readJobId,
	readJobRouting,
	readPrompt,
	readWaitSettings,
} from '../../nodes/Midjourney/engine/itemParameters';
import {
	checkHttpUrl,
	checkIntegerRange,
	checkMaxLength,
	checkNotAbove,
	checkUrlPrefix,
	requireChannelId,
	requireText,
} from '../../nodes/Midjourney/helpers/validation';

/** Input checks that run before any request: each names the field and the limit. */

const node = { name: 'Midjourney', type: 'midjourney', typeVersion: 1 } as INode;

function failureOf(check: () => unknown): NodeOperationError {
	try {
		check();
	} catch (error) {
		return error as NodeOperationError;
	}
	throw new Error('expected the check to fail');
}

describe('validation', () => {
	it('requires text and trims it', () => {
		expect(requireText(node, 0, 'Prompt', '  a fox ')).toBe('a fox');
		const error = failureOf(() => requireText(node, 3, 'Prompt', '   '));
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('"Prompt" is empty');
		expect(error.context.itemIndex).toBe(3);
	});

	it('names the length and the limit of a text that is too long', () => {
		expect(() => checkMaxLength(node, 0, 'Reply Ref', 'x'.repeat(1024), 1024)).not.toThrow();
		expect(
			failureOf(() => checkMaxLength(node, 0, 'Reply Ref', 'x'.repeat(1025), 1024)).message,
		).toBe('"Reply Ref" is too long: 1025 characters, the limit is 1024');
	});

	it('accepts http and https URLs only', () => {
		expect(() =>
			checkHttpUrl(node, 0, 'Reply URL', 'https://n8n.example/webhook/x', 1024),
		).not.toThrow();
		expect(failureOf(() => checkHttpUrl(node, 0, 'Reply URL', 'not a url', 1024)).message).toBe(
			'"Reply URL" is not a valid URL: not a url',
		);
		expect(failureOf(() => checkHttpUrl(node, 0, 'Reply URL', 'ftp://host/x', 1024)).message).toBe(
			'"Reply URL" must start with http:// or https://',
		);
		expect(
			failureOf(() => checkHttpUrl(node, 0, 'Reply URL', `https://h/${'x'.repeat(30)}`, 20))
				.message,
		).toMatch(/too long/);
	});

	it('checks whole numbers in a range, and one limit not above another', () => {
		expect(() => checkIntegerRange(node, 0, 'Max Jobs', 15, 1, 15)).not.toThrow();
		expect(failureOf(() => checkIntegerRange(node, 0, 'Max Jobs', 16, 1, 15)).message).toBe(
			'"Max Jobs" must be a whole number from 1 to 15, got 16',
		);
		expect(failureOf(() => checkIntegerRange(node, 0, 'Max Jobs', 2.5, 1, 15)).message).toMatch(
			/whole number/,
		);
		expect(
			failureOf(() => checkNotAbove(node, 0, 'Max Image Jobs', 5, 'Max Jobs', 3)).message,
		).toBe('"Max Image Jobs" must not be more than "Max Jobs": 5 is more than 3');
	});

	it('checks a URL prefix and a Discord channel ID', () => {
		expect(() =>
			checkUrlPrefix(
				node,
				0,
				'CDN URL',
				'https://cdn.midjourney.com/a.png',
				'https://cdn.midjourney.com/',
			),
		).not.toThrow();
		expect(
			failureOf(() =>
				checkUrlPrefix(node, 0, 'CDN URL', 'https://x/a.png', 'https://cdn.midjourney.com/'),
			).message,
		).toMatch(/must start with https:\/\/cdn.midjourney.com\//);
		expect(requireChannelId(node, 0, 'Channel', ' 1234567890 ')).toBe('1234567890');
		expect(failureOf(() => requireChannelId(node, 0, 'Channel', 'general')).message).toBe(
			'"Channel" must be a Discord channel ID (digits only), got "general"',
		);
	});
});

/** The item's parameters as n8n-core resolves them (no server: nothing is sent). */
describe('item parameters', () => {
	const credential = { baseUrl: 'http://127.0.0.1:9', token: 'unused' };
	// n8n-core drops parameters the chosen operation does not show: Imagine unless told otherwise.
	const ctx = (parameters: Record<string, unknown>) =>
		executeContext({
			credential,
			parameters: { resource: 'job', operation: 'imagine', ...parameters } as never,
		});

	it('read the wait settings with their defaults and refuse a time limit of 0 or a poll interval under 0.2 s', () => {
		expect(
			readWaitSettings(ctx({ waitFor: 'poll', timeLimit: 60, options: { pollInterval: 0.2 } }), 0),
		).toEqual({
			mode: 'poll',
			timeLimitMs: 60_000,
			pollIntervalMs: 200,
			onStreamLoss: 'resubmit',
			busyRetry: { baseDelayMs: 10_000, maxAttempts: 6 },
		});
		expect(
			failureOf(() => readWaitSettings(ctx({ waitFor: 'stream', timeLimit: 0 }), 0)).message,
		).toMatch(/^"Time Limit \(Seconds\)" must be a number from 1 to 2147483 seconds .*got 0$/);
		expect(
			failureOf(() => readWaitSettings(ctx({ waitFor: 'poll', options: { pollInterval: 0.1 } }), 0))
				.message,
		).toBe('"Poll Interval (Seconds)" must be a number from 0.2 to 3600 seconds, got 0.1');
	});

	it('read the routing fields as the API takes them, leaving out empty ones and reply level "all"', () => {
		expect(
			readJobRouting(ctx({ channel: ' 123 ', options: { replyRef: 'r', replyLevel: 'all' } }), 0),
		).toEqual({ channel: '123', replyRef: 'r' });
		expect(
			failureOf(() =>
				readJobRouting(ctx({ waitFor: 'callback', options: { replyUrl: 'https://h/x' } }), 0),
			).message,
		).toBe('"Reply URL" cannot be combined with Wait for Result: Callback');
	});

	it('read a job ID and refuse one with spaces, and a prompt over 5000 characters', () => {
		expect(readJobId(ctx({ operation: 'get', jobId: ' j1-bot:midjourney ' }), 0)).toBe(
			'j1-bot:midjourney',
		);
		expect(
			failureOf(() => readJobId(ctx({ operation: 'get', jobId: 'not a job' }), 0)).message,
		).toBe('"Job ID" is not a job ID: "not a job"');
		expect(failureOf(() => readPrompt(ctx({ prompt: 'x'.repeat(5001) }), 0)).message).toBe(
			'"Prompt" is too long: 5001 characters, the limit is 5000',
		);
	});
});
