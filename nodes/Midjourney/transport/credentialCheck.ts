import type {
	ICredentialDataDecryptedObject,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { baseUrlProblem, normalizedBaseUrl } from './baseUrl';
import { REQUEST_TIMEOUT_MS } from './retryPolicy';
import { DEFAULT_BASE_URL } from './session';

/**
 * The useapi.net credential's test: `GET /v3/midjourney/accounts` (https://useapi.net/docs/api-midjourney-v3/get-midjourney-accounts),
 * which has exactly two good answers: 200 with the map of configured channels, and 404 with an
 * empty body (a valid token with no channel configured yet). Anything else fails the test with
 * what came back, so "Connection successful" means the Base URL is the API and the token works.
 */

export const ACCOUNTS_TEST_PATH = '/v3/midjourney/accounts';

export interface TestAnswer {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
}

function textOf(body: unknown): string {
	if (body === undefined || body === null) return '';
	if (Buffer.isBuffer(body)) return body.toString('utf8');
	return typeof body === 'string' ? body : JSON.stringify(body);
}

function parsedJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

function isHtml(headers: Record<string, unknown>, text: string): boolean {
	const type = String(headers['content-type'] ?? '').toLowerCase();
	return type.includes('text/html') || /^\s*<(!doctype|html|head|body)/i.test(text);
}

/** The docs' accounts map: channel ID → { channel, maxJobs, … }. */
function isAccountsMap(value: unknown): boolean {
	if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
	return Object.values(value as Record<string, unknown>).every(
		(account) =>
			!!account &&
			typeof account === 'object' &&
			typeof (account as { channel?: unknown }).channel === 'string' &&
			typeof (account as { maxJobs?: unknown }).maxJobs === 'number',
	);
}

function what(headers: Record<string, unknown>, text: string): string {
	if (!text.trim()) return 'an empty body';
	if (isHtml(headers, text)) return 'an HTML page';
	const json = parsedJson(text);
	if (json === undefined) return 'a body that is not JSON';
	const error = (json as { error?: unknown })?.error;
	return typeof error === 'string'
		? `"${error.slice(0, 200)}"`
		: 'JSON that is not the accounts list';
}

/** The verdict on one answer to GET accounts. */
export function judgeAccountsAnswer(answer: TestAnswer): INodeCredentialTestResult {
	const { statusCode, headers } = answer;
	const text = textOf(answer.body);
	const fail = (message: string): INodeCredentialTestResult => ({ status: 'Error', message });
	if (statusCode === 200) {
		if (isHtml(headers, text))
			return fail('The Base URL answered an HTML page (200): is it the API?');
		if (isAccountsMap(parsedJson(text)))
			return { status: 'OK', message: 'Connection successful: the token works' };
		return fail(`The Base URL answered 200 with ${what(headers, text)}: is it the API?`);
	}
	if (statusCode === 404) {
		if (!text.trim())
			return {
				status: 'OK',
				message: 'Connection successful: the token works (no Midjourney account configured yet)',
			};
		return fail(
			`The Base URL answered 404 with ${what(headers, text)}${isHtml(headers, text) ? ': is it the API?' : ''}`,
		);
	}
	if (statusCode === 401)
		return fail('The API token was rejected (401). Copy it again from your useapi.net account.');
	if (statusCode === 402)
		return fail(
			'The token is valid but the useapi.net subscription has expired (402). Renew it at useapi.net.',
		);
	if (statusCode >= 300 && statusCode < 400) {
		const location = String(headers.location ?? '');
		return fail(
			`The Base URL answered a redirect (${statusCode})${location ? ` to ${location.slice(0, 200)}` : ''}: the token is not sent on. Put the final address in Base URL.`,
		);
	}
	const kind = statusCode >= 500 ? 'a server error' : 'an error';
	return fail(
		`The Base URL answered ${kind} (${statusCode}) with ${what(headers, text)}${isHtml(headers, text) ? ': is it the API?' : ''}`,
	);
}

/**
 * Sends the test request with the token, without following redirects (a redirect to another
 * origin would carry the token there), and judges the answer.
 */
export async function testUseApiCredential(
	ctx: ICredentialTestFunctions,
	data: ICredentialDataDecryptedObject | undefined,
): Promise<INodeCredentialTestResult> {
	const baseUrl = normalizedBaseUrl(data?.baseUrl, DEFAULT_BASE_URL);
	const problem = baseUrlProblem(baseUrl);
	if (problem) return { status: 'Error', message: problem };
	const token = String(data?.apiToken ?? '').trim();
	if (!token) return { status: 'Error', message: 'The API token is empty' };
	let answer: TestAnswer;
	try {
		answer = (await ctx.helpers.request({
			method: 'GET',
			uri: `${baseUrl}${ACCOUNTS_TEST_PATH}`,
			headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
			resolveWithFullResponse: true,
			simple: false,
			followRedirect: false,
			followAllRedirects: false,
			json: false,
			timeout: REQUEST_TIMEOUT_MS.read,
		})) as TestAnswer;
	} catch (error) {
		const code = (error as { code?: unknown }).code;
		return {
			status: 'Error',
			message: `The Base URL could not be reached (${typeof code === 'string' ? code : 'no answer'})`,
		};
	}
	return judgeAccountsAnswer({
		statusCode: answer.statusCode,
		headers: answer.headers ?? {},
		body: answer.body,
	});
}
