/**
 * Settings, Account, Media and Legacy (V2) resources in a real n8n 2.x against the emulator: each
 * operation's request as the emulator received it, the node's output, and the error cases of its
 * docs page (checks before any request, 404 → no items, 409, the CDN's 403, the v2 status codes).
 */
import { MIDJOURNEY_TYPE, requestsTo, runMidjourneyNode, useEnvironment } from './midjourney';

jest.setTimeout(10 * 60 * 1000);

const CHANNEL = '1100000000000000001';
/** The emulator's v2 account: one Discord account is configured in v2 or v3, never both (v3 quick-start). */
const V2_CHANNEL = '1100000000000000002';
/** The emulator derives an account's channel from the first 17–20 digits of its Discord token. */
const SECOND_CHANNEL = '2200000000000000002';
const SECOND_TOKEN = `token-${SECOND_CHANNEL}-abc`;
const fast = { pollInterval: 0.3 };

const env = useEnvironment();

/** One "Midjourney Discord Account API" credential per Discord token (the token never is a node parameter). */
const discordCredentials = new Map<string, { id: string; name: string }>();
async function discordCredential(token: string) {
	let credential = discordCredentials.get(token);
	if (!credential) {
		const name = `Discord ${discordCredentials.size + 1}`;
		credential = {
			id: await env.n8n.createCredential(name, 'midjourneyDiscordApi', { discordToken: token }),
			name,
		};
		discordCredentials.set(token, credential);
	}
	return credential;
}

/** Account → Create or Update with the Discord token `token` in its credential. */
async function createOrUpdate(parameters: Record<string, unknown> = {}, token = SECOND_TOKEN) {
	return await runMidjourneyNode(
		env,
		{ resource: 'account', operation: 'createOrUpdate', ...parameters },
		{ credentials: { midjourneyDiscordApi: await discordCredential(token) } },
	);
}

const settingsRun = (operation: string, extra: Record<string, unknown> = {}) =>
	runMidjourneyNode(env, { resource: 'settings', operation, options: fast, ...extra });

describe('Settings', () => {
	it('Get Settings streams the job and outputs the parsed settings, the job ID and the channel', async () => {
		const run = await settingsRun('settings');
		expect(run.error).toBeFalsy();
		expect(run.items).toHaveLength(1);
		const output = run.items[0].json;
		expect(output).toMatchObject({
			version: '7',
			remix: false,
			fast: true,
			relax: false,
			turbo: false,
			channel: CHANNEL,
		});
		expect(output.suffix).toEqual(expect.any(String));
		expect(output.jobid).toMatch(/-bot:midjourney$/);
		expect(output.content).toMatch(/Current suffix/);
		expect(output.response).toBeUndefined();
		expect(requestsTo(env, 'POST', '/v3/midjourney/jobs/settings')[0].body).toEqual({
			stream: true,
		});
	});

	it('Get Info outputs the speed modes and the /info lines as fields', async () => {
		const run = await settingsRun('info', { waitFor: 'poll' });
		const output = run.items[0].json;
		expect(output).toMatchObject({ fast: true, relax: false, turbo: false });
		expect(output.info).toMatchObject({
			jobMode: 'Fast',
			fastTimeRemaining: '9.34/15.0 hours (62.27%)',
			queuedJobsRelax: '0',
		});
		expect(requestsTo(env, 'POST', '/v3/midjourney/jobs/info')[0].body).toEqual({ stream: false });
	});

	it.each([
		['relax', { relax: true, fast: false, turbo: false }],
		['turbo', { relax: false, fast: false, turbo: true }],
		['fast', { relax: false, fast: true, turbo: false }],
	])('%s switches the speed mode', async (operation, modes) => {
		const run = await settingsRun(operation, { channel: CHANNEL });
		expect(run.items[0].json).toMatchObject(modes);
		expect(requestsTo(env, 'POST', `/v3/midjourney/jobs/${operation}`)[0].body).toEqual({
			channel: CHANNEL,
			stream: true,
		});
	});

	it('Toggle Remix and Toggle Variability flip the mode each time', async () => {
		expect((await settingsRun('remix')).items[0].json.remix).toBe(true);
		expect((await settingsRun('remix')).items[0].json.remix).toBe(false);
		expect((await settingsRun('variability')).items[0].json.variability).toBe(true);
	});

	it("Don't Wait outputs the created job, with the reply fields sent", async () => {
		const run = await settingsRun('settings', {
			waitFor: 'none',
			options: { replyUrl: 'https://example.com/hook', replyRef: 'row-7', replyLevel: 'minimal' },
		});
		expect(run.items[0].json).toMatchObject({ verb: 'settings', status: 'created' });
		expect(requestsTo(env, 'POST', '/v3/midjourney/jobs/settings')[0].body).toEqual({
			replyUrl: 'https://example.com/hook',
			replyRef: 'row-7',
			replyLevel: 'minimal',
			stream: false,
		});
	});

	it('explains that the channel is required when several accounts are configured (400)', async () => {
		await createOrUpdate();
		const run = await settingsRun('settings');
		expect(run.error.message).toMatch(/400/);
		expect(run.error.message).toMatch(/channel/);
	});

	it('the editor shows that the channel is required with several accounts', async () => {
		const description = await env.n8n.nodeTypeDescription(MIDJOURNEY_TYPE, 1);
		const channel = description.properties.find(
			(property: any) =>
				property.name === 'channel' && property.displayOptions?.show?.operation?.includes('remix'),
		);
		expect(channel.hint).toMatch(/Required when more than one account/);
	});
});

describe('Account', () => {
	it('Create or Update adds an account (201, created: true) then updates it (200, created: false)', async () => {
		const parameters = { maxJobs: 5, maxImageJobs: 4, maxVideoJobs: 2 };
		const first = await createOrUpdate({ ...parameters, replyUrl: 'https://example.com/hook' });
		expect(first.items[0].json).toMatchObject({
			channel: SECOND_CHANNEL,
			maxJobs: 5,
			maxImageJobs: 4,
			maxVideoJobs: 2,
			created: true,
		});
		expect(first.items[0].json.discord).not.toBe(SECOND_TOKEN);
		expect(requestsTo(env, 'POST', '/v3/midjourney/accounts')[0].body).toEqual({
			discord: SECOND_TOKEN,
			maxJobs: 5,
			maxImageJobs: 4,
			maxVideoJobs: 2,
			replyUrl: 'https://example.com/hook',
		});

		const second = await createOrUpdate({ ...parameters, maxJobs: 6 });
		expect(second.items[0].json).toMatchObject({
			channel: SECOND_CHANNEL,
			maxJobs: 6,
			created: false,
		});
	});

	it('Create or Update sends the current limits of an account for those left at 0, and none for a new one', async () => {
		const posted = () => requestsTo(env, 'POST', '/v3/midjourney/accounts').map((r) => r.body);
		await createOrUpdate();
		expect(posted()[0]).toEqual({ discord: SECOND_TOKEN });

		await createOrUpdate({ maxJobs: 5, maxImageJobs: 4, maxVideoJobs: 2 });
		const again = await createOrUpdate({ replyUrl: 'https://example.com/other' });
		expect(posted()[2]).toEqual({
			discord: SECOND_TOKEN,
			maxJobs: 5,
			maxImageJobs: 4,
			maxVideoJobs: 2,
			replyUrl: 'https://example.com/other',
		});
		expect(again.items[0].json).toMatchObject({ maxJobs: 5, maxImageJobs: 4, maxVideoJobs: 2 });

		// A lower Max Jobs lowers the limits it keeps (useapi.net refuses one above Max Jobs).
		await createOrUpdate({ maxJobs: 2 });
		expect(posted()[3]).toEqual({
			discord: SECOND_TOKEN,
			maxJobs: 2,
			maxImageJobs: 2,
			maxVideoJobs: 2,
		});
	});

	it("the Discord credential's Test checks the token's shape in n8n and sends it nowhere", async () => {
		const test = async (discordToken: string) => {
			const data = { discordToken };
			const id = await env.n8n.createCredential('Discord probe', 'midjourneyDiscordApi', data);
			return await env.n8n.restPost('/credentials/test', {
				credentials: { id, name: 'Discord probe', type: 'midjourneyDiscordApi', data },
			});
		};
		const shaped = `${Buffer.from('1200000000000000002').toString('base64')}.GaBcDe.x-yZ_1234567890abcdef`;
		expect(await test(shaped)).toMatchObject({ status: 'OK' });
		expect(await test('my discord password')).toMatchObject({
			status: 'Error',
			message: expect.stringMatching(/spaces or quotes/),
		});
		expect(await test('abc')).toMatchObject({
			status: 'Error',
			message: expect.stringMatching(/not a Discord token/),
		});
		expect(env.emulator.requests).toHaveLength(0);
		expect(env.n8n.logs()).not.toContain(shaped);
	});

	it('keeps the Discord token out of the workflow, its execution and the output', async () => {
		const run = await createOrUpdate({ maxJobs: 4 });
		expect(run.items[0].json).toMatchObject({ channel: SECOND_CHANNEL, maxJobs: 4 });
		const workflow = await env.n8n.getWorkflow(
			String(run.execution.workflowId ?? run.execution.workflowData?.id),
		);
		const execution = await env.n8n.getExecution(run.execution.id);
		expect(JSON.stringify(workflow)).not.toContain(SECOND_TOKEN);
		expect(JSON.stringify(execution)).not.toContain(SECOND_TOKEN);
		expect(env.n8n.logs()).not.toContain(SECOND_TOKEN);
		expect(JSON.stringify(workflow)).toContain('midjourneyDiscordApi');
		const description = await env.n8n.nodeTypeDescription(MIDJOURNEY_TYPE, 1);
		expect(description.properties.some((property: any) => property.name === 'discord')).toBe(false);
		expect(requestsTo(env, 'POST', '/v3/midjourney/accounts')[0].body).toMatchObject({
			discord: SECOND_TOKEN,
		});
	});

	it('refuses an empty Discord token in the credential before any request', async () => {
		const run = await createOrUpdate({}, '  ');
		expect(run.error.message).toBe('"Discord Token" is empty');
		expect(env.emulator.requests).toHaveLength(0);
	});

	it.each([
		['Max Jobs 16', { maxJobs: 16 }, '"Max Jobs" must be a whole number from 1 to 15, got 16'],
		[
			'Max Video Jobs 13',
			{ maxJobs: 12, maxVideoJobs: 13 },
			'"Max Video Jobs" must be a whole number from 1 to 12, got 13',
		],
		[
			'Max Image Jobs above Max Jobs',
			{ maxJobs: 3, maxImageJobs: 4 },
			'"Max Image Jobs" must not be more than "Max Jobs": 4 is more than 3',
		],
		[
			'a Reply URL over 2048 characters',
			{ replyUrl: `https://example.com/${'x'.repeat(2048)}` },
			/^"Reply URL" is too long: \d+ characters, the limit is 2048$/,
		],
		[
			'a Reply URL that is not http(s)',
			{ replyUrl: 'ftp://example.com/hook' },
			'"Reply URL" must start with http:// or https://',
		],
	])('refuses %s before any request', async (_label, fields, message) => {
		const run = await createOrUpdate(fields);
		if (typeof message === 'string') expect(run.error.message).toBe(message);
		else expect(run.error.message).toMatch(message);
		expect(env.emulator.requests).toHaveLength(0);
	});

	it('explains a Discord account still configured in v2 (409)', async () => {
		const run = await createOrUpdate({}, 'v2-configured-token');
		expect(run.error.message).toBe(
			'This Discord account is still configured in the legacy v2 API (409)',
		);
		expect(run.error.description).toMatch(/Delete its v2 configuration/);
		expect(run.error.description).toMatch(
			/DELETE https:\/\/api\.useapi\.net\/v2\/midjourney\/account\//,
		);
	});

	it('Get Many outputs one item per channel, and Limit caps them', async () => {
		await createOrUpdate();
		const all = await runMidjourneyNode(env, {
			resource: 'account',
			operation: 'getAll',
			returnAll: true,
		});
		expect(all.items.map((item) => item.json.channel).sort()).toEqual([CHANNEL, SECOND_CHANNEL]);
		expect(all.items.every((item) => item.pairedItem?.item === 0)).toBe(true);
		const one = await runMidjourneyNode(env, {
			resource: 'account',
			operation: 'getAll',
			limit: 1,
		});
		expect(one.items).toHaveLength(1);
	});

	it('Get Many outputs no items, and no error, when no account is configured (404)', async () => {
		await runMidjourneyNode(env, {
			resource: 'account',
			operation: 'deleteAccount',
			channel: CHANNEL,
		});
		const run = await runMidjourneyNode(env, {
			resource: 'account',
			operation: 'getAll',
			returnAll: true,
		});
		expect(run.error).toBeFalsy();
		expect(run.items).toHaveLength(0);
		expect(run.execution.status).toBe('success');
	});

	it('Get reads one account; Delete removes it; Get then explains the 404', async () => {
		const got = await runMidjourneyNode(env, {
			resource: 'account',
			operation: 'get',
			channel: CHANNEL,
		});
		expect(got.items[0].json).toMatchObject({ channel: CHANNEL, maxJobs: 3 });
		expect(requestsTo(env, 'GET', `/v3/midjourney/accounts/${CHANNEL}`)).toHaveLength(1);

		const deleted = await runMidjourneyNode(env, {
			resource: 'account',
			operation: 'deleteAccount',
			channel: CHANNEL,
		});
		expect(deleted.items[0].json).toEqual({ channel: CHANNEL, deleted: true });
		expect(requestsTo(env, 'DELETE', `/v3/midjourney/accounts/${CHANNEL}`)).toHaveLength(1);

		const missing = await runMidjourneyNode(env, {
			resource: 'account',
			operation: 'get',
			channel: CHANNEL,
		});
		expect(missing.error.message).toMatch(/404/);
	});

	it('Reset clears the error state of a channel after a 596', async () => {
		env.emulator.setChannelError(CHANNEL, 'Pending mod message');
		const blocked = await settingsRun('settings', { channel: CHANNEL });
		expect(blocked.error.message).toMatch(/596/);
		expect(blocked.error.description).toMatch(/Account → Reset/);

		const reset = await runMidjourneyNode(env, {
			resource: 'account',
			operation: 'reset',
			channel: CHANNEL,
		});
		expect(reset.items[0].json).toEqual({ channel: CHANNEL, reset: true });
		expect(requestsTo(env, 'POST', `/v3/midjourney/accounts/reset/${CHANNEL}`)).toHaveLength(1);
		expect((await settingsRun('settings', { channel: CHANNEL })).error).toBeFalsy();
	});

	it('refuses a channel that is not a Discord channel ID, before any request', async () => {
		const run = await runMidjourneyNode(env, {
			resource: 'account',
			operation: 'reset',
			channel: '../jobs',
		});
		expect(run.error.message).toBe(
			'"Channel" must be a Discord channel ID (digits only), got "../jobs"',
		);
		expect(env.emulator.requests).toHaveLength(0);
	});

	it('the editor lists the configured channels, without an "any channel" entry', async () => {
		const options = await env.n8n.loadOptions({
			nodeType: MIDJOURNEY_TYPE,
			nodeVersion: 1,
			path: 'parameters.channel',
			methodName: 'getConfiguredChannels',
			currentNodeParameters: { resource: 'account', operation: 'get' },
			credentials: env.credentials,
		});
		expect(options.map((option) => option.value)).toEqual([CHANNEL]);
	});
});

describe('Media', () => {
	const cdnUrl = 'https://cdn.midjourney.com/0b6c9f4e-1111-2222-3333-444455556666/0_1.png';

	it('Download outputs the file as binary data in the chosen field', async () => {
		const run = await runMidjourneyNode(env, {
			resource: 'media',
			operation: 'download',
			cdnUrl,
			binaryPropertyName: 'image',
		});
		expect(run.error).toBeFalsy();
		const item = run.items[0];
		expect(item.json).toMatchObject({
			cdnUrl,
			mimeType: 'image/png',
			fileName: '0b6c9f4e-1111-2222-3333-444455556666_0_1.png',
		});
		expect(item.binary?.image).toMatchObject({ mimeType: 'image/png' });
		expect(item.json.fileSize).toBeGreaterThan(0);
		const [request] = requestsTo(env, 'GET', '/v1/proxy/cdn-midjourney/');
		expect(request.query).toEqual({ cdnUrl });
	});

	it("retries the CDN's temporary 403", async () => {
		const blocked = 'https://cdn.midjourney.com/emu-403/0_0.png';
		const run = await runMidjourneyNode(env, {
			resource: 'media',
			operation: 'download',
			cdnUrl: blocked,
		});
		expect(run.error).toBeFalsy();
		expect(run.items[0].binary?.data).toBeDefined();
		expect(requestsTo(env, 'GET', '/v1/proxy/cdn-midjourney/')).toHaveLength(2);
	});

	it('refuses a URL outside the Midjourney CDN, before any request', async () => {
		const run = await runMidjourneyNode(env, {
			resource: 'media',
			operation: 'download',
			cdnUrl: 'https://example.com/a.png',
		});
		expect(run.error.message).toBe(
			'"CDN URL" must start with https://cdn.midjourney.com/, got "https://example.com/a.png"',
		);
		expect(env.emulator.requests).toHaveLength(0);
	});
});

describe('Legacy (V2)', () => {
	const v2Imagine = (extra: Record<string, unknown> = {}) =>
		runMidjourneyNode(env, {
			resource: 'v2',
			operation: 'imagine',
			prompt: 'a steampunk cat',
			options: fast,
			...extra,
		});

	it('Imagine polls GET /v2/jobs/?jobid= until the job completed', async () => {
		const run = await v2Imagine({
			channel: V2_CHANNEL,
			options: { ...fast, maxJobs: 2, replyRef: 'row-1' },
		});
		expect(run.error).toBeFalsy();
		const job = run.items[0].json;
		expect(job).toMatchObject({
			verb: 'imagine',
			status: 'completed',
			prompt: 'a steampunk cat',
			channel: V2_CHANNEL,
		});
		expect(requestsTo(env, 'POST', '/v2/jobs/imagine')[0].body).toEqual({
			prompt: 'a steampunk cat',
			channel: V2_CHANNEL,
			maxJobs: 2,
			replyRef: 'row-1',
		});
		const polls = requestsTo(env, 'GET', '/v2/jobs/');
		expect(polls.length).toBeGreaterThan(0);
		expect(polls.every((request) => request.query.jobid === job.jobid)).toBe(true);
	});

	it("Don't Wait outputs the started job without polling", async () => {
		const run = await v2Imagine({ waitFor: 'none' });
		expect(run.items[0].json).toMatchObject({ verb: 'imagine', status: 'started' });
		expect(requestsTo(env, 'GET', '/v2/jobs/')).toHaveLength(0);
	});

	it('Get Seed returns the seed of a completed job; Get Job reads a v2 job', async () => {
		const parent = (await v2Imagine()).items[0].json;
		const seed = await runMidjourneyNode(env, {
			resource: 'v2',
			operation: 'seed',
			jobId: parent.jobid,
			options: fast,
		});
		expect(seed.error).toBeFalsy();
		expect(seed.items[0].json.status).toBe('completed');
		expect(requestsTo(env, 'POST', '/v2/jobs/seed_async')[0].body).toEqual({ jobid: parent.jobid });

		const got = await runMidjourneyNode(env, {
			resource: 'v2',
			operation: 'get',
			jobId: parent.jobid,
		});
		expect(got.items[0].json).toMatchObject({ jobid: parent.jobid, status: 'completed' });
		expect((got.items[0].json.seed as any).value).toEqual(expect.any(Number));
	});

	it('explains a moderated prompt (422)', async () => {
		const run = await v2Imagine({ prompt: 'a cat --emu-moderated' });
		expect(run.error.message).toMatch(/^Midjourney moderated the request \(422\)/);
		expect(requestsTo(env, 'POST', '/v2/jobs/imagine')).toHaveLength(1);
	});

	it('retries a busy account (429) and then succeeds', async () => {
		env.emulator.faults.status429Next = 1;
		const run = await v2Imagine({ options: { ...fast, busyRetryDelay: 0 } });
		expect(run.items[0].json.status).toBe('completed');
		expect(requestsTo(env, 'POST', '/v2/jobs/imagine')).toHaveLength(2);
	});

	it('explains a pending moderation (596) with the v2 reset, and a 504 with maxJobs', async () => {
		const blocked = await v2Imagine({ prompt: 'a cat --emu-596' });
		expect(blocked.error.message).toMatch(/596/);
		expect(blocked.error.description).toMatch(/v2 API \(account\/midjourney\/<channel>\/reset\)/);
		env.emulator.reset();

		const timedOut = await v2Imagine({ prompt: 'a cat --emu-504' });
		expect(timedOut.error.message).toMatch(/^Midjourney did not start the v2 job \(504\)/);
		expect(timedOut.error.description).toMatch(/maxJobs is set higher than your Midjourney plan/);
		expect(requestsTo(env, 'POST', '/v2/jobs/imagine')).toHaveLength(1);
	});

	it('ends the wait at the time limit and says the job keeps running', async () => {
		const run = await v2Imagine({ prompt: 'a slow cat --emu-ms=20000', timeLimit: 2 });
		expect(run.error.message).toBe(
			'The Midjourney v2 job did not finish within the time limit of 2 seconds',
		);
		expect(run.error.description).toMatch(/keeps running on useapi\.net/);
	});

	it('refuses an empty prompt and a Max Jobs above 15, before any request', async () => {
		expect((await v2Imagine({ prompt: ' ' })).error.message).toBe('"Prompt" is empty');
		expect((await v2Imagine({ options: { maxJobs: 16 } })).error.message).toBe(
			'"Max Jobs" must be a whole number from 1 to 15, got 16',
		);
		expect(env.emulator.requests).toHaveLength(0);
	});
});
