/**
 * Issue 3 in a real n8n 2.x: Imagine against the emulator in every wait mode, the time limit that
 * cancels the job, the prompt check before any request, and the credential test. The package is
 * the `npm pack` output alone (packageMode 'packed'), as a user installs it.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';

import {
	installedPackageLayout,
	requestsTo,
	runMidjourneyNode,
	useEnvironment,
	TOKEN,
} from './midjourney';

jest.setTimeout(10 * 60 * 1000);

const env = useEnvironment({ packageMode: 'packed' });

const imagine = (extra: Record<string, unknown> = {}) => ({
	resource: 'job',
	operation: 'imagine',
	prompt: 'a cat in a hat',
	...extra,
	options: { pollInterval: 0.3, ...((extra.options as object) ?? {}) },
});

describe('the installed package', () => {
	it('runs from the npm pack output alone: nothing installed beside it, the SSE parser inside dist/', () => {
		expect(installedPackageLayout(env.n8n)).toEqual({
			packages: ['n8n-nodes-useapi-midjourney'],
			nodeModulesInPackage: false,
			dependencies: undefined,
			bundledParser: true,
		});
	});
});

describe.each(['stream', 'poll'])('Imagine with Wait for Result = %s', (waitFor) => {
	it('outputs the completed job with its four images attached (Download Media by default)', async () => {
		const run = await runMidjourneyNode(env, imagine({ waitFor }));
		expect(run.error).toBeFalsy();
		expect(run.items).toHaveLength(1);
		const job = run.items[0].json;
		expect(job.status).toBe('completed');
		expect(job.verb).toBe('imagine');
		expect(job.response.imageUx.map((image: { url: string }) => image.url)).toHaveLength(4);
		expect(run.items[0].pairedItem).toEqual({ item: 0 });
		// One item per job, its four images as data_1…data_4: what the output panel shows as pictures.
		expect(Object.keys(run.items[0].binary ?? {})).toEqual([
			'data_1',
			'data_2',
			'data_3',
			'data_4',
		]);
		expect(Object.values(run.items[0].binary).map((file: any) => file.mimeType)).toEqual(
			Array(4).fill('image/png'),
		);
		expect(requestsTo(env, 'GET', /^\/v1\/proxy\/cdn-midjourney\//)).toHaveLength(4);

		const posts = requestsTo(env, 'POST', '/v3/midjourney/jobs/imagine');
		expect(posts).toHaveLength(1);
		expect(posts[0].body).toMatchObject({ prompt: 'a cat in a hat', stream: waitFor === 'stream' });
		expect(posts[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
	});
});

describe('Download Media', () => {
	it("Don't Download outputs the job with its URLs only, and fetches nothing", async () => {
		const run = await runMidjourneyNode(env, imagine({ options: { download: 'none' } }));
		expect(run.items).toHaveLength(1);
		expect(run.items[0].json.response.imageUx).toHaveLength(4);
		expect(run.items[0].binary).toBeUndefined();
		expect(requestsTo(env, 'GET', /^\/v1\/proxy\/cdn-midjourney\//)).toHaveLength(0);
	});
});

describe('Imagine with Wait for Result = none', () => {
	it('outputs the job as created, without waiting', async () => {
		const run = await runMidjourneyNode(env, imagine({ waitFor: 'none' }));
		expect(run.items[0].json.status).toBe('created');
		expect(run.items[0].binary).toBeUndefined(); // nothing to download yet
		expect(run.items[0].json.jobid).toMatch(/^j/);
		expect(requestsTo(env, 'POST', '/v3/midjourney/jobs/imagine')[0].body).toMatchObject({
			stream: false,
		});
	});

	it('the job still completes at useapi.net, so a later Get finds it completed', async () => {
		const created = await runMidjourneyNode(env, imagine({ waitFor: 'none' }));
		const jobId = created.items[0].json.jobid;
		await new Promise((resolve) => setTimeout(resolve, 1500));
		const got = await runMidjourneyNode(env, { resource: 'job', operation: 'get', jobId });
		expect(got.items[0].json.status).toBe('completed');
	});
});

describe('limits', () => {
	it('a time limit shorter than the job ends with a clear error and DELETEs the job', async () => {
		const run = await runMidjourneyNode(
			env,
			imagine({ prompt: 'slow --emu-ms=8000', timeLimit: 1 }),
		);
		expect(run.error).toBeTruthy();
		expect(run.error.message).toMatch(/did not finish within the time limit of 1 seconds/);
		expect(run.error.description).toMatch(/was cancelled \(DELETE\)/);
		const deletes = requestsTo(env, 'DELETE', /^\/v3\/midjourney\/jobs\//);
		expect(deletes).toHaveLength(1);
		const jobId = decodeURIComponent(deletes[0].path.split('/').pop()!);
		expect(env.emulator.getJob(jobId)?.status).toBe('failed');
	});

	it('an over-long prompt fails before any request, naming the field and the limit', async () => {
		const run = await runMidjourneyNode(env, imagine({ prompt: 'x'.repeat(5001) }));
		expect(run.error.message).toBe('"Prompt" is too long: 5001 characters, the limit is 5000');
		expect(env.emulator.requests).toHaveLength(0);
	});

	it('Continue On Fail keeps the other items and pairs the error with its item', async () => {
		const run = await runMidjourneyNode(
			env,
			{ ...imagine(), prompt: '={{ $json.prompt }}' },
			{
				items: [
					{ prompt: 'first' },
					{ prompt: '' },
					{ prompt: 'third --emu-fail' },
					{ prompt: 'fourth' },
				],
				continueOnFail: true,
			},
		);
		expect(run.items).toHaveLength(4);
		expect(run.items.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
			{ item: 3 },
		]);
		expect(run.items[0].json.status).toBe('completed');
		expect(run.items[1].json.error).toBe('"Prompt" is empty');
		expect(run.items[2].json.error).toMatch(/Midjourney job failed/);
		expect(run.items[3].json.status).toBe('completed');
		expect(run.items[3].json.request.prompt).toBe('fourth');
	});
});

describe('errors never show the token', () => {
	it('a 401 is explained and the token appears nowhere in the execution', async () => {
		const badId = await env.n8n.createCredential('bad token', 'useApiNetApi', {
			apiToken: 'secret-wrong-token-123',
			baseUrl: env.emulator.url,
		});
		const run = await runMidjourneyNode(
			{ ...env, credentials: { useApiNetApi: { id: badId, name: 'bad token' } } },
			imagine(),
		);
		expect(run.error.message).toMatch(/token was rejected \(401\)/);
		expect(JSON.stringify(run.execution)).not.toContain('secret-wrong-token-123');
		expect(env.n8n.logs()).not.toContain('secret-wrong-token-123');
	});
});

describe('credential test', () => {
	// What the editor's "Test" button sends: the saved credential's id with the data in the form.
	const test = async (apiToken: string) => {
		const data = { apiToken, baseUrl: env.emulator.url };
		const id = await env.n8n.createCredential(`probe ${apiToken}`, 'useApiNetApi', data);
		return await env.n8n.restPost('/credentials/test', {
			credentials: { id, name: `probe ${apiToken}`, type: 'useApiNetApi', data },
		});
	};

	it('accepts a valid token', async () => {
		expect(await test(TOKEN)).toMatchObject({ status: 'OK' });
		expect(requestsTo(env, 'GET', '/v3/midjourney/accounts')).toHaveLength(1);
	});

	it('accepts a valid token with no account configured yet (404)', async () => {
		for (const channel of Object.keys(
			(await (
				await fetch(`${env.emulator.url}/v3/midjourney/accounts`, {
					headers: { authorization: `Bearer ${TOKEN}` },
				})
			).json()) as object,
		)) {
			await fetch(`${env.emulator.url}/v3/midjourney/accounts/${channel}`, {
				method: 'DELETE',
				headers: { authorization: `Bearer ${TOKEN}` },
			});
		}
		expect(await test(TOKEN)).toMatchObject({ status: 'OK' });
	});

	it('reports a rejected token', async () => {
		const result = await test('not-the-token');
		expect(result).toMatchObject({ status: 'Error' });
		expect(result.message).toMatch(/401/);
	});

	describe('against a Base URL that is not the API (loopback servers)', () => {
		const accounts = {
			'1100000000000000001': { discord: 'MTI...xyz', channel: '1100000000000000001', maxJobs: 3 },
		};
		const page = '<!doctype html><html><body>Not the API</body></html>';
		const answers: Record<string, { status: number; type?: string; body: string }> = {
			'accounts-200': { status: 200, type: 'application/json', body: JSON.stringify(accounts) },
			'empty-404': { status: 404, body: '' },
			'html-200': { status: 200, type: 'text/html', body: page },
			'error-500': { status: 500, type: 'application/json', body: '{"error":"Internal"}' },
			'html-403': { status: 403, type: 'text/html', body: page },
			'html-404': { status: 404, type: 'text/html', body: page },
			'token-401': { status: 401, type: 'application/json', body: '{"error":"Unauthorized"}' },
		};
		let server: http.Server;
		let base = '';
		const seen: Array<{ url: string; authorization?: string }> = [];

		beforeAll(async () => {
			server = http.createServer((req, res) => {
				seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
				const [, name, ...rest] = (req.url ?? '').split('/');
				if (name === 'redirect')
					return res
						.writeHead(302, {
							location: `http://localhost:${port()}/accounts-200/${rest.join('/')}`,
						})
						.end();
				const answer = answers[name];
				if (!answer || rest.join('/') !== 'v3/midjourney/accounts') return res.writeHead(400).end();
				return res
					.writeHead(answer.status, answer.type ? { 'content-type': answer.type } : {})
					.end(answer.body);
			});
			await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
			base = `http://127.0.0.1:${port()}`;
		});
		afterAll(async () => await new Promise((resolve) => server.close(resolve)));
		const port = () => (server.address() as AddressInfo).port;

		const testAt = async (baseUrl: string) => {
			const data = { apiToken: TOKEN, baseUrl };
			const id = await env.n8n.createCredential(`probe ${baseUrl}`, 'useApiNetApi', data);
			return await env.n8n.restPost('/credentials/test', {
				credentials: { id, name: `probe ${baseUrl}`, type: 'useApiNetApi', data },
			});
		};

		it.each([
			['accounts-200', /the token works/],
			['empty-404', /no Midjourney account configured yet/],
		])('%s passes', async (name, message) => {
			const result = await testAt(`${base}/${name}`);
			expect(result).toMatchObject({ status: 'OK' });
			expect(result.message).toMatch(message);
		});

		it.each([
			['html-200', 'The Base URL answered an HTML page (200): is it the API?'],
			['error-500', 'The Base URL answered a server error (500) with "Internal"'],
			['html-403', 'The Base URL answered an error (403) with an HTML page: is it the API?'],
			['html-404', 'The Base URL answered 404 with an HTML page: is it the API?'],
			[
				'token-401',
				'The API token was rejected (401). Copy it again from your useapi.net account.',
			],
		])('%s fails, saying what came back', async (name, message) => {
			expect(await testAt(`${base}/${name}`)).toEqual({ status: 'Error', message });
		});

		it('does not follow a redirect, so the token never reaches another origin', async () => {
			seen.length = 0;
			const result = await testAt(`${base}/redirect`);
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(/answered a redirect \(302\) to http:\/\/localhost:/);
			expect(seen.map((request) => request.url)).toEqual(['/redirect/v3/midjourney/accounts']);
			expect(seen[0].authorization).toBe(`Bearer ${TOKEN}`);
		});

		it('refuses a plain-http Base URL off this machine, and one with a password, before sending', async () => {
			seen.length = 0;
			expect(await testAt('http://api.useapi.net')).toEqual({
				status: 'Error',
				message:
					'The Base URL must start with https:// (http:// only for an address on this machine, such as 127.0.0.1)',
			});
			expect((await testAt(`http://user:pw@127.0.0.1:${port()}/accounts-200`)).message).toMatch(
				/user name or password/,
			);
			expect(seen).toHaveLength(0);
		});
	});
});
