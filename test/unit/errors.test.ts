import { NodeApiError, NodeOperationError, type INode } from 'n8n-workflow';

import {
	apiError,
	asNodeError,
	connectionError,
	isTransientFailure,
	jobOfError,
	withJob,
	type ApiFailure,
} from '../../nodes/Midjourney/transport/errors';

/** Error mapping: what each useapi.net answer becomes, and the next step it tells the user. */

const node = { name: 'Midjourney', type: 'midjourney', typeVersion: 1 } as INode;

const failure = (statusCode: number, overrides: Partial<ApiFailure> = {}): ApiFailure => ({
	statusCode,
	method: 'POST',
	path: '/v3/midjourney/jobs/imagine',
	apiMessage: 'what useapi.net said',
	...overrides,
});

describe('apiError', () => {
	it('401: the token was rejected; the next step is the credential', () => {
		const error = apiError(node, failure(401), 2);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('The useapi.net API token was rejected (401)');
		expect(error.description).toMatch(/"useapi.net API" credential/);
		expect(error.httpCode).toBe('401');
		expect(error.context.itemIndex).toBe(2);
	});

	it('402: the subscription', () => {
		const error = apiError(node, failure(402));
		expect(error.message).toMatch(/subscription is missing or expired \(402\)/);
		expect(error.description).toMatch(/Renew the subscription/);
	});

	it('410: the job expired after 62 days', () => {
		const error = apiError(node, failure(410, { method: 'GET', path: '/v3/midjourney/jobs/j1' }));
		expect(error.message).toMatch(/expired \(410\)/);
		expect(error.description).toMatch(/62 days/);
	});

	it('429: busy, with the retries made and the v3 or v2 advice', () => {
		const v3 = apiError(node, failure(429, { retries: 6 }));
		expect(v3.message).toBe('All Midjourney channels are busy (429) after 6 retries');
		expect(v3.description).toMatch(/Max Parallel Jobs/);
		const v2 = apiError(node, failure(429, { path: '/v2/jobs/imagine' }));
		expect(v2.message).toBe('All Midjourney channels are busy (429)');
		expect(v2.description).toMatch(/raise "Max Jobs"/);
	});

	it('596: names the channel, says nothing was submitted, and how to reset (v3 and v2)', () => {
		const v3 = apiError(node, failure(596, { channel: '123' }));
		expect(v3.message).toBe(
			'Midjourney needs attention on channel 123 (596): moderation or CAPTCHA pending',
		);
		expect(v3.description).toMatch(/Account → Reset for channel 123/);
		expect(v3.description).toMatch(/Nothing was submitted/);
		const v2 = apiError(node, failure(596, { path: '/v2/jobs/imagine' }));
		expect(v2.message).toMatch(/on the channel \(596\)/);
		expect(v2.description).toMatch(/v2 API/);
	});

	it('409 of POST accounts: the Discord account is still in the v2 API', () => {
		const error = apiError(node, failure(409, { path: '/v3/midjourney/accounts' }));
		expect(error.message).toMatch(/legacy v2 API \(409\)/);
		expect(apiError(node, failure(409)).message).toBe('Conflict (409): what useapi.net said');
	});

	it('504 of v2: maxJobs above the plan; other 5xx: try again', () => {
		expect(apiError(node, failure(504, { path: '/v2/jobs/imagine' })).message).toMatch(
			/did not start the v2 job \(504\)/,
		);
		expect(apiError(node, failure(503)).message).toBe('useapi.net had a server error (503)');
	});

	it('keeps the request, never its headers, in the error response', () => {
		const error = apiError(node, failure(400));
		expect(error.message).toBe('useapi.net rejected the request (400): what useapi.net said');
		expect(JSON.stringify(error.errorResponse ?? {})).not.toMatch(/authorization|Bearer/i);
	});
});

describe('connectionError', () => {
	it('says no answer within the time limit for a timeout, and names the request, never its headers', () => {
		const timedOut = connectionError(node, 'http://x', 'GET', '/p', 'ECONNABORTED', 0, 15_000);
		expect(timedOut.message).toBe(
			'Could not reach useapi.net at http://x (no answer within 15 seconds)',
		);
		expect(timedOut.description).toBe(
			'The request GET /p got no answer. Check the Base URL in the credential and the network.',
		);
		expect(timedOut.context.connectionFailed).toBe('ECONNABORTED');
	});

	it('keeps the code for the retry logic; n8n words the message of a code it knows itself', () => {
		const refused = connectionError(node, 'http://x', 'GET', '/v3/midjourney/jobs', 'ECONNREFUSED');
		expect(refused.context.connectionFailed).toBe('ECONNREFUSED');
		// n8n-workflow replaces a message naming ECONNREFUSED with its own sentence.
		expect(refused.message).toBe('The service refused the connection - perhaps it is offline');
		expect(refused.description).toMatch(/GET \/v3\/midjourney\/jobs got no answer/);
	});
});

describe('transient failures', () => {
	it('are 429, 5xx except 596, and no answer; client errors are not', () => {
		expect(isTransientFailure(apiError(node, failure(429)))).toBe(true);
		expect(isTransientFailure(apiError(node, failure(502)))).toBe(true);
		expect(isTransientFailure(apiError(node, failure(596)))).toBe(false);
		expect(isTransientFailure(apiError(node, failure(404)))).toBe(false);
		expect(isTransientFailure(connectionError(node, 'u', 'GET', '/p', 'ECONNRESET'))).toBe(true);
		expect(isTransientFailure(new NodeOperationError(node, 'bad input'))).toBe(false);
	});
});

describe('errors and their jobs', () => {
	it('keep the job an error is about, merged, without undefined fields', () => {
		const error = withJob(new NodeOperationError(node, 'failed'), {
			jobid: 'j1',
			status: undefined,
		});
		withJob(error, { jobid: 'j1', cancelled: true });
		expect(jobOfError(error)).toEqual({ jobid: 'j1', cancelled: true });
		expect(jobOfError(new Error('plain'))).toBeUndefined();
	});

	it('wrap what is not a node error, and leave ours as they are', () => {
		const ours = apiError(node, failure(401));
		expect(asNodeError(node, ours)).toBe(ours);
		const wrapped = asNodeError(node, new Error('socket hang up'), 4);
		expect(wrapped).toBeInstanceOf(NodeOperationError);
		expect(wrapped.message).toBe('socket hang up');
	});
});
