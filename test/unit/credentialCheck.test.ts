import { baseUrlProblem } from '../../nodes/Midjourney/transport/baseUrl';
import { judgeAccountsAnswer } from '../../nodes/Midjourney/transport/credentialCheck';

/** Issue 20 (6): the useapi.net credential's test passes only on the docs' two good answers. */

const accounts = {
	'1234567890123456789': {
		discord: 'MTI...xyz',
		channel: '1234567890123456789',
		maxJobs: 3,
		maxImageJobs: 3,
		maxVideoJobs: 3,
	},
};
const json = { 'content-type': 'application/json' };
const html = { 'content-type': 'text/html; charset=utf-8' };
const page = '<!doctype html><html><body>Welcome</body></html>';

describe('judgeAccountsAnswer', () => {
	it.each([
		['200 with the accounts map', 200, json, JSON.stringify(accounts)],
		['200 with the accounts map, already parsed', 200, json, accounts],
		['404 with an empty body (no channel configured yet)', 404, {}, ''],
		['404 with no body at all', 404, {}, undefined],
	])('passes on %s', (_, statusCode, headers, body) => {
		expect(judgeAccountsAnswer({ statusCode, headers, body }).status).toBe('OK');
	});

	it.each([
		[200, html, page, 'The Base URL answered an HTML page (200): is it the API?'],
		[200, {}, page, 'The Base URL answered an HTML page (200): is it the API?'],
		[
			200,
			json,
			'{"ok":true}',
			'The Base URL answered 200 with JSON that is not the accounts list: is it the API?',
		],
		[
			200,
			json,
			'[]',
			'The Base URL answered 200 with JSON that is not the accounts list: is it the API?',
		],
		[500, json, '{"error":"boom"}', 'The Base URL answered a server error (500) with "boom"'],
		[403, html, page, 'The Base URL answered an error (403) with an HTML page: is it the API?'],
		[404, html, page, 'The Base URL answered 404 with an HTML page: is it the API?'],
		[
			401,
			json,
			'{"error":"Unauthorized"}',
			'The API token was rejected (401). Copy it again from your useapi.net account.',
		],
		[
			302,
			{ location: 'https://elsewhere.example/v3/midjourney/accounts' },
			'',
			'The Base URL answered a redirect (302) to https://elsewhere.example/v3/midjourney/accounts: the token is not sent on. Put the final address in Base URL.',
		],
	])('fails on %p and says what it got', (statusCode, headers, body, message) => {
		expect(judgeAccountsAnswer({ statusCode, headers, body })).toEqual({
			status: 'Error',
			message,
		});
	});
});

describe('baseUrlProblem', () => {
	it.each([
		'https://api.useapi.net',
		'https://proxy.example/useapi',
		'http://127.0.0.1:5000',
		'http://localhost:5000',
		'http://[::1]:5000',
	])('accepts %s', (url) => {
		expect(baseUrlProblem(url)).toBeUndefined();
	});

	it.each([
		['http://api.useapi.net', /must start with https:\/\//],
		['http://10.0.0.5:5000', /must start with https:\/\//],
		['https://user:pass@api.useapi.net', /user name or password/],
		['https://api.useapi.net?x=1', /query/],
		['ftp://api.useapi.net', /must start with https:\/\//],
		['api.useapi.net', /not a URL/],
	])('refuses %s', (url, problem) => {
		expect(baseUrlProblem(url)).toMatch(problem);
	});
});
