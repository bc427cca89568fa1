/**
 * The emulator against its documentation: every endpoint, every switch (faults), every prompt
 * marker. Plain fetch against a started emulator on a random port; nothing leaves the machine.
 */
import { spawn } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import http from 'http';
import { join } from 'path';
import { crc32, inflateSync } from 'zlib';

import {
	DEFAULT_READINGS,
	FRIENDLY,
	LEAST_FRIENDLY,
	startEmulator,
	type Emulator,
	type Job,
} from './index';

const TOKEN = 'test-token';
const CHANNEL = '1100000000000000001';
/** The default v2 account: a different Discord account (one account is configured in v2 or v3, not both). */
const V2_CHANNEL = '1100000000000000002';
const V3 = '/v3/midjourney';

let emu: Emulator;

beforeAll(async () => {
	// The existing tests were written against the friendly readings; the least friendly ones have their own tests.
	emu = await startEmulator({ token: TOKEN, jobDurationMs: 100, readings: 'friendly' });
});
afterAll(async () => {
	await emu.close();
});
beforeEach(() => emu.reset());

// ---- helpers ----------------------------------------------------------------------------------

interface Answer<T = any> {
	status: number;
	headers: Headers;
	json: T;
	text: string;
}

async function call<T = any>(
	method: string,
	path: string,
	body?: unknown,
	options: { token?: string | null; base?: Emulator; form?: FormData } = {},
): Promise<Answer<T>> {
	const headers: Record<string, string> = {};
	const token = options.token === undefined ? TOKEN : options.token;
	if (token !== null) headers.authorization = `Bearer ${token}`;
	let payload: BodyInit | undefined;
	if (options.form) payload = options.form;
	else if (body !== undefined) {
		headers['content-type'] = 'application/json';
		payload = JSON.stringify(body);
	}
	const response = await fetch(`${(options.base ?? emu).url}${path}`, {
		method,
		headers,
		body: payload,
	});
	const text = await response.text();
	let json: any;
	try {
		json = text ? JSON.parse(text) : undefined;
	} catch {
		json = undefined;
	}
	return { status: response.status, headers: response.headers, json, text };
}

const jobPath = (jobid: string) => `${V3}/jobs/${encodeURIComponent(jobid)}`;
const isFinal = (job: Job) => ['completed', 'failed', 'moderated'].includes(job.status);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForJob(
	jobid: string,
	until: (job: Job) => boolean = isFinal,
	base = emu,
	timeoutMs = 5000,
): Promise<Job> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const { status, json } = await call<Job>('GET', jobPath(jobid), undefined, { base });
		if (status === 200 && until(json)) return json;
		if (Date.now() > deadline) throw new Error(`job ${jobid} stayed ${json?.status} (${status})`);
		await sleep(25);
	}
}

async function create(verb: string, body: Record<string, unknown>, base = emu): Promise<Job> {
	const { status, json } = await call<Job>(
		'POST',
		`${V3}/jobs/${verb}`,
		{ ...body, stream: false },
		{ base },
	);
	if (status !== 201) throw new Error(`${verb} answered ${status}: ${JSON.stringify(json)}`);
	return json;
}

async function completed(verb: string, body: Record<string, unknown>, base = emu): Promise<Job> {
	const job = await create(verb, body, base);
	return waitForJob(job.jobid, isFinal, base);
}

interface SseResult {
	status: number;
	contentType: string | null;
	events: any[];
	comments: number;
	malformed: string[];
	raw: string;
	endedBy: 'end' | 'error' | 'timeout' | 'stopped';
}

/** POSTs with stream:true and reads the SSE answer until it ends, `stop` says so, or the timeout. */
async function sse(
	path: string,
	body: Record<string, unknown>,
	options: {
		timeoutMs?: number;
		stop?: (events: any[]) => boolean;
		base?: Emulator;
		form?: FormData;
		streamDefault?: boolean;
	} = {},
): Promise<SseResult> {
	const controller = new AbortController();
	// streamDefault: leave `stream` out, as the transcripts' requests do (it defaults to true).
	const json = options.streamDefault ? body : { ...body, stream: true };
	const response = await fetch(`${(options.base ?? emu).url}${path}`, {
		method: 'POST',
		headers: {
			authorization: `Bearer ${TOKEN}`,
			...(options.form ? {} : { 'content-type': 'application/json' }),
		},
		body: options.form ?? JSON.stringify(json),
		signal: controller.signal,
	});
	const result: SseResult = {
		status: response.status,
		contentType: response.headers.get('content-type'),
		events: [],
		comments: 0,
		malformed: [],
		raw: '',
		endedBy: 'end',
	};
	if (!response.body) return result;
	const reader = response.body.getReader();
	const decoder = new TextDecoder();
	let buffer = '';
	const timer = setTimeout(() => {
		result.endedBy = 'timeout';
		controller.abort();
	}, options.timeoutMs ?? 5000);
	try {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			const text = decoder.decode(value, { stream: true });
			result.raw += text;
			buffer += text;
			let end: number;
			while ((end = buffer.indexOf('\n\n')) >= 0) {
				const block = buffer.slice(0, end);
				buffer = buffer.slice(end + 2);
				for (const line of block.split('\n')) {
					if (line.startsWith(':')) result.comments++;
					else if (line.startsWith('data:')) {
						const data = line.slice(5).trim();
						try {
							result.events.push(JSON.parse(data));
						} catch {
							result.malformed.push(data);
						}
					}
				}
			}
			if (options.stop?.(result.events)) {
				result.endedBy = 'stopped';
				controller.abort();
				break;
			}
		}
	} catch {
		if (result.endedBy === 'end') result.endedBy = 'error';
	} finally {
		clearTimeout(timer);
	}
	return result;
}

/** A local webhook receiver for replyUrl callbacks. */
async function startReceiver(): Promise<{
	url: string;
	bodies: Job[];
	close: () => Promise<void>;
}> {
	const bodies: Job[] = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
			res.writeHead(200).end('ok');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.address() as { port: number }).port;
	return {
		url: `http://127.0.0.1:${port}/hook`,
		bodies,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

function pngBlob(bytes = 200): Blob {
	const data = Buffer.alloc(bytes, 1);
	Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(data);
	return new Blob([data], { type: 'image/png' });
}

// ---- the transcripts ---------------------------------------------------------------------------

/**
 * The SSE transcripts printed on the docs' pages, kept verbatim in ./transcripts/<page>.sse (the
 * `data:` lines of https://useapi.net/docs/api-midjourney-v3/post-midjourney-jobs-<page>). When a
 * saved copy of the pages is at hand (USEAPI_DOCS_DIR: a folder of `post-midjourney-jobs-<page>.md`),
 * the copies are compared with it; a fresh clone has none and skips that one check.
 */
// The project's shared folder sits beside the repository (in a session and in CI alike).
const DOCS_DIR =
	process.env.USEAPI_DOCS_DIR ?? join(__dirname, '..', '..', '..', 'shared', 'api-docs', 'v3');
const transcriptLines = (page: string) =>
	readFileSync(join(__dirname, 'transcripts', `${page}.sse`), 'utf8')
		.split('\n')
		.filter((line) => line.startsWith('data: '));
const transcript = (page: string) => transcriptLines(page).map((line) => JSON.parse(line.slice(6)));

/** Fields the API itself fills in; the rest of `response` is Discord's message, which the captures show in more or less detail. */
const API_FIELDS = [
	'content',
	'progress_percent',
	'attachments',
	'buttons',
	'imageUx',
	'videoUx',
	'settings',
	'executeOnce',
	'children',
	'seed',
	'replyRef',
];

/** One line of a stream, without ids and times: event, status, which fields are present, the values that tell steps apart. */
function shape(event: any): Record<string, unknown> {
	if (event.event === 'initialized' || !event.job)
		return { event: event.event, keys: Object.keys(event).sort() };
	const job = event.job;
	const response = job.response;
	return {
		event: event.event,
		status: job.status,
		jobKeys: Object.keys(job).sort(),
		verb: job.verb,
		jobType: job.jobType,
		requestKeys: Object.keys(job.request ?? {}).sort(),
		responseFields: API_FIELDS.filter((field) => response && field in response),
		progress: response?.progress_percent,
		attachments: response?.attachments?.length,
		buttons: response?.buttons,
		imageUx: response?.imageUx?.length,
		settings: response?.settings && Object.keys(response.settings).sort(),
		waiting:
			typeof response?.content === 'string' && response.content.endsWith('(Waiting to start)'),
		emptyContent: response?.content === '',
	};
}

describe('streams match the transcripts on the docs pages, line for line', () => {
	const REPLY = { replyUrl: 'http://127.0.0.1:9/hook', replyRef: '2025-10-24T18:11:24.573Z' };
	const form = (fields: Record<string, string | Blob>) => {
		const data = new FormData();
		for (const [name, value] of Object.entries(fields)) data.append(name, value);
		return data;
	};
	const expectTranscript = async (page: string, result: SseResult) => {
		expect(result.endedBy).toBe('end');
		expect(result.events.map(shape)).toEqual(transcript(page).map(shape));
	};

	(existsSync(DOCS_DIR) ? it : it.skip)(
		"the copies in ./transcripts are the pages' data lines, verbatim",
		() => {
			for (const page of [
				'imagine',
				'button',
				'describe',
				'blend',
				'seed',
				'settings',
				'info',
				'fast',
				'relax',
				'turbo',
				'remix',
				'variability',
			]) {
				const name = `post-midjourney-jobs-${page}`;
				const lines = readFileSync(join(DOCS_DIR, `${name}.md`), 'utf8')
					.split('\n')
					.filter((line) => line.startsWith('data: '));
				expect(transcriptLines(name)).toEqual(lines);
			}
		},
	);

	it('imagine: initialized, created, progress 0, 15, 38, 96, completed (no started)', async () => {
		const result = await sse(
			`${V3}/jobs/imagine`,
			{ ...REPLY, prompt: 'cat in the hat' },
			{ streamDefault: true },
		);
		await expectTranscript('post-midjourney-jobs-imagine', result);
		expect(result.events.map((event) => event.event)).not.toContain('midjourney_started');
	});

	it('button U2: created, "Upscaling image #2 … (Waiting to start)", completed without imageUx', async () => {
		const parent = await completed('imagine', { prompt: 'cat in the hat' });
		const result = await sse(
			`${V3}/jobs/button`,
			{ ...REPLY, button: 'U2', jobId: parent.jobid },
			{ streamDefault: true },
		);
		await expectTranscript('post-midjourney-jobs-button', result);
		expect(result.events[2].job.response.content).toBe(
			'Upscaling image #2 with **cat in the hat --v 7.0 --s 250** - <@9876543210123456789> (Waiting to start)',
		);
	});

	it('describe (imageBlob): created, empty progress, completed', async () => {
		const result = await sse(
			`${V3}/jobs/describe`,
			{},
			{ form: form({ ...REPLY, imageBlob: pngBlob() }) },
		);
		await expectTranscript('post-midjourney-jobs-describe', result);
	});

	it('blend (two blobs, Portrait): created, waiting, 35 … 87 %, completed', async () => {
		const result = await sse(
			`${V3}/jobs/blend`,
			{},
			{
				form: form({
					...REPLY,
					imageBlob_1: pngBlob(),
					imageBlob_2: pngBlob(),
					blendDimensions: 'Portrait',
				}),
			},
		);
		await expectTranscript('post-midjourney-jobs-blend', result);
	});

	it('seed: initialized, then completed with the seed in content only', async () => {
		const parent = await completed('imagine', { prompt: 'cat in the hat' });
		const result = await sse(
			`${V3}/jobs/seed`,
			{ ...REPLY, jobId: parent.jobid },
			{ streamDefault: true },
		);
		await expectTranscript('post-midjourney-jobs-seed', result);
		expect(result.events[1].job.response.content).toMatch(/\n\*\*seed\*\* \d+$/);
	});

	it.each(['settings', 'info', 'fast', 'relax', 'turbo', 'remix', 'variability'])(
		'%s: created, empty progress, completed with settings',
		async (verb) => {
			const result = await sse(`${V3}/jobs/${verb}`, { ...REPLY }, { streamDefault: true });
			await expectTranscript(`post-midjourney-jobs-${verb}`, result);
		},
	);
});

// ---- auth -------------------------------------------------------------------------------------

describe('authorization', () => {
	it('answers 401 without or with a wrong token, 402 for no-subscription', async () => {
		expect(await call('GET', `${V3}/jobs`, undefined, { token: null })).toMatchObject({
			status: 401,
			json: { error: 'Unauthorized' },
		});
		expect(
			await call('POST', `${V3}/jobs/imagine`, { prompt: 'x' }, { token: 'wrong' }),
		).toMatchObject({ status: 401, json: { error: 'Unauthorized' } });
		expect(
			await call('POST', `${V3}/jobs/imagine`, { prompt: 'x' }, { token: 'no-subscription' }),
		).toMatchObject({
			status: 402,
			json: { error: 'Account has no subscription or subscription expired' },
		});
		expect(emu.submissions()).toBe(0);
	});

	it('uses the { error, code } shape on v2 and on the CDN proxy', async () => {
		expect((await call('GET', '/v2/jobs/?jobid=x', undefined, { token: 'wrong' })).json).toEqual({
			error: 'Unauthorized',
			code: 401,
		});
		expect(
			(
				await call(
					'GET',
					'/v1/proxy/cdn-midjourney/?cdnUrl=https://cdn.midjourney.com/a/0_0.png',
					undefined,
					{ token: null },
				)
			).json,
		).toEqual({
			error: 'Unauthorized',
			code: 401,
		});
	});

	it('records every request before answering, including refused ones', async () => {
		await call('POST', `${V3}/jobs/imagine`, { prompt: 'recorded' }, { token: 'wrong' });
		expect(emu.requests).toHaveLength(1);
		expect(emu.requests[0]).toMatchObject({
			method: 'POST',
			path: `${V3}/jobs/imagine`,
			body: { prompt: 'recorded' },
			contentType: 'application/json',
			headers: { authorization: 'Bearer wrong' },
		});
	});
});

// ---- imagine: SSE and polling ------------------------------------------------------------------

describe('imagine', () => {
	it('streams initialized, created, progress… and completed, then ends the response', async () => {
		const result = await sse(`${V3}/jobs/imagine`, { prompt: 'a cat in a hat' });
		expect(result.status).toBe(200);
		expect(result.contentType).toMatch(/^text\/event-stream/);
		expect(result.endedBy).toBe('end');
		const names = result.events.map((event) => event.event);
		expect(names[0]).toBe('initialized');
		expect(names.slice(1, 3)).toEqual(['midjourney_created', 'midjourney_progress']);
		expect(names).not.toContain('midjourney_started');
		expect(names[names.length - 1]).toBe('midjourney_completed');

		const [initialized] = result.events;
		expect(initialized).toMatchObject({
			event: 'initialized',
			message: 'Stream initialized',
			seq: 0,
		});
		expect(initialized.jobId).toMatch(/^j\d{19}i-u12345-c1100000000000000001-bot:midjourney$/);
		expect(initialized.ts).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3}$/);
		const seqs = result.events.map((event) => event.seq);
		expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
		expect(new Set(seqs).size).toBe(seqs.length);

		const progress = result.events
			.filter((event) => event.event === 'midjourney_progress')
			.map((event) => event.job.response.progress_percent);
		expect(progress.every((value: number) => value >= 0 && value < 100)).toBe(true);

		const job: Job = result.events[result.events.length - 1].job;
		expect(job).toMatchObject({
			jobid: initialized.jobId,
			verb: 'imagine',
			jobType: 'image',
			status: 'completed',
			code: 200,
			request: { prompt: 'a cat in a hat', stream: true },
		});
		const response = job.response!;
		expect(response.buttons).toEqual(['U1', 'U2', 'U3', 'U4', '🔄', 'V1', 'V2', 'V3', 'V4']);
		expect(response.imageUx).toHaveLength(4);
		for (const [i, ux] of (response.imageUx ?? []).entries()) {
			expect(ux.id).toBe(i + 1);
			expect(ux.url).toMatch(
				new RegExp(`^https://cdn\\.midjourney\\.com/[0-9a-f-]{36}/0_${i}\\.png$`),
			);
		}
		expect(response.attachments?.[0]).toMatchObject({
			width: 2048,
			height: 2048,
			content_type: 'image/png',
		});
		expect(response.progress_percent).toBeUndefined();
		expect(response.content).toBe(
			'**a cat in a hat --v 7.0 --s 250** - <@9876543210123456789> (fast)',
		);
		const labels = (response.components as any[]).flatMap((row) =>
			row.components.map((button: any) => button.label ?? button.emoji?.name),
		);
		expect(labels).toEqual(expect.arrayContaining(['U1', 'V4', '🔄']));
		expect(response.executeOnce).toBeUndefined();
		expect(response.children).toBeUndefined();
	});

	it('sends no keep-alive comments unless keepAliveMs asks for them', async () => {
		const plain = await sse(`${V3}/jobs/imagine`, { prompt: 'slow --emu-ms=400' });
		expect(plain.comments).toBe(0);
		expect(
			plain.raw
				.split('\n\n')
				.filter(Boolean)
				.every((block) => block.startsWith('data: ')),
		).toBe(true);
		const chatty = await startEmulator({ jobDurationMs: 400, keepAliveMs: 50 });
		try {
			const result = await sse(`${V3}/jobs/imagine`, { prompt: 'slow' }, { base: chatty });
			expect(result.comments).toBeGreaterThanOrEqual(3);
			expect(result.raw).toContain(': keep-alive\n\n');
		} finally {
			await chatty.close();
		}
	});

	it('answers stream:false with 201 and the created job, then completes for polling', async () => {
		const { status, json, headers } = await call<Job>('POST', `${V3}/jobs/imagine`, {
			prompt: 'poll me',
			stream: false,
			replyRef: 'ref-1',
		});
		expect(status).toBe(201);
		expect(headers.get('content-type')).toMatch(/application\/json/);
		expect(json).toMatchObject({
			verb: 'imagine',
			jobType: 'image',
			status: 'created',
			request: { prompt: 'poll me', stream: false, replyRef: 'ref-1' },
		});
		expect(json.response).toBeUndefined();
		const seen = new Set<string>();
		const done = await waitForJob(json.jobid, (job) => {
			seen.add(job.status);
			return isFinal(job);
		});
		expect(done.status).toBe('completed');
		expect(done.updated).toBeDefined();
		// The transcripts show replyRef in `request` only (the parameter text's `response.replyRef` is not in any of them).
		expect(done.request?.replyRef).toBe('ref-1');
		expect(done.response?.replyRef).toBeUndefined();
		expect(seen.has('progress') || seen.has('started')).toBe(true);
		expect(emu.submissions()).toBe(1);
		expect(emu.jobsCreated()).toBe(1);
		expect(emu.getJob(json.jobid)?.status).toBe('completed');
	});

	it('accepts multipart/form-data like JSON', async () => {
		const form = new FormData();
		form.set('prompt', 'multipart cat');
		form.set('stream', 'false');
		const { status, json } = await call<Job>('POST', `${V3}/jobs/imagine`, undefined, { form });
		expect(status).toBe(201);
		expect(json.request).toMatchObject({ prompt: 'multipart cat', stream: false });
		expect(emu.requests[0]).toMatchObject({
			contentType: 'multipart/form-data',
			body: { fields: { prompt: 'multipart cat', stream: 'false' }, files: {} },
		});
	});

	it('validates prompt, replyUrl, replyRef and replyLevel', async () => {
		const post = (body: Record<string, unknown>) =>
			call('POST', `${V3}/jobs/imagine`, { stream: false, ...body });
		expect(await post({})).toMatchObject({
			status: 400,
			json: { error: 'Parameter prompt is required' },
		});
		expect((await post({ prompt: 'x'.repeat(5001) })).status).toBe(400);
		expect((await post({ prompt: 'x'.repeat(5000) })).status).toBe(201);
		expect((await post({ prompt: 'x', replyUrl: `http://h/${'a'.repeat(1020)}` })).status).toBe(
			400,
		);
		expect((await post({ prompt: 'x', replyRef: 'r'.repeat(1025) })).status).toBe(400);
		expect((await post({ prompt: 'x', replyLevel: 'loud' })).status).toBe(400);
		const bad = await fetch(`${emu.url}${V3}/jobs/imagine`, {
			method: 'POST',
			headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
			body: '{not json',
		});
		expect(bad.status).toBe(400);
		expect(emu.submissions()).toBe(1);
	});

	it('makes --video prompts video jobs with videoUx', async () => {
		const job = await completed('imagine', { prompt: 'waves --video --motion low' });
		expect(job.jobid).toMatch(/v-u12345-/);
		expect(job).toMatchObject({ jobType: 'video', status: 'completed' });
		expect(job.response?.videoUx).toHaveLength(4);
		expect(job.response?.videoUx?.[0].url).toMatch(
			/^https:\/\/cdn\.midjourney\.com\/video\/[0-9a-f-]+\/0\.mp4$/,
		);
		expect(job.response?.buttons).toEqual(['U1', 'U2', 'U3', 'U4', '🔄']);
	});
});

// ---- jobs: get, list, delete ------------------------------------------------------------------

describe('jobs/{jobid}, jobs, DELETE', () => {
	it('answers 404 for an unknown job and 410 for an expired one', async () => {
		expect(
			await call('GET', jobPath('j0101010101010101010i-u12345-c1-bot:midjourney')),
		).toMatchObject({ status: 404, json: { error: 'Job not found' } });
		const expired = 'j0101010101010101010i-expired-u1-c1-bot:midjourney';
		expect(await call('GET', jobPath(expired))).toMatchObject({
			status: 410,
			json: { error: `Job ${expired} has expired` },
		});
		expect((await call('DELETE', jobPath(expired))).status).toBe(410);
	});

	it('lists running jobs per channel in the documented shape', async () => {
		const a = await create('imagine', { prompt: 'a --emu-ms=2000' });
		await create('imagine', { prompt: 'b --video --emu-ms=2000' });
		await create('settings', {});
		const { status, json } = await call('GET', `${V3}/jobs`);
		expect(status).toBe(200);
		expect(json).toMatchObject({ total: 2, images: 1, videos: 1 });
		const channel = json.channels[CHANNEL];
		expect(channel).toMatchObject({
			total: 2,
			images: 1,
			videos: 1,
			maxJobs: 3,
			maxImageJobs: 3,
			maxVideoJobs: 3,
		});
		expect(channel.jobs[0]).toMatchObject({
			jobId: a.jobid,
			channel: CHANNEL,
			jobType: 'image',
			created: a.created,
		});
		expect(channel.jobs[0].elapsed).toMatch(/^\d{2}:\d{2}$/);
	});

	it('cancels a running job with 204, frees its slot, refuses finished jobs', async () => {
		const jobs = [];
		for (let i = 0; i < 3; i++)
			jobs.push(await create('imagine', { prompt: `slot ${i} --emu-ms=5000` }));
		expect(
			(await call('POST', `${V3}/jobs/imagine`, { prompt: 'full', stream: false })).status,
		).toBe(429);
		const cancelled = await call('DELETE', jobPath(jobs[0].jobid));
		expect(cancelled.status).toBe(204);
		expect(cancelled.text).toBe('');
		expect(emu.getJob(jobs[0].jobid)).toMatchObject({
			status: 'failed',
			error: 'Job cancelled by user',
		});
		expect((await call('GET', `${V3}/jobs`)).json.total).toBe(2);
		expect(
			(await call('POST', `${V3}/jobs/imagine`, { prompt: 'fits now', stream: false })).status,
		).toBe(201);
		const again = await call('DELETE', jobPath(jobs[0].jobid));
		expect(again.status).toBe(400);
		expect(again.json.error).toMatch(/only running jobs/);
		expect(
			(await call('DELETE', jobPath('j0000000000000000000i-u12345-c1-bot:midjourney'))).status,
		).toBe(404);
	});

	it('sends midjourney_failed and ends the stream of a cancelled job', async () => {
		const streaming = sse(`${V3}/jobs/imagine`, { prompt: 'cancel me --emu-ms=3000' });
		await sleep(100);
		const running = emu.listJobs().find((job) => !isFinal(job))!;
		expect((await call('DELETE', jobPath(running.jobid))).status).toBe(204);
		const result = await streaming;
		expect(result.endedBy).toBe('end');
		expect(result.events[result.events.length - 1]).toMatchObject({
			event: 'midjourney_failed',
			job: { status: 'failed', error: 'Job cancelled by user' },
		});
	});
});

// ---- capacity ---------------------------------------------------------------------------------

describe('capacity', () => {
	it('answers 429 with the documented message when the channel is full', async () => {
		for (let i = 0; i < 3; i++) await create('imagine', { prompt: `busy ${i} --emu-ms=2000` });
		const refused = await call('POST', `${V3}/jobs/imagine`, {
			prompt: 'one more',
			stream: false,
			channel: CHANNEL,
		});
		expect(refused).toMatchObject({
			status: 429,
			json: { error: `Channel ${CHANNEL} is busy executing 3 image jobs` },
		});
		const unnamed = await call('POST', `${V3}/jobs/imagine`, { prompt: 'one more', stream: false });
		expect(unnamed.status).toBe(429);
		// describe and the settings commands carry no jobType: not capacity-tracked.
		expect((await call('POST', `${V3}/jobs/settings`, { stream: false })).status).toBe(201);
		expect(emu.submissions()).toBe(4);
	});

	it('answers 400 for a channel that is not configured', async () => {
		const { status, json } = await call('POST', `${V3}/jobs/imagine`, {
			prompt: 'x',
			stream: false,
			channel: '999',
		});
		expect(status).toBe(400);
		expect(json.error).toBe('Channel 999 is not configured, see GET /accounts');
	});

	it('keeps image and video limits apart and picks a channel with room', async () => {
		const two = await startEmulator({
			jobDurationMs: 200,
			accounts: [
				{ channel: '1000000000000000001', maxJobs: 2, maxImageJobs: 1, maxVideoJobs: 1 },
				{ channel: '1000000000000000002', maxJobs: 1, maxImageJobs: 1, maxVideoJobs: 1 },
			],
		});
		try {
			const first = await create('imagine', { prompt: 'one --emu-ms=2000' }, two);
			const second = await create('imagine', { prompt: 'two --emu-ms=2000' }, two);
			expect(new Set([first.jobid.split('-c')[1], second.jobid.split('-c')[1]]).size).toBe(2);
			const video = await create(
				'imagine',
				{ prompt: 'clip --video --emu-ms=2000', channel: '1000000000000000001' },
				two,
			);
			expect(video.jobType).toBe('video');
			const third = await call(
				'POST',
				`${V3}/jobs/imagine`,
				{ prompt: 'three', stream: false },
				{ base: two },
			);
			expect(third.status).toBe(429);
			const videoFull = await call(
				'POST',
				`${V3}/jobs/imagine`,
				{ prompt: 'clip --video', stream: false, channel: '1000000000000000001' },
				{ base: two },
			);
			expect(videoFull.json.error).toBe(
				'Channel 1000000000000000001 is busy executing 1 video jobs',
			);
			// settings-type commands need `channel` when several channels are configured.
			expect(await call('POST', `${V3}/jobs/info`, { stream: false }, { base: two })).toMatchObject(
				{
					status: 400,
					json: {
						error: 'channel parameter is required when multiple channels (2) are configured',
					},
				},
			);
			expect(
				(
					await call(
						'POST',
						`${V3}/jobs/info`,
						{ stream: false, channel: '1000000000000000002' },
						{ base: two },
					)
				).status,
			).toBe(201);
		} finally {
			await two.close();
		}
	});
});

// ---- 596 ----------------------------------------------------------------------------------------

describe('596 and accounts/reset', () => {
	it('--emu-596 answers 596, puts the channel in error until POST accounts/reset/{channel}', async () => {
		const first = await call('POST', `${V3}/jobs/imagine`, {
			prompt: 'captcha --emu-596',
			stream: false,
			channel: CHANNEL,
		});
		expect(first.status).toBe(596);
		expect(first.json.error).toContain(CHANNEL);
		expect(emu.jobsCreated()).toBe(0);
		expect((await call('GET', `${V3}/accounts/${CHANNEL}`)).json.error).toBe('Pending mod message');
		const named = await call('POST', `${V3}/jobs/button`, { jobId: 'x', button: 'U1' });
		expect(named.status).toBe(404);
		const again = await call('POST', `${V3}/jobs/imagine`, { prompt: 'plain', stream: false });
		expect(again).toMatchObject({
			status: 596,
			json: {
				error:
					'All configured Midjourney channels (1) have errors (pending moderation, CAPTCHA, etc.). Please resolve channel issues before making new requests.',
			},
		});
		expect((await call('POST', `${V3}/jobs/settings`, { stream: false })).status).toBe(596);
		expect((await call('POST', `${V3}/accounts/reset/${CHANNEL}`)).status).toBe(204);
		expect((await call('GET', `${V3}/accounts/${CHANNEL}`)).json.error).toBeUndefined();
		expect(
			(await call('POST', `${V3}/jobs/imagine`, { prompt: 'plain', stream: false })).status,
		).toBe(201);
		expect((await call('POST', `${V3}/accounts/reset/123`)).status).toBe(404);
	});

	it('faults.status596Next and setChannelError do the same', async () => {
		emu.faults.status596Next = 1;
		expect((await call('POST', `${V3}/jobs/describe`, { stream: false })).status).toBe(400);
		expect(emu.faults.status596Next).toBe(1);
		expect(
			(
				await call('POST', `${V3}/jobs/describe`, {
					imageUrl: 'https://example.com/a.png',
					stream: false,
				})
			).status,
		).toBe(596);
		expect(emu.faults.status596Next).toBe(0);
		emu.setChannelError(CHANNEL, null);
		expect((await call('POST', `${V3}/jobs/imagine`, { prompt: 'ok', stream: false })).status).toBe(
			201,
		);
		emu.setChannelError(CHANNEL, 'CAPTCHA detected');
		expect((await call('GET', `${V3}/accounts`)).json[CHANNEL].error).toBe('CAPTCHA detected');
		expect((await call('POST', `${V3}/jobs/imagine`, { prompt: 'no', stream: false })).status).toBe(
			596,
		);
	});
});

// ---- button / execute-once -------------------------------------------------------------------

describe('button', () => {
	it('runs U1 once: the second U1 answers 200 with the same child, also when a stream is asked for', async () => {
		const parent = await completed('imagine', { prompt: 'parent' });
		const first = await call<Job>('POST', `${V3}/jobs/button`, {
			jobId: parent.jobid,
			button: 'U1',
			stream: false,
		});
		expect(first.status).toBe(201);
		expect(first.json).toMatchObject({
			verb: 'button',
			jobType: 'image',
			status: 'created',
			request: { button: 'U1', jobId: parent.jobid, stream: false },
		});
		const second = await call<Job>('POST', `${V3}/jobs/button`, {
			jobId: parent.jobid,
			button: 'U1',
			stream: false,
		});
		expect(second.status).toBe(200);
		expect(second.json.jobid).toBe(first.json.jobid);
		const streamed = await call<Job>('POST', `${V3}/jobs/button`, {
			jobId: parent.jobid,
			button: 'U1',
		});
		expect(streamed.status).toBe(200);
		expect(streamed.headers.get('content-type')).toMatch(/application\/json/);
		expect(streamed.json.jobid).toBe(first.json.jobid);
		expect(emu.submissions()).toBe(4);
		expect(emu.jobsCreated()).toBe(2);
		const after = (await call<Job>('GET', jobPath(parent.jobid))).json;
		expect(after.response?.executeOnce).toEqual({ U1: first.json.jobid });
		expect(after.response?.children).toEqual({ [first.json.jobid]: 'U1' });
		// V buttons are not execute-once.
		const v1 = await call('POST', `${V3}/jobs/button`, {
			jobId: parent.jobid,
			button: 'V1',
			stream: false,
		});
		const v1again = await call('POST', `${V3}/jobs/button`, {
			jobId: parent.jobid,
			button: 'V1',
			stream: false,
		});
		expect([v1.status, v1again.status]).toEqual([201, 201]);
		expect(v1.json.jobid).not.toBe(v1again.json.jobid);
	});

	it('gives upscales the documented buttons, then animates into video jobs', async () => {
		const parent = await completed('imagine', { prompt: 'chain' });
		const u2 = await waitForJob(
			(
				await call<Job>('POST', `${V3}/jobs/button`, {
					jobId: parent.jobid,
					button: 'U2',
					stream: false,
				})
			).json.jobid,
		);
		expect(u2.response?.buttons).toEqual([
			'Upscale (Subtle)',
			'Upscale (Creative)',
			'Vary (Subtle)',
			'Vary (Strong)',
			'Vary (Region)',
			'Zoom Out 2x',
			'Zoom Out 1.5x',
			'Custom Zoom',
			'⬅️',
			'➡️',
			'⬆️',
			'⬇️',
			'Animate (High motion)',
			'Animate (Low motion)',
		]);
		expect(u2.response?.content).toBe(
			'**chain --v 7.0 --s 250** - Image #2 <@9876543210123456789>',
		);
		expect(u2.response?.imageUx).toBeUndefined();
		expect(u2.response?.attachments).toHaveLength(1);
		const zoom = await completed('button', { jobId: u2.jobid, button: 'Zoom Out 2x' });
		expect(zoom.response?.buttons).toContain('V1');
		const animated = await completed('button', {
			jobId: u2.jobid,
			button: 'Animate (High motion)',
		});
		expect(animated).toMatchObject({ jobType: 'video', status: 'completed' });
		expect(animated.response?.videoUx).toHaveLength(4);
		const single = await completed('button', { jobId: animated.jobid, button: 'U3' });
		expect(single.jobType).toBe('video');
		expect(single.response?.buttons).toEqual(['Extend (High motion)', 'Extend (Low motion)']);
		const extended = await completed('button', {
			jobId: single.jobid,
			button: 'Extend (Low motion)',
		});
		expect(extended.jobType).toBe('video');
	});

	it('validates the parent, the button, mask and prompt', async () => {
		const post = (body: Record<string, unknown>) =>
			call('POST', `${V3}/jobs/button`, { stream: false, ...body });
		expect(await post({ button: 'U1' })).toMatchObject({
			status: 400,
			json: { error: 'jobId is required' },
		});
		expect(
			await post({ jobId: 'j0000000000000000000i-u12345-c1-bot:midjourney', button: 'U1' }),
		).toMatchObject({ status: 404, json: { error: 'Parent job not found' } });
		expect(await post({ jobId: 'j1-expired-x', button: 'U1' })).toMatchObject({
			status: 410,
			json: { error: 'Parent job has expired' },
		});
		const running = await create('imagine', { prompt: 'running --emu-ms=2000' });
		const notDone = await post({ jobId: running.jobid, button: 'U1' });
		expect(notDone.status).toBe(400);
		expect(notDone.json.error).toMatch(/must be "completed"/);
		const parent = await completed('imagine', { prompt: 'grid' });
		const missing = await post({ jobId: parent.jobid, button: 'Vary (Region)' });
		expect(missing.status).toBe(400);
		expect(missing.json.error).toMatch(/not available/);
		const u1 = await completed('button', { jobId: parent.jobid, button: 'U1' });
		expect((await post({ jobId: u1.jobid, button: 'Vary (Region)' })).json.error).toBe(
			'Parameter mask is required for button Vary (Region)',
		);
		expect(
			(await post({ jobId: u1.jobid, button: 'Vary (Region)', mask: 'iVBORw0KGgo=' })).status,
		).toBe(201);
		expect((await post({ jobId: u1.jobid, button: 'Custom Zoom' })).json.error).toBe(
			'Parameter prompt is required for button Custom Zoom',
		);
		const custom = await post({
			jobId: u1.jobid,
			button: 'Custom Zoom',
			prompt: 'grid --zoom 1.8',
		});
		expect(custom.status).toBe(201);
		expect((await waitForJob(custom.json.jobid)).response?.content).toContain('grid --zoom 1.8');
	});

	it('uses the button prompt for remix-capable buttons only when Remix mode is on', async () => {
		const parent = await completed('imagine', { prompt: 'original' });
		const plain = await completed('button', {
			jobId: parent.jobid,
			button: 'V1',
			prompt: 'changed',
		});
		expect(plain.response?.content).toContain('**original');
		await completed('remix', {});
		const remixed = await completed('button', {
			jobId: parent.jobid,
			button: 'V2',
			prompt: 'changed',
		});
		expect(remixed.response?.content).toContain('**changed');
	});
});

// ---- describe / blend / seed ------------------------------------------------------------------

describe('describe', () => {
	it('takes a multipart imageBlob and completes with four prompts', async () => {
		const form = new FormData();
		form.set('imageBlob', pngBlob(), 'photo.png');
		form.set('stream', 'false');
		const { status, json } = await call<Job>('POST', `${V3}/jobs/describe`, undefined, { form });
		expect(status).toBe(201);
		expect(json).toMatchObject({
			verb: 'describe',
			status: 'created',
			request: { describeUrl: 'blob', stream: false },
		});
		expect(json.jobType).toBeUndefined();
		expect(json.jobid).toMatch(/^j\d{19}-u12345-/);
		expect(emu.requests[0].body).toEqual({
			fields: { stream: 'false' },
			files: { imageBlob: { filename: 'photo.png', contentType: 'image/png', size: 200 } },
		});
		const done = await waitForJob(json.jobid);
		const description = String(done.response?.embeds?.[0].description);
		expect(description.split('\n\n')).toHaveLength(4);
		for (const keycap of ['1️⃣', '2️⃣', '3️⃣', '4️⃣']) expect(description).toContain(keycap);
		expect(done.response?.content).toBe(description);
	});

	it('takes imageUrl and validates the inputs', async () => {
		const byUrl = await create('describe', { imageUrl: 'https://example.com/image.jpg' });
		expect(byUrl.request).toMatchObject({ describeUrl: 'https://example.com/image.jpg' });
		expect(await call('POST', `${V3}/jobs/describe`, { stream: false })).toMatchObject({
			status: 400,
			json: { error: 'Either imageUrl or imageBlob is required' },
		});
		const wrongType = new FormData();
		wrongType.set('imageBlob', new Blob(['hello'], { type: 'text/plain' }), 'a.txt');
		expect((await call('POST', `${V3}/jobs/describe`, undefined, { form: wrongType })).status).toBe(
			400,
		);
		const tooBig = new FormData();
		tooBig.set('imageBlob', pngBlob(10 * 1024 * 1024 + 1), 'big.png');
		const big = await call('POST', `${V3}/jobs/describe`, undefined, { form: tooBig });
		expect(big.status).toBe(400);
		expect(big.json.error).toMatch(/10 MB/);
		const both = new FormData();
		both.set('imageBlob', pngBlob(), 'a.png');
		both.set('imageUrl', 'https://example.com/a.png');
		expect((await call('POST', `${V3}/jobs/describe`, undefined, { form: both })).status).toBe(400);
	});
});

describe('blend', () => {
	it('validates 2–5 images, one source per slot and blendDimensions', async () => {
		const post = (body: Record<string, unknown>) =>
			call('POST', `${V3}/jobs/blend`, { stream: false, ...body });
		expect(await post({ imageUrl_1: 'https://e.com/1.png' })).toMatchObject({
			status: 400,
			json: { error: 'At least 2 images are required for blend' },
		});
		expect(
			(
				await post({
					imageUrl_1: 'https://e.com/1.png',
					imageUrl_2: 'https://e.com/2.png',
					imageUrl_6: 'https://e.com/6.png',
				})
			).status,
		).toBe(400);
		// Slots 1 and 2 are the required ones (blend page); 3–5 are optional.
		expect(
			await post({ imageUrl_2: 'https://e.com/2.png', imageUrl_3: 'https://e.com/3.png' }),
		).toMatchObject({ status: 400, json: { error: 'imageUrl_1 or imageBlob_1 is required' } });
		expect(
			await post({ imageUrl_1: 'https://e.com/1.png', imageUrl_5: 'https://e.com/5.png' }),
		).toMatchObject({ status: 400, json: { error: 'imageUrl_2 or imageBlob_2 is required' } });
		expect(
			(
				await post({
					imageUrl_1: 'https://e.com/1.png',
					imageBlob_2: 'x',
					imageUrl_3: 'https://e.com/3.png',
				})
			).status,
		).toBe(400);
		expect(
			(
				await post({
					imageUrl_1: 'https://e.com/1.png',
					imageUrl_2: 'https://e.com/2.png',
					imageUrl_4: 'https://e.com/4.png',
				})
			).status,
		).toBe(201);
		expect(
			(
				await post({
					imageUrl_1: 'https://e.com/1.png',
					imageUrl_2: 'https://e.com/2.png',
					blendDimensions: 'Round',
				})
			).json.error,
		).toBe('Parameter blendDimensions must be one of: Portrait, Square, Landscape');
		const both = new FormData();
		both.set('imageUrl_1', 'https://e.com/1.png');
		both.set('imageBlob_1', pngBlob(), '1.png');
		both.set('imageUrl_2', 'https://e.com/2.png');
		expect((await call('POST', `${V3}/jobs/blend`, undefined, { form: both })).json.error).toBe(
			'Cannot specify both imageUrl_1 and imageBlob_1',
		);
	});

	it('mixes URLs and blobs and completes as an image grid', async () => {
		const form = new FormData();
		form.set('imageUrl_1', 'https://e.com/1.png');
		form.set('imageBlob_2', pngBlob(), '2.png');
		form.set('blendDimensions', 'Portrait');
		form.set('stream', 'false');
		const { status, json } = await call<Job>('POST', `${V3}/jobs/blend`, undefined, { form });
		expect(status).toBe(201);
		expect(json).toMatchObject({
			verb: 'blend',
			jobType: 'image',
			request: { blendUrls: ['https://e.com/1.png', 'blob_1'], blendDimensions: 'Portrait' },
		});
		const done = await waitForJob(json.jobid);
		expect(done.response?.content).toMatch(/^\*\* --ar 2:3 --v 7\.0 --s 250\*\*/);
		expect(done.response?.imageUx).toHaveLength(4);
	});
});

describe('seed', () => {
	it('returns the seed of an image job, once', async () => {
		const parent = await completed('imagine', { prompt: 'seeded cat' });
		const first = await call<Job>('POST', `${V3}/jobs/seed`, {
			jobId: parent.jobid,
			stream: false,
		});
		expect(first.status).toBe(201);
		expect(first.json).toMatchObject({
			verb: 'seed',
			status: 'created',
			request: { jobId: parent.jobid },
		});
		expect(first.json.jobType).toBeUndefined();
		const done = await waitForJob(first.json.jobid);
		expect(done.response?.seed).toBeUndefined();
		expect(done.response?.content).toMatch(
			/^\*\*seeded cat --v 7\.0 --s 250\*\*\n\*\*Job ID\*\*: [0-9a-f-]+\n\*\*seed\*\* \d+$/,
		);
		expect(done.response?.attachments).toHaveLength(4);
		const second = await call<Job>('POST', `${V3}/jobs/seed`, {
			jobId: parent.jobid,
			stream: false,
		});
		expect(second.status).toBe(200);
		expect(second.json.jobid).toBe(first.json.jobid);
		expect((await call<Job>('GET', jobPath(parent.jobid))).json.response?.executeOnce).toEqual({
			seed: first.json.jobid,
		});
	});

	it('streams only completed after initialized, and refuses running, video and unknown parents', async () => {
		const parent = await completed('imagine', { prompt: 'seed stream' });
		const result = await sse(`${V3}/jobs/seed`, { jobId: parent.jobid });
		expect(result.events.map((event) => event.event)).toEqual([
			'initialized',
			'midjourney_completed',
		]);
		const running = await create('imagine', { prompt: 'still running --emu-ms=2000' });
		expect(
			await call('POST', `${V3}/jobs/seed`, { jobId: running.jobid, stream: false }),
		).toMatchObject({
			status: 400,
			json: {
				error: expect.stringMatching(
					/^Parent job status is "(created|started|progress)", must be "completed" to get seed$/,
				),
			},
		});
		const video = await completed('imagine', { prompt: 'clip --video' });
		expect(
			(await call('POST', `${V3}/jobs/seed`, { jobId: video.jobid, stream: false })).status,
		).toBe(400);
		expect(
			(await call('POST', `${V3}/jobs/seed`, { jobId: 'j0-u1-c1-bot:midjourney', stream: false }))
				.status,
		).toBe(404);
		expect((await call('POST', `${V3}/jobs/seed`, { stream: false })).json.error).toBe(
			'jobId is required',
		);
	});
});

// ---- settings commands ------------------------------------------------------------------------

describe('settings, info, fast, relax, turbo, remix, variability', () => {
	it('keeps per-channel settings: toggles toggle, speed modes switch', async () => {
		const settings = await completed('settings', {});
		expect(settings.jobid).toMatch(/^j\d{19}-u12345-/);
		expect(settings.response?.settings).toEqual({
			version: '7',
			stylize: 250,
			raw: false,
			personalization: false,
			public: true,
			remix: false,
			variability: false,
			relax: false,
			fast: true,
			turbo: false,
			suffix: '--v 7 --s 250',
		});
		expect(settings.response?.content).toBe(
			'Adjust your settings here. Current suffix: ` --v 7 --s 250`',
		);

		const remixOn = await completed('remix', {});
		expect(remixOn.response?.settings).toEqual({ remix: true });
		expect(remixOn.response?.content).toMatch(/^Remix mode turned on!/);
		expect((await completed('remix', {})).response?.settings).toEqual({ remix: false });
		const variability = await completed('variability', {});
		expect(variability.response?.settings).toEqual({ variability: true });
		expect(variability.response?.content).toMatch(/^Strong variability mode turned on!/);

		expect((await completed('relax', {})).response?.settings).toEqual({
			relax: true,
			fast: false,
			turbo: false,
		});
		const relaxed = await completed('imagine', { prompt: 'slowly' });
		expect(relaxed.response?.content).toMatch(/\(relaxed\)$/);
		expect((await completed('turbo', {})).response?.settings).toEqual({
			relax: false,
			fast: false,
			turbo: true,
		});
		const info = await completed('info', {});
		expect(info.response?.settings).toEqual({ relax: false, fast: false, turbo: true });
		expect(info.response?.content).toContain('**Job Mode**: Turbo');
		expect(info.response?.embeds?.[0].title).toMatch(/^Your info - /);
		const fast = await completed('fast', {});
		expect(fast.response?.settings).toEqual({ relax: false, fast: true, turbo: false });
		expect(fast.response?.content).toMatch(/^Done! Note that once you exhaust your fast hours/);
		expect((await completed('settings', {})).response?.settings).toMatchObject({
			remix: false,
			variability: true,
			fast: true,
		});

		emu.reset();
		expect((await completed('settings', {})).response?.settings).toMatchObject({
			variability: false,
		});
	});

	it('streams settings commands as created, progress, completed', async () => {
		const result = await sse(`${V3}/jobs/turbo`, {});
		expect(result.events.map((event) => event.event)).toEqual([
			'initialized',
			'midjourney_created',
			'midjourney_progress',
			'midjourney_completed',
		]);
		expect(result.events[2].job.response.content).toBe('');
	});
});

// ---- accounts -----------------------------------------------------------------------------------

describe('accounts', () => {
	const discordFor = (channel: string) =>
		`${Buffer.from(channel).toString('base64')}.GhIjKl.secret-part-xyz`;

	it('creates (201), updates (200), lists, reads and deletes channels; 404 when none', async () => {
		const list = await call('GET', `${V3}/accounts`);
		expect(list.status).toBe(200);
		expect(list.json[CHANNEL]).toMatchObject({
			channel: CHANNEL,
			maxJobs: 3,
			maxImageJobs: 3,
			maxVideoJobs: 3,
			discord: 'emu...001',
		});

		const discord = discordFor('1200000000000000002');
		const created = await call('POST', `${V3}/accounts`, {
			discord,
			maxJobs: 5,
			maxImageJobs: 4,
			maxVideoJobs: 2,
			replyUrl: 'https://example.com/hook',
		});
		expect(created).toMatchObject({
			status: 201,
			json: {
				discord: 'MTI...xyz',
				channel: '1200000000000000002',
				maxJobs: 5,
				maxImageJobs: 4,
				maxVideoJobs: 2,
				replyUrl: 'https://example.com/hook',
			},
		});
		const updated = await call('POST', `${V3}/accounts`, { discord, maxJobs: 6 });
		expect(updated).toMatchObject({
			status: 200,
			json: { channel: '1200000000000000002', maxJobs: 6, maxImageJobs: 3, maxVideoJobs: 3 },
		});
		expect(updated.json.replyUrl).toBeUndefined();
		expect((await call('GET', `${V3}/accounts/1200000000000000002`)).json.maxJobs).toBe(6);
		expect(Object.keys((await call('GET', `${V3}/accounts`)).json)).toEqual([
			CHANNEL,
			'1200000000000000002',
		]);

		expect((await call('DELETE', `${V3}/accounts/1200000000000000002`)).status).toBe(204);
		expect(await call('GET', `${V3}/accounts/1200000000000000002`)).toMatchObject({
			status: 404,
			text: '',
		});
		expect((await call('DELETE', `${V3}/accounts/1200000000000000002`)).status).toBe(404);
		expect((await call('DELETE', `${V3}/accounts/${CHANNEL}`)).status).toBe(204);
		expect(await call('GET', `${V3}/accounts`)).toMatchObject({ status: 404, text: '' });
		expect(
			(await call('POST', `${V3}/jobs/imagine`, { prompt: 'nowhere', stream: false })).status,
		).toBe(400);
		emu.reset();
		expect((await call('GET', `${V3}/accounts`)).status).toBe(200);
	});

	it('validates the body and answers 409 for a v2-configured account', async () => {
		const post = (body: Record<string, unknown>) => call('POST', `${V3}/accounts`, body);
		expect(await post({})).toMatchObject({
			status: 400,
			json: { error: 'Required parameter discord is missing or empty' },
		});
		expect((await post({ discord: 'abc.def.ghi', maxJobs: 0 })).json.error).toBe(
			'Parameter maxJobs must be between 1 and 15',
		);
		expect((await post({ discord: 'abc.def.ghi', maxJobs: 16 })).status).toBe(400);
		expect((await post({ discord: 'abc.def.ghi', maxJobs: 15, maxImageJobs: 13 })).json.error).toBe(
			'Parameter maxImageJobs must be between 1 and 12',
		);
		expect(
			(await post({ discord: 'abc.def.ghi', maxJobs: 2, maxVideoJobs: 3 })).json.error,
		).toMatch(/maxVideoJobs .* less than or equal to maxJobs/);
		expect(
			(await post({ discord: 'abc.def.ghi', replyUrl: `https://x/${'a'.repeat(2040)}` })).json
				.error,
		).toBe('Parameter replyUrl maximum length is 2048 characters');
		expect(
			(
				await post({
					discord: 'abc.def.ghi',
					maxJobs: 15,
					maxImageJobs: 12,
					replyUrl: `https://x/${'a'.repeat(2030)}`,
				})
			).status,
		).toBe(201);
		const conflict = await post({ discord: `v2-configured-${discordFor('1300000000000000003')}` });
		expect(conflict.status).toBe(409);
		expect(conflict.json.error).toMatch(
			/^Legacy v2 Midjourney configuration detected for channel \d+\./,
		);
		expect((await post({ discord: 'invalid-token' })).status).toBe(401);
	});

	it('uses the account replyUrl for jobs without their own', async () => {
		const receiver = await startReceiver();
		try {
			await call('POST', `${V3}/accounts`, {
				discord: discordFor(CHANNEL),
				replyUrl: receiver.url,
			});
			const job = await completed('imagine', { prompt: 'account hook', replyLevel: 'minimal' });
			await waitUntil(() => receiver.bodies.length === 1);
			expect(receiver.bodies[0]).toMatchObject({ jobid: job.jobid, status: 'completed' });
		} finally {
			await receiver.close();
		}
	});
});

async function waitUntil(check: () => boolean, timeoutMs = 3000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error('condition not met in time');
		await sleep(20);
	}
}

// ---- callbacks ----------------------------------------------------------------------------------

describe('replyUrl callbacks', () => {
	let receiver: Awaited<ReturnType<typeof startReceiver>>;
	beforeAll(async () => {
		receiver = await startReceiver();
	});
	afterAll(async () => {
		await receiver.close();
	});
	beforeEach(() => {
		receiver.bodies.length = 0;
	});

	const statusesFor = async (replyLevel: string | undefined, prompt = 'hooked') => {
		const job = await completed('imagine', {
			prompt,
			replyUrl: receiver.url,
			...(replyLevel ? { replyLevel } : {}),
		});
		await emu.callbacksSettled();
		return receiver.bodies.filter((body) => body.jobid === job.jobid).map((body) => body.status);
	};

	it('posts every status change with replyLevel all (the default), in order', async () => {
		expect(await statusesFor(undefined)).toEqual([
			'created',
			'progress',
			'progress',
			'progress',
			'progress',
			'completed',
		]);
		expect(emu.callbacks.map((entry) => entry.status)).toEqual([200, 200, 200, 200, 200, 200]);
		expect(emu.callbacks[0]).toMatchObject({
			url: receiver.url,
			body: { status: 'created', request: { replyUrl: receiver.url } },
		});
	});

	it('posts created and final states with standard, final only with minimal', async () => {
		expect(await statusesFor('standard')).toEqual(['created', 'completed']);
		expect(await statusesFor('minimal')).toEqual(['completed']);
		expect(await statusesFor('minimal', 'bad --emu-fail')).toEqual(['failed']);
	});

	it('also posts while streaming, and records undeliverable callbacks without failing', async () => {
		const result = await sse(`${V3}/jobs/imagine`, {
			prompt: 'both',
			replyUrl: receiver.url,
			replyLevel: 'standard',
		});
		expect(result.events[result.events.length - 1].event).toBe('midjourney_completed');
		await waitUntil(() => receiver.bodies.length === 2);

		const closed = await startReceiver();
		await closed.close();
		const job = await completed('imagine', {
			prompt: 'nobody listens',
			replyUrl: closed.url,
			replyLevel: 'minimal',
		});
		await waitUntil(() =>
			emu.callbacks.some((entry) => entry.body && (entry.body as Job).jobid === job.jobid),
		);
		expect(emu.callbacks.find((entry) => (entry.body as Job).jobid === job.jobid)).toMatchObject({
			status: 'error',
			url: closed.url,
		});
	});
});

// ---- markers --------------------------------------------------------------------------------------

describe('prompt markers', () => {
	it('--emu-fail ends failed with error, errorDetails and code', async () => {
		const result = await sse(`${V3}/jobs/imagine`, { prompt: 'x --emu-fail' });
		const last = result.events[result.events.length - 1];
		expect(last.event).toBe('midjourney_failed');
		expect(last.job).toMatchObject({ status: 'failed', error: 'Midjourney job failed', code: 500 });
		expect(last.job.errorDetails).toMatch(/--emu-fail/);
	});

	it('--emu-moderated ends moderated with embeds', async () => {
		const job = await completed('imagine', { prompt: 'x --emu-moderated' });
		expect(job).toMatchObject({ status: 'moderated', error: 'Banned prompt detected', code: 422 });
		expect(job.response?.embeds?.[0]).toMatchObject({ title: 'Banned prompt detected' });
		const result = await sse(`${V3}/jobs/imagine`, { prompt: 'y --emu-moderated' });
		expect(result.events.map((event) => event.event)).toEqual([
			'initialized',
			'midjourney_created',
			'midjourney_moderated',
		]);
	});

	it('--emu-ms=N sets the job duration', async () => {
		const started = Date.now();
		await completed('imagine', { prompt: 'quick --emu-ms=50' });
		expect(Date.now() - started).toBeLessThan(1000);
		const slow = await create('imagine', { prompt: 'slow --emu-ms=800' });
		await sleep(400);
		expect(emu.getJob(slow.jobid)?.status).not.toBe('completed');
		expect((await waitForJob(slow.jobid)).status).toBe('completed');
	});

	it('--emu-malformed sends one event with invalid JSON mid-stream, then carries on', async () => {
		const result = await sse(`${V3}/jobs/imagine`, { prompt: 'bad --emu-malformed' });
		expect(result.malformed).toHaveLength(1);
		expect(result.events[result.events.length - 1].event).toBe('midjourney_completed');
	});

	it('--emu-quiet writes nothing between created and the final event, which comes normally', async () => {
		const result = await sse(`${V3}/jobs/imagine`, {
			prompt: 'relax job --emu-quiet --emu-ms=500',
		});
		expect(result.endedBy).toBe('end');
		expect(result.events.map((event) => event.event)).toEqual([
			'initialized',
			'midjourney_created',
			'midjourney_completed',
		]);
		expect(result.comments).toBe(0);
		expect(emu.getJob(result.events[0].jobId)?.status).toBe('completed');
	});

	it('--emu-captcha: the job fails with 596 and the channel answers 596 until reset (captcha-solver page)', async () => {
		const result = await sse(`${V3}/jobs/imagine`, { prompt: 'captcha --emu-captcha' });
		const last = result.events[result.events.length - 1];
		expect(last).toMatchObject({
			event: 'midjourney_failed',
			job: { status: 'failed', code: 596, error: 'CAPTCHA detected' },
		});
		expect((await call('GET', `${V3}/accounts/${CHANNEL}`)).json.error).toBe('CAPTCHA detected');
		const blocked = await call('POST', `${V3}/jobs/imagine`, { prompt: 'next', stream: false });
		expect(blocked.status).toBe(596);
		expect((await call('GET', `${V3}/jobs`)).json.total).toBe(0);
		expect((await call('POST', `${V3}/accounts/reset/${CHANNEL}`)).status).toBe(204);
		expect(
			(await call('POST', `${V3}/jobs/imagine`, { prompt: 'next', stream: false })).status,
		).toBe(201);
	});

	it('markers work in replyRef for verbs without a prompt', async () => {
		const job = await completed('describe', {
			imageUrl: 'https://e.com/a.png',
			replyRef: 'case-7 --emu-fail',
		});
		expect(job.status).toBe('failed');
	});
});

describe('a stream that ends before the final status leaves the job stuck (SSE guide)', () => {
	const DURATION = 300;
	const firstAfterCreated = (events: any[]) =>
		events.some(
			(event) => event.event?.startsWith('midjourney_') && event.event !== 'midjourney_created',
		);

	/** Stuck: GET shows it in progress long after it would have finished, GET jobs lists it, it holds its slot; DELETE frees it. */
	async function expectStuck(jobid: string): Promise<void> {
		await sleep(DURATION * 2);
		const job = (await call<Job>('GET', jobPath(jobid))).json;
		expect(job.status).toBe('progress');
		const listed = (await call('GET', `${V3}/jobs`)).json;
		expect(listed.channels[CHANNEL].jobs.map((entry: { jobId: string }) => entry.jobId)).toContain(
			jobid,
		);
		expect(listed.total).toBe(1);
		// Channel limit 3 image jobs: the stuck one and two more fill it.
		await create('imagine', { prompt: 'filler 1 --emu-ms=5000' });
		await create('imagine', { prompt: 'filler 2 --emu-ms=5000' });
		expect(
			(await call('POST', `${V3}/jobs/imagine`, { prompt: 'no room', stream: false })).status,
		).toBe(429);
		expect((await call('DELETE', jobPath(jobid))).status).toBe(204);
		expect(emu.getJob(jobid)).toMatchObject({ status: 'failed', error: 'Job cancelled by user' });
		expect(
			(await call('POST', `${V3}/jobs/imagine`, { prompt: 'room again', stream: false })).status,
		).toBe(201);
	}

	it('client abort right after initialized: stuck in progress until DELETE', async () => {
		const result = await sse(
			`${V3}/jobs/imagine`,
			{ prompt: `walk away --emu-ms=${DURATION}` },
			{ stop: (events) => events.length >= 1 },
		);
		expect(result.endedBy).toBe('stopped');
		await expectStuck(result.events[0].jobId);
	});

	it('client abort mid-progress: stuck until DELETE', async () => {
		const result = await sse(
			`${V3}/jobs/imagine`,
			{ prompt: `walk away --emu-ms=${DURATION}` },
			{ stop: firstAfterCreated },
		);
		expect(result.endedBy).toBe('stopped');
		await expectStuck(result.events[0].jobId);
	});

	it('--emu-drop destroys the connection at the first event after created: stuck', async () => {
		const result = await sse(`${V3}/jobs/imagine`, {
			prompt: `drop --emu-drop --emu-ms=${DURATION}`,
		});
		expect(result.endedBy).toBe('error');
		expect(result.events.map((event) => event.event).slice(0, 2)).toEqual([
			'initialized',
			'midjourney_created',
		]);
		expect(result.events).toHaveLength(3);
		await expectStuck(result.events[0].jobId);
		expect(emu.submissions()).toBe(4);
	});

	it('--emu-error-event sends an error event and ends the response: stuck', async () => {
		const result = await sse(`${V3}/jobs/imagine`, {
			prompt: `err --emu-error-event --emu-ms=${DURATION}`,
		});
		expect(result.endedBy).toBe('end');
		const last = result.events[result.events.length - 1];
		expect(last).toMatchObject({ event: 'error', jobId: result.events[0].jobId });
		expect(typeof last.error).toBe('string');
		await expectStuck(result.events[0].jobId);
	});

	it('--emu-close: the server ends the response cleanly without a final event: stuck', async () => {
		const result = await sse(`${V3}/jobs/imagine`, {
			prompt: `cut --emu-close --emu-ms=${DURATION}`,
		});
		expect(result.endedBy).toBe('end');
		expect(result.events).toHaveLength(3);
		expect(result.events[2].event).not.toMatch(/completed|failed|moderated/);
		await expectStuck(result.events[0].jobId);
	});

	it('--emu-stall: open and silent forever while the job runs on; stuck once the client gives up', async () => {
		const result = await sse(
			`${V3}/jobs/imagine`,
			{ prompt: `stall --emu-stall --emu-ms=${DURATION * 3}` },
			{ timeoutMs: DURATION },
		);
		expect(result.endedBy).toBe('timeout');
		expect(result.events).toHaveLength(3);
		expect(result.comments).toBe(0);
		await expectStuck(result.events[0].jobId);
	});

	it('--emu-stall writes nothing, not even the final event, when the job completes server-side', async () => {
		const result = await sse(
			`${V3}/jobs/imagine`,
			{ prompt: 'stall --emu-stall --emu-ms=200' },
			{ timeoutMs: 700 },
		);
		expect(result.endedBy).toBe('timeout');
		expect(result.events).toHaveLength(3);
		expect(emu.getJob(result.events[0].jobId)?.status).toBe('completed');
	});

	it('stuckTimeoutMs fails a stuck job', async () => {
		const strict = await startEmulator({ jobDurationMs: 150, stuckTimeoutMs: 100 });
		try {
			const result = await sse(
				`${V3}/jobs/imagine`,
				{ prompt: 'left' },
				{ base: strict, stop: (events) => events.length >= 1 },
			);
			const jobid = result.events[0].jobId;
			await sleep(50);
			expect(strict.getJob(jobid)?.status).toBe('progress');
			await sleep(400);
			expect(strict.getJob(jobid)).toMatchObject({
				status: 'failed',
				error: 'Job timed out',
				code: 504,
			});
			expect((await call('GET', `${V3}/jobs`, undefined, { base: strict })).json.total).toBe(0);
		} finally {
			await strict.close();
		}
	});
});

// ---- faults ---------------------------------------------------------------------------------------

describe('faults', () => {
	it('status429Next answers 429 even with capacity, then accepts', async () => {
		emu.faults.status429Next = 2;
		expect(
			(await call('POST', `${V3}/jobs/imagine`, { prompt: 'a', stream: false })).json.error,
		).toBe(`Channel ${CHANNEL} is busy executing 3 image jobs`);
		expect((await call('POST', `${V3}/jobs/imagine`, { prompt: 'a', stream: false })).status).toBe(
			429,
		);
		expect((await call('POST', `${V3}/jobs/imagine`, { prompt: 'a', stream: false })).status).toBe(
			201,
		);
		expect(emu.submissions()).toBe(1);
	});

	it('status5xxOnPostNext answers 500 without creating a job', async () => {
		emu.faults.status5xxOnPostNext = 1;
		expect((await call('POST', `${V3}/jobs/imagine`, { prompt: 'a', stream: false })).status).toBe(
			500,
		);
		expect(emu.jobsCreated()).toBe(0);
		expect(emu.listJobs()).toHaveLength(0);
		expect(emu.submissions()).toBe(0);
	});

	it('status5xxOnGetNext answers 503, resetOnGetNext destroys the socket', async () => {
		const job = await create('imagine', { prompt: 'get me' });
		emu.faults.status5xxOnGetNext = 1;
		emu.faults.resetOnGetNext = 1;
		await expect(
			fetch(`${emu.url}${jobPath(job.jobid)}`, { headers: { authorization: `Bearer ${TOKEN}` } }),
		).rejects.toThrow();
		expect((await call('GET', jobPath(job.jobid))).status).toBe(503);
		expect((await call('GET', jobPath(job.jobid))).status).toBe(200);
		expect(emu.requests.filter((entry) => entry.method === 'GET')).toHaveLength(3);
	});

	it('status502OnGetNext answers 502 Bad Gateway', async () => {
		const job = await create('imagine', { prompt: 'get me' });
		emu.faults.status502OnGetNext = 1;
		const blocked = await call<{ error: string }>('GET', jobPath(job.jobid));
		expect(blocked.status).toBe(502);
		expect(blocked.json).toEqual({ error: 'Bad Gateway' });
		expect((await call('GET', jobPath(job.jobid))).status).toBe(200);
	});
});

describe('faults: a stalled media body', () => {
	it('stallMediaBodyNext sends the headers and half the file, then nothing, without closing', async () => {
		emu.faults.stallMediaBodyNext = 1;
		const cdnUrl = 'https://cdn.midjourney.com/stall/0_0.png';
		const controller = new AbortController();
		const response = await fetch(
			`${emu.url}/v1/proxy/cdn-midjourney/?cdnUrl=${encodeURIComponent(cdnUrl)}`,
			{ headers: { authorization: `Bearer ${TOKEN}` }, signal: controller.signal },
		);
		expect(response.status).toBe(200);
		const declared = Number(response.headers.get('content-length'));
		const reader = response.body!.getReader();
		let received = 0;
		const reading = (async () => {
			for (;;) {
				const { done, value } = await reader.read();
				if (done) return 'ended';
				received += value.length;
			}
		})().catch(() => 'aborted');
		await sleep(700);
		expect(received).toBeGreaterThan(0);
		expect(received).toBeLessThan(declared);
		controller.abort();
		expect(await reading).toBe('aborted');
		expect(emu.faults.stallMediaBodyNext).toBe(0);
		// The next answer is whole again.
		const whole = await fetch(
			`${emu.url}/v1/proxy/cdn-midjourney/?cdnUrl=${encodeURIComponent(cdnUrl)}`,
			{ headers: { authorization: `Bearer ${TOKEN}` } },
		);
		expect((await whole.arrayBuffer()).byteLength).toBe(declared);
	});
});

// ---- CDN proxy ------------------------------------------------------------------------------------

function checkPng(bytes: Buffer): { width: number; height: number } {
	expect(bytes.subarray(0, 8)).toEqual(
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
	);
	let offset = 8;
	const types: string[] = [];
	const idat: Buffer[] = [];
	let width = 0;
	let height = 0;
	while (offset < bytes.length) {
		const length = bytes.readUInt32BE(offset);
		const type = bytes.subarray(offset + 4, offset + 8).toString('ascii');
		const data = bytes.subarray(offset + 8, offset + 8 + length);
		const crc = bytes.readUInt32BE(offset + 8 + length);
		expect(crc).toBe(crc32(Buffer.concat([Buffer.from(type, 'ascii'), data])));
		if (type === 'IHDR') {
			width = data.readUInt32BE(0);
			height = data.readUInt32BE(4);
			expect([data[8], data[9]]).toEqual([8, 3]);
		}
		if (type === 'PLTE') expect(data.length).toBe(256 * 3);
		if (type === 'IDAT') idat.push(data);
		types.push(type);
		offset += 12 + length;
	}
	expect(types[0]).toBe('IHDR');
	expect(types[types.length - 1]).toBe('IEND');
	expect(types).toContain('PLTE');
	expect(inflateSync(Buffer.concat(idat)).length).toBe(height * (width + 1));
	return { width, height };
}

describe('CDN proxy', () => {
	const proxied = async (cdnUrl: string, base = emu) => {
		const response = await fetch(
			`${base.url}/v1/proxy/cdn-midjourney/?cdnUrl=${encodeURIComponent(cdnUrl)}`,
			{ headers: { authorization: `Bearer ${TOKEN}` } },
		);
		return {
			status: response.status,
			type: response.headers.get('content-type'),
			bytes: Buffer.from(await response.arrayBuffer()),
		};
	};

	it('serves a valid, deterministic PNG for the imageUx URLs of a job', async () => {
		const job = await completed('imagine', { prompt: 'download me' });
		const url = job.response!.imageUx![0].url;
		const first = await proxied(url);
		expect(first.status).toBe(200);
		expect(first.type).toBe('image/png');
		checkPng(first.bytes);
		expect((await proxied(url)).bytes.equals(first.bytes)).toBe(true);
		expect((await proxied(job.response!.imageUx![1].url)).bytes.equals(first.bytes)).toBe(false);
		expect((await proxied('https://cdn.midjourney.com/abc/0_0.jpeg')).type).toBe('image/png');
	});

	it('sizes images by imageBytes (about 1 MB for the bench)', async () => {
		const big = await startEmulator({ imageBytes: 1024 * 1024 });
		try {
			const { bytes } = await proxied(
				'https://cdn.midjourney.com/11111111-2222-3333-4444-555555555555/0_0.png',
				big,
			);
			const { width } = checkPng(bytes);
			expect(width).toBeGreaterThan(500);
			expect(bytes.length).toBeGreaterThan(0.9 * 1024 * 1024);
			expect(bytes.length).toBeLessThan(1.1 * 1024 * 1024);
		} finally {
			await big.close();
		}
	});

	it('serves .mp4 as video/mp4, refuses other hosts with 400, answers 403 once for emu-403 URLs', async () => {
		const video = await proxied('https://cdn.midjourney.com/video/abc/0.mp4');
		expect(video.type).toBe('video/mp4');
		expect(video.bytes.subarray(4, 8).toString('ascii')).toBe('ftyp');
		const other = await proxied('https://example.com/a.png');
		expect(other.status).toBe(400);
		expect(JSON.parse(other.bytes.toString()).code).toBe(400);
		expect((await call('GET', '/v1/proxy/cdn-midjourney/')).status).toBe(400);
		const flaky = 'https://cdn.midjourney.com/emu-403/0_0.png';
		expect((await proxied(flaky)).status).toBe(403);
		expect((await proxied(flaky)).status).toBe(200);
		expect((await proxied(flaky)).status).toBe(200);
		emu.reset();
		expect((await proxied(flaky)).status).toBe(403);
		expect(emu.requests).toHaveLength(1);
	});
});

// ---- v2 ---------------------------------------------------------------------------------------------

describe('v2', () => {
	const v2get = (jobid: string) => call('GET', `/v2/jobs/?jobid=${encodeURIComponent(jobid)}`);
	async function v2done(jobid: string): Promise<any> {
		for (let i = 0; i < 200; i++) {
			const { json } = await v2get(jobid);
			if (['completed', 'failed', 'moderated'].includes(json.status)) return json;
			await sleep(25);
		}
		throw new Error('v2 job did not finish');
	}

	it('imagine answers 200 started, completes for GET jobs/?jobid=, posts the final callback', async () => {
		const receiver = await startReceiver();
		try {
			const { status, json } = await call('POST', '/v2/jobs/imagine', {
				prompt: 'Steampunk cat',
				replyUrl: receiver.url,
				replyRef: 'r1',
			});
			expect(status).toBe(200);
			expect(json).toMatchObject({
				verb: 'imagine',
				status: 'started',
				prompt: 'Steampunk cat',
				channel: V2_CHANNEL,
				maxJobs: 3,
				replyRef: 'r1',
				code: 200,
			});
			expect(json.content).toMatch(/\(Waiting to start\)$/);
			expect(json.discord).toBe('emu...002');
			const done = await v2done(json.jobid);
			expect(done).toMatchObject({
				status: 'completed',
				code: 200,
				buttons: ['U1', 'U2', 'U3', 'U4', '🔄', 'V1', 'V2', 'V3', 'V4'],
			});
			expect(done.attachments).toHaveLength(1);
			await waitUntil(() => receiver.bodies.length === 1);
			expect(receiver.bodies.map((body) => body.status)).toEqual(['completed']);
			// v2 and v3 jobs do not mix.
			expect((await call('GET', jobPath(json.jobid))).status).toBe(404);
		} finally {
			await receiver.close();
		}
	});

	it('imagine: 400, 422 moderated, 429 over maxJobs, 504, 596', async () => {
		expect(await call('POST', '/v2/jobs/imagine', {})).toMatchObject({
			status: 400,
			json: { code: 400 },
		});
		const moderated = await call('POST', '/v2/jobs/imagine', { prompt: 'x --emu-moderated' });
		expect(moderated).toMatchObject({
			status: 422,
			json: { status: 'moderated', code: 422, error: 'Banned prompt detected' },
		});
		await call('POST', '/v2/jobs/imagine', { prompt: 'long --emu-ms=2000' });
		const busy = await call('POST', '/v2/jobs/imagine', { prompt: 'x', maxJobs: 1 });
		expect(busy).toMatchObject({
			status: 429,
			json: { code: 429, error: `Account ${V2_CHANNEL} is busy executing 1 jobs` },
		});
		expect(busy.json.executingJobs).toHaveLength(1);
		expect((await call('POST', '/v2/jobs/imagine', { prompt: 'x --emu-504' })).json).toMatchObject({
			status: 'failed',
			code: 504,
		});
		const captcha = await call('POST', '/v2/jobs/imagine', { prompt: 'x --emu-596' });
		expect(captcha).toMatchObject({
			status: 596,
			json: { status: 'failed', error: 'Pending mod message', code: 596 },
		});
		const blocked = await call('POST', '/v2/jobs/imagine', { prompt: 'x' });
		expect(blocked.status).toBe(596);
		expect(blocked.json.error).toMatch(/pending moderation message/);
		// v2 accounts are reset through v2's own account endpoints (not among the pages): the emulator's control call.
		expect((await call('POST', `${V3}/accounts/reset/${V2_CHANNEL}`)).status).toBe(404);
		emu.setChannelError(V2_CHANNEL, null);
		emu.faults.status596Next = 1;
		expect((await call('POST', '/v2/jobs/imagine', { prompt: 'x' })).json).toMatchObject({
			status: 'failed',
			code: 596,
		});
		expect(emu.faults.status596Next).toBe(0);
		expect(emu.submissions()).toBe(1);
	});

	it('seed_async: started, then completed with the seed; again returns the parent with seed', async () => {
		const parent = (await call('POST', '/v2/jobs/imagine', { prompt: 'seed me' })).json;
		expect((await call('POST', '/v2/jobs/seed_async', { jobid: parent.jobid })).json).toMatchObject(
			{ code: 400, error: 'Parent job must be completed' },
		);
		await v2done(parent.jobid);
		const { status, json } = await call('POST', '/v2/jobs/seed_async', { jobid: parent.jobid });
		expect(status).toBe(200);
		expect(json).toMatchObject({
			verb: 'seed_async',
			status: 'started',
			parentJobId: parent.jobid,
			channel: V2_CHANNEL,
			code: 200,
		});
		const done = await v2done(json.jobid);
		expect(done.seed).toMatchObject({ value: expect.any(Number) });
		expect(done.seed.attachments).toHaveLength(4);
		expect(done.seed.content).toContain(`**seed** ${done.seed.value}`);
		const again = await call('POST', '/v2/jobs/seed_async', { jobid: parent.jobid });
		expect(again.json).toMatchObject({
			jobid: parent.jobid,
			verb: 'imagine',
			status: 'completed',
			seed: { value: done.seed.value },
		});
		expect(await call('POST', '/v2/jobs/seed_async', {})).toMatchObject({
			status: 400,
			json: { error: 'jobid is missing', code: 400 },
		});
		expect(await call('POST', '/v2/jobs/seed_async', { jobid: 'nope' })).toMatchObject({
			status: 404,
			json: { error: 'Unable to locate parent job nope', code: 404 },
		});
	});

	it("keeps v2 and v3 accounts apart: neither API serves the other's channel; POST accounts answers 409 for a v2 one", async () => {
		expect((await call('GET', `${V3}/accounts`)).json).not.toHaveProperty(V2_CHANNEL);
		expect((await call('GET', `${V3}/accounts/${V2_CHANNEL}`)).status).toBe(404);
		expect(
			await call('POST', `${V3}/jobs/imagine`, { prompt: 'x', stream: false, channel: V2_CHANNEL }),
		).toMatchObject({ status: 400 });
		expect(await call('POST', '/v2/jobs/imagine', { prompt: 'x', channel: CHANNEL })).toMatchObject(
			{ status: 400, json: { error: `Channel ${CHANNEL} is not configured` } },
		);
		const v2job = (await call('POST', '/v2/jobs/imagine', { prompt: 'v2 only --emu-ms=2000' }))
			.json;
		expect(v2job.channel).toBe(V2_CHANNEL);
		const listed = (await call('GET', `${V3}/jobs`)).json;
		expect(listed.total).toBe(0);
		expect(listed.channels).not.toHaveProperty(V2_CHANNEL);
		const discord = `${Buffer.from(V2_CHANNEL).toString('base64')}.x.y`;
		expect(await call('POST', `${V3}/accounts`, { discord })).toMatchObject({
			status: 409,
			json: { error: expect.stringMatching(/v2 and v3 APIs are incompatible/) },
		});
	});

	it('GET jobs/?jobid=: 400 without jobid, 404 unknown, 410 expired, and the GET faults', async () => {
		expect(await call('GET', '/v2/jobs/')).toMatchObject({ status: 400, json: { code: 400 } });
		expect(await v2get('unknown')).toMatchObject({ status: 404, json: { code: 404 } });
		expect((await v2get('j1-expired-1')).status).toBe(410);
		emu.faults.status5xxOnGetNext = 1;
		expect((await v2get('unknown')).status).toBe(503);
		emu.faults.status5xxOnPostNext = 1;
		expect((await call('POST', '/v2/jobs/imagine', { prompt: 'x' })).status).toBe(500);
		expect(emu.jobsCreated()).toBe(0);
	});
});

// ---- control endpoints, lifecycle of the emulator itself -----------------------------------------

describe('control endpoints', () => {
	it('exposes requests (token redacted), callbacks, faults, jobs and reset over HTTP, unrecorded', async () => {
		const job = await create('imagine', { prompt: 'controlled' });
		const requests = await (await fetch(`${emu.url}/__emulator/requests`)).json();
		expect(requests).toHaveLength(1);
		expect(requests[0].headers.authorization).toBe('Bearer [redacted: the configured token]');
		expect(JSON.stringify(requests)).not.toContain(TOKEN);
		expect(await (await fetch(`${emu.url}/__emulator/callbacks`)).json()).toEqual([]);
		const faults = await fetch(`${emu.url}/__emulator/faults`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ status429Next: 1 }),
		});
		expect(await faults.json()).toEqual({ status429Next: 1 });
		expect(emu.faults.status429Next).toBe(1);
		const shown = await fetch(`${emu.url}/__emulator/jobs/${encodeURIComponent(job.jobid)}`);
		expect((await shown.json()).jobid).toBe(job.jobid);
		expect((await fetch(`${emu.url}/__emulator/jobs/nope`)).status).toBe(404);
		expect((await fetch(`${emu.url}/__emulator/reset`, { method: 'POST' })).status).toBe(204);
		expect(emu.requests).toHaveLength(0);
		expect(emu.faults).toEqual({});
		expect(emu.listJobs()).toHaveLength(0);
	});

	it('close() stops an emulator with open streams and pending callbacks', async () => {
		const other = await startEmulator({ jobDurationMs: 5000, keepAliveMs: 20 });
		const response = await fetch(`${other.url}${V3}/jobs/imagine`, {
			method: 'POST',
			headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
			body: JSON.stringify({ prompt: 'open', replyUrl: 'http://127.0.0.1:9/unreachable' }),
		});
		const reader = response.body!.getReader();
		await reader.read();
		await other.close();
		await expect(
			(async () => {
				for (;;) if ((await reader.read()).done) return 'ended';
			})(),
		).rejects.toThrow();
		await expect(fetch(`${other.url}${V3}/jobs`)).rejects.toThrow();
	});

	it('runs standalone from the CLI and stops on SIGTERM', async () => {
		const tsx = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
		const child = spawn(
			tsx,
			[
				join(__dirname, 'cli.ts'),
				'--port',
				'0',
				'--token',
				'cli-token',
				'--job-ms',
				'100',
				'--readings',
				'least-friendly',
				'--reading',
				'silentStreamMs=5000',
			],
			{ stdio: ['ignore', 'pipe', 'pipe'] },
		);
		try {
			const line = await new Promise<string>((resolve, reject) => {
				let out = '';
				child.stdout.on('data', (chunk: Buffer) => {
					out += chunk.toString();
					if (out.includes('\n')) resolve(out.split('\n')[0]);
				});
				child.on('exit', (code) => reject(new Error(`cli exited ${code}`)));
			});
			const match =
				/^useapi\.net emulator listening on (http:\/\/127\.0\.0\.1:(\d+)) \(token: cli-token\)$/.exec(
					line,
				);
			expect(match).not.toBeNull();
			const answer = await fetch(`${match![1]}${V3}/jobs`, {
				headers: { authorization: 'Bearer cli-token' },
			});
			expect(answer.status).toBe(200);
			// --readings least-friendly: the idle channel is not listed; --reading changed one reading.
			expect(await answer.json()).toEqual({ total: 0, images: 0, videos: 0, channels: {} });
			const readings = await (await fetch(`${match![1]}/__emulator/readings`)).json();
			expect(readings).toEqual({ ...LEAST_FRIENDLY, silentStreamMs: 5000 });
			const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
			child.kill('SIGTERM');
			expect(await exited).toBe(0);
		} finally {
			if (child.exitCode === null) child.kill('SIGKILL');
		}
	}, 30_000);
});

// ---- readings ------------------------------------------------------------------------------------

describe('readings where the docs are silent (README "Readings")', () => {
	let strict: Emulator;
	beforeAll(async () => {
		strict = await startEmulator({ token: TOKEN, jobDurationMs: 100, readings: 'least-friendly' });
	});
	afterAll(async () => {
		await strict.close();
	});
	beforeEach(() => strict.reset());

	const listRunning = async (base = strict) =>
		(await call('GET', `${V3}/jobs`, undefined, { base })).json;
	const post = (verb: string, body: Record<string, unknown>, base = strict) =>
		call('POST', `${V3}/jobs/${verb}`, { stream: false, ...body }, { base });

	it('has two presets, the default is one of them, and an emulator starts with the default', async () => {
		expect(Object.keys(LEAST_FRIENDLY).sort()).toEqual(Object.keys(FRIENDLY).sort());
		// The default is LEAST_FRIENDLY (README "Readings"); FRIENDLY stays a preset a test can ask for.
		expect([FRIENDLY, LEAST_FRIENDLY]).toContain(DEFAULT_READINGS);
		const plain = await startEmulator();
		try {
			expect(plain.readings).toEqual(DEFAULT_READINGS);
		} finally {
			await plain.close();
		}
		expect(strict.readings).toEqual(LEAST_FRIENDLY);
		// reset() restores the readings the emulator started with.
		strict.readings.listIdleChannels = true;
		strict.reset();
		expect(strict.readings.listIdleChannels).toBe(false);
	});

	it('least friendly: GET jobs lists no idle channel; friendly: every configured channel', async () => {
		expect(await listRunning()).toEqual({ total: 0, images: 0, videos: 0, channels: {} });
		const job = (await post('imagine', { prompt: 'one --emu-ms=300' })).json as Job;
		const busy = await listRunning();
		expect(Object.keys(busy.channels)).toEqual([CHANNEL]);
		expect(busy.channels[CHANNEL]).toMatchObject({ total: 1, images: 1, maxJobs: 3 });
		await waitForJob(job.jobid, isFinal, strict);
		expect(await listRunning()).toEqual({ total: 0, images: 0, videos: 0, channels: {} });
		const friendly = await listRunning(emu);
		expect(friendly.channels[CHANNEL]).toMatchObject({ total: 0, jobs: [], maxJobs: 3 });
	});

	it('least friendly: running jobs without jobType are listed (no jobType, in total only) and hold no slot', async () => {
		const settings = (await post('settings', { replyRef: 'x --emu-ms=500' })).json as Job;
		expect(settings.jobType).toBeUndefined();
		const listed = await listRunning();
		expect(listed).toMatchObject({ total: 1, images: 0, videos: 0 });
		expect(listed.channels[CHANNEL]).toMatchObject({ total: 1, images: 0, videos: 0 });
		expect(listed.channels[CHANNEL].jobs[0].jobId).toBe(settings.jobid);
		expect('jobType' in listed.channels[CHANNEL].jobs[0]).toBe(false);
		for (let i = 0; i < 3; i++)
			expect((await post('imagine', { prompt: `fits ${i} --emu-ms=500` })).status).toBe(201);
		expect((await post('imagine', { prompt: 'full' })).status).toBe(429);
		expect((await listRunning()).total).toBe(4);
		// Friendly: not listed.
		await create('settings', { replyRef: 'x --emu-ms=500' });
		expect((await listRunning(emu)).total).toBe(0);
	});

	it('least friendly: progress events and GET carry no progress_percent; the content still shows it', async () => {
		const result = await sse(`${V3}/jobs/imagine`, { prompt: 'no percent' }, { base: strict });
		const progress = result.events.filter((event) => event.event === 'midjourney_progress');
		expect(progress).toHaveLength(4);
		for (const event of progress) expect('progress_percent' in event.job.response).toBe(false);
		expect(progress.map((event) => /\((\d+)%\)/.exec(event.job.response.content)?.[1])).toEqual([
			'0',
			'15',
			'38',
			'96',
		]);
		const job = (await post('imagine', { prompt: 'slow --emu-ms=1000' })).json as Job;
		const seen = await waitForJob(job.jobid, (shown) => shown.status === 'progress', strict);
		expect(seen.response && 'progress_percent' in seen.response).toBe(false);
		// Friendly: present, as the transcripts show.
		const friendly = await sse(`${V3}/jobs/imagine`, { prompt: 'percent' });
		expect(
			friendly.events
				.filter((event) => event.event === 'midjourney_progress')
				.map((event) => event.job.response.progress_percent),
		).toEqual([0, 15, 38, 96]);
	});

	it("silentStreamFate 'end': a silent stream is ended without a final event and its job is stuck", async () => {
		strict.readings.silentStreamMs = 150;
		const result = await sse(
			`${V3}/jobs/imagine`,
			{ prompt: 'slow --emu-ms=3000' },
			{ base: strict },
		);
		expect(result.endedBy).toBe('end');
		expect(result.events.map((event) => event.event)).toEqual([
			'initialized',
			'midjourney_created',
		]);
		const jobid = result.events[0].jobId;
		await sleep(300);
		const first = strict.getJob(jobid)!;
		expect(first.status).toBe('progress');
		await sleep(800);
		// Stuck: it never advances (the job would have had progress steps by now) and holds its slot.
		expect(strict.getJob(jobid)).toEqual(first);
		expect((await listRunning()).channels[CHANNEL].jobs[0].jobId).toBe(jobid);
		// A stream marker wins: --emu-quiet stays a healthy silent stream.
		const quiet = await sse(
			`${V3}/jobs/imagine`,
			{ prompt: 'quiet --emu-quiet --emu-ms=600' },
			{ base: strict },
		);
		expect(quiet.events.map((event) => event.event)).toEqual([
			'initialized',
			'midjourney_created',
			'midjourney_completed',
		]);
		// Friendly (silentStreamMs 0): a slow job's stream stays open to its end.
		const friendly = await sse(`${V3}/jobs/imagine`, { prompt: 'slow --emu-ms=1000' });
		expect(friendly.events[friendly.events.length - 1].event).toBe('midjourney_completed');
	});

	it("silentStreamFate 'stall': a silent stream stays open and writes nothing more while its job completes", async () => {
		strict.readings.silentStreamMs = 150;
		strict.readings.silentStreamFate = 'stall';
		const result = await sse(
			`${V3}/jobs/imagine`,
			{ prompt: 'half-open --emu-ms=1500' },
			{ base: strict, timeoutMs: 2500 },
		);
		expect(result.endedBy).toBe('timeout');
		expect(result.events.map((event) => event.event)).toEqual([
			'initialized',
			'midjourney_created',
		]);
		// The job ran on and completed before the client gave up.
		expect(strict.getJob(result.events[0].jobId)?.status).toBe('completed');
	});

	it('endedStreamStrandsJob false: a stream the server ends leaves its job running to completion', async () => {
		strict.readings.endedStreamStrandsJob = false;
		const result = await sse(
			`${V3}/jobs/imagine`,
			{ prompt: 'runs on --emu-close --emu-ms=1000' },
			{ base: strict },
		);
		expect(result.endedBy).toBe('end');
		expect(result.events.map((event) => event.event)).toEqual([
			'initialized',
			'midjourney_created',
			'midjourney_progress',
		]);
		const jobid = result.events[0].jobId;
		const done = await waitForJob(jobid, (shown) => shown.status === 'completed', strict);
		expect(done.status).toBe('completed');
		// The least friendly reading (the default of both presets): stuck.
		strict.readings.endedStreamStrandsJob = true;
		const stranded = await sse(
			`${V3}/jobs/imagine`,
			{ prompt: 'stranded --emu-close --emu-ms=600' },
			{ base: strict },
		);
		await sleep(900);
		expect(strict.getJob(stranded.events[0].jobId)?.status).toBe('progress');
	});

	describe('callbacks', () => {
		/** A receiver that refuses the first `refusals` POSTs of each job with 409 (n8n: "is running already"). */
		async function refusingReceiver(refusals: number) {
			const seen: Array<{ status: string; time: number; answered: number }> = [];
			const counts = new Map<string, number>();
			const server = http.createServer((req, res) => {
				const chunks: Buffer[] = [];
				req.on('data', (chunk: Buffer) => chunks.push(chunk));
				req.on('end', () => {
					const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Job;
					const key = `${body.jobid}/${body.status}`;
					const n = (counts.get(key) ?? 0) + 1;
					counts.set(key, n);
					const answered = n <= refusals ? 409 : 200;
					seen.push({ status: body.status, time: Date.now(), answered });
					res.writeHead(answered).end();
				});
			});
			await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
			return {
				url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`,
				seen,
				close: () => new Promise<void>((resolve) => server.close(() => resolve())),
			};
		}

		it('least friendly: a refused callback is not retried; callbackRetries retries it after the delay', async () => {
			const receiver = await refusingReceiver(2);
			try {
				const job = await completed(
					'imagine',
					{ prompt: 'refused', replyUrl: receiver.url, replyLevel: 'minimal' },
					strict,
				);
				await strict.callbacksSettled();
				expect(receiver.seen).toEqual([
					expect.objectContaining({ status: 'completed', answered: 409 }),
				]);
				expect(strict.callbacks.map((entry) => entry.status)).toEqual([409]);
				expect(strict.getJob(job.jobid)?.status).toBe('completed');

				strict.reset();
				receiver.seen.length = 0;
				strict.readings.callbackRetries = 3;
				strict.readings.callbackRetryDelayMs = 150;
				await completed(
					'imagine',
					{ prompt: 'retried', replyUrl: receiver.url, replyLevel: 'minimal' },
					strict,
				);
				await strict.callbacksSettled();
				// Two refusals, then accepted: no fourth attempt.
				expect(receiver.seen.map((entry) => entry.answered)).toEqual([409, 409, 200]);
				expect(strict.callbacks.map((entry) => entry.status)).toEqual([409, 409, 200]);
				expect(receiver.seen[1].time - receiver.seen[0].time).toBeGreaterThanOrEqual(140);
				expect(receiver.seen[2].time - receiver.seen[1].time).toBeGreaterThanOrEqual(140);
			} finally {
				await receiver.close();
			}
		});

		it('--emu-instant: the job is final in the 201 answer and its final callback leaves at once', async () => {
			const receiver = await refusingReceiver(0);
			try {
				const started = Date.now();
				const answer = await post('imagine', {
					prompt: 'instant --emu-instant --emu-ms=5000',
					replyUrl: receiver.url,
				});
				expect(answer.status).toBe(201);
				expect(answer.json.status).toBe('completed');
				await strict.callbacksSettled();
				expect(receiver.seen.map((entry) => entry.status)).toEqual([
					'created',
					'progress',
					'progress',
					'progress',
					'progress',
					'completed',
				]);
				// Nowhere near the job's 5 s: the callback does not wait for anything.
				expect(receiver.seen[5].time - started).toBeLessThan(1000);
			} finally {
				await receiver.close();
			}
		});
	});

	it('occupy(): another client holds every slot for a time (listed, 429), then frees them; 429 once, then free', async () => {
		const ids = strict.occupy({ forMs: 600 });
		expect(ids).toHaveLength(3);
		const listed = await listRunning();
		expect(listed.channels[CHANNEL].jobs.map((entry: { jobId: string }) => entry.jobId)).toEqual(
			ids,
		);
		const refused = await post('imagine', { prompt: 'mine' });
		expect(refused).toMatchObject({
			status: 429,
			json: { error: `Channel ${CHANNEL} is busy executing 3 image jobs` },
		});
		expect((await call('GET', jobPath(ids[0]), undefined, { base: strict })).json.status).toMatch(
			/created|progress/,
		);
		expect(strict.submissions()).toBe(0);
		expect(strict.jobsCreated()).toBe(0);
		await waitForJob(ids[2], isFinal, strict);
		expect(await listRunning()).toEqual({ total: 0, images: 0, videos: 0, channels: {} });
		expect((await post('imagine', { prompt: 'mine' })).status).toBe(201);

		// Some slots only, and over HTTP.
		strict.reset();
		const over = await fetch(`${strict.url}/__emulator/occupy`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ forMs: 5000, jobs: 2 }),
		});
		expect((await over.json()).jobIds).toHaveLength(2);
		expect((await post('imagine', { prompt: 'last slot' })).status).toBe(201);
		expect((await post('imagine', { prompt: 'no slot' })).status).toBe(429);

		// "Answered 429 once, then free": GET jobs shows nothing running in between.
		strict.reset();
		strict.faults.status429Next = 1;
		expect((await post('imagine', { prompt: 'busy once' })).status).toBe(429);
		expect(await listRunning()).toEqual({ total: 0, images: 0, videos: 0, channels: {} });
		expect((await post('imagine', { prompt: 'free now' })).status).toBe(201);
	});

	it('CAPTCHA: the job fails with code 596, the channel answers 596 until reset; captchaSolvedAfterMs unlocks it', async () => {
		const job = await completed('imagine', { prompt: 'captcha --emu-captcha' }, strict);
		expect(job).toMatchObject({ status: 'failed', code: 596, error: 'CAPTCHA detected' });
		await sleep(300);
		expect((await post('imagine', { prompt: 'still locked' })).status).toBe(596);
		expect((await post('describe', { imageUrl: 'https://e.com/a.png' })).status).toBe(596);
		expect(
			(await call('POST', `${V3}/accounts/reset/${CHANNEL}`, undefined, { base: strict })).status,
		).toBe(204);
		expect((await post('imagine', { prompt: 'unlocked' })).status).toBe(201);

		strict.reset();
		strict.readings.captchaSolvedAfterMs = 200;
		await completed('imagine', { prompt: 'captcha --emu-captcha' }, strict);
		expect((await post('imagine', { prompt: 'locked' })).status).toBe(596);
		await sleep(300);
		expect((await post('imagine', { prompt: 'solved' })).status).toBe(201);
		expect(
			(await call('GET', `${V3}/accounts/${CHANNEL}`, undefined, { base: strict })).json.error,
		).toBeUndefined();
	});

	describe('updated, stuck jobs and queued jobs (issue 21)', () => {
		it("a healthy job's updated moves on each step, and GET shows the stream's last updated", async () => {
			const result = await sse(
				`${V3}/jobs/imagine`,
				{ prompt: 'healthy --emu-ms=500' },
				{ base: strict },
			);
			const stamps = result.events
				.filter((event) => event.job)
				.map((event) => Date.parse(event.job.updated));
			expect(stamps).toHaveLength(6);
			for (let i = 1; i < stamps.length; i++) expect(stamps[i]).toBeGreaterThan(stamps[i - 1]);
			const last = result.events[result.events.length - 1].job;
			expect(strict.getJob(last.jobid)?.updated).toBe(last.updated);
			expect(
				(await call('GET', jobPath(last.jobid), undefined, { base: strict })).json.updated,
			).toBe(last.updated);
		});

		it('a job whose stream was cut stays in progress with a frozen updated and percent until the timeout', async () => {
			const timed = await startEmulator({
				token: TOKEN,
				jobDurationMs: 400,
				stuckTimeoutMs: 900,
				readings: { ...LEAST_FRIENDLY, progressPercent: true },
			});
			try {
				// Cut after the 15 % step.
				const result = await sse(
					`${V3}/jobs/imagine`,
					{ prompt: 'cut' },
					{
						base: timed,
						stop: (events) => events.some((event) => event.job?.response?.progress_percent === 15),
					},
				);
				const jobid = result.events[0].jobId;
				await sleep(50);
				const frozen = (await call<Job>('GET', jobPath(jobid), undefined, { base: timed })).json;
				expect(frozen).toMatchObject({ status: 'progress', response: { progress_percent: 15 } });
				await sleep(500);
				const later = (await call<Job>('GET', jobPath(jobid), undefined, { base: timed })).json;
				expect(later.updated).toBe(frozen.updated);
				expect(later.response?.progress_percent).toBe(15);
				expect((await listRunning(timed)).channels[CHANNEL].jobs[0].jobId).toBe(jobid);
				await sleep(600);
				expect(timed.getJob(jobid)).toMatchObject({
					status: 'failed',
					code: 504,
					error: 'Job timed out',
				});
				expect(await listRunning(timed)).toEqual({ total: 0, images: 0, videos: 0, channels: {} });
			} finally {
				await timed.close();
			}
		});

		it('--emu-queued=N holds a job in created (listed by GET jobs) for N ms before it starts', async () => {
			const job = (await post('imagine', { prompt: 'relax queue --emu-queued=600 --emu-ms=200' }))
				.json as Job;
			expect(job.status).toBe('created');
			await sleep(300);
			const held = strict.getJob(job.jobid)!;
			expect(held.status).toBe('created');
			expect(held.updated).toBeDefined();
			expect((await listRunning()).channels[CHANNEL].jobs[0].jobId).toBe(job.jobid);
			await sleep(300);
			expect(strict.getJob(job.jobid)?.updated).toBe(held.updated);
			const done = await waitForJob(job.jobid, isFinal, strict);
			expect(done.status).toBe('completed');
			expect(Date.parse(done.updated!) - Date.parse(done.created)).toBeGreaterThanOrEqual(750);
		});
	});

	it('control endpoint /__emulator/readings reads, sets a preset and changes readings', async () => {
		const read = async (body?: unknown) =>
			(
				await fetch(`${strict.url}/__emulator/readings`, {
					method: body ? 'POST' : 'GET',
					headers: { 'content-type': 'application/json' },
					body: body ? JSON.stringify(body) : undefined,
				})
			).json();
		expect(await read()).toEqual(LEAST_FRIENDLY);
		expect(await read({ preset: 'friendly', progressPercent: false })).toEqual({
			...FRIENDLY,
			progressPercent: false,
		});
		expect(strict.readings.listIdleChannels).toBe(true);
		expect(await read({ listIdleChannels: 'no', unknown: 1 })).toEqual({
			...FRIENDLY,
			progressPercent: false,
		});
	});
});
