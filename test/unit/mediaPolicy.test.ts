import * as http from 'http';
import type { AddressInfo } from 'net';
import { PassThrough, Readable } from 'stream';

import { executeContext } from '../helpers/n8nCore';
import { useUnitEmulator } from '../helpers/unitEmulator';
import { JobRun } from '../../nodes/Midjourney/engine/jobRun';
import { jobItems, outputOptionsFrom } from '../../nodes/Midjourney/engine/output/jobOutput';
import {
	guardBody,
	isLoopbackHost,
	mediaRoute,
	sameOriginRedirect,
} from '../../nodes/Midjourney/transport/mediaPolicy';
import type { Job } from '../../nodes/Midjourney/transport/types';

/** Issue 20 (5): which media URLs are fetched, and how a media body is bounded. */

describe('mediaRoute', () => {
	const base = 'https://api.useapi.net';

	it.each([
		['https://cdn.midjourney.com/abc/0_0.png', 'cdnProxy'],
		['https://cdn.discordapp.com/attachments/1/2/grid.png', 'direct'],
		['https://media.discordapp.net/attachments/1/2/grid.png', 'direct'],
		['https://api.useapi.net/some/media.png', 'direct'],
	])('%s → %s', (url, route) => {
		expect(mediaRoute(url, base)).toBe(route);
	});

	it.each([
		['https://evil.example/grid.png', /evil.example is not a media host/],
		['https://cdn.discordapp.com.evil.example/x.png', /is not a media host/],
		['http://cdn.discordapp.com/attachments/1/2/grid.png', /only https:\/\//],
		['http://cdn.midjourney.com/abc/0_0.png', /only https:\/\//],
		['ftp://cdn.discordapp.com/x.png', /only https:\/\//],
		['https://user:pass@cdn.discordapp.com/x.png', /user name or password/],
		['not a url', /not a URL/],
	])('refuses %s', (url, reason) => {
		const route = mediaRoute(url, base);
		expect(typeof route).toBe('object');
		expect((route as { refused: string }).refused).toMatch(reason);
	});

	it('http only on this machine (the tests’ emulator), and only its own host', () => {
		expect(mediaRoute('http://127.0.0.1:9/x.png', 'http://127.0.0.1:5000')).toBe('direct');
		expect(mediaRoute('http://localhost:9/x.png', 'http://localhost:5000')).toBe('direct');
		expect(mediaRoute('http://127.0.0.1:9/x.png', base)).toMatchObject({
			refused: expect.stringMatching(/127.0.0.1 is not a media host/),
		});
		expect(isLoopbackHost('[::1]')).toBe(true);
		expect(isLoopbackHost('127.255.0.1')).toBe(true);
		expect(isLoopbackHost('128.0.0.1')).toBe(false);
		expect(isLoopbackHost('localhost.evil.example')).toBe(false);
	});

	it('a redirect is followed only on the same host', () => {
		expect(sameOriginRedirect('https://cdn.discordapp.com/a', '/b')).toBe(
			'https://cdn.discordapp.com/b',
		);
		expect(sameOriginRedirect('https://cdn.discordapp.com/a', 'https://evil.example/b')).toBe(
			undefined,
		);
		expect(sameOriginRedirect('https://cdn.discordapp.com/a', 'http://cdn.discordapp.com/b')).toBe(
			undefined,
		);
	});
});

describe('guardBody', () => {
	it('fails a body that falls silent for the stall timeout', async () => {
		const body = new PassThrough();
		let aborted = false;
		guardBody(body, {
			idleMs: 300,
			maxBytes: 1000,
			what: 'Media download',
			abort: () => (aborted = true),
		});
		const started = Date.now();
		const failure = new Promise<Error>((resolve) => body.on('error', resolve));
		body.on('data', () => undefined);
		body.write(Buffer.alloc(10));
		const error = await failure;
		expect(error.message).toBe('Media download stalled: no data for 0 seconds');
		expect(Date.now() - started).toBeGreaterThanOrEqual(290);
		expect(Date.now() - started).toBeLessThan(2000);
		expect(aborted).toBe(true);
	});

	it("tells the reader even when the stream's destroy emits nothing (n8n 2.x's wrapped response)", async () => {
		// As measured with n8n-core 2.41: destroyed becomes true, but no 'error' or 'close' follows.
		const body = new Readable({ read: () => undefined, destroy: () => undefined });
		guardBody(body, { idleMs: 300, maxBytes: 1000, what: 'Media download' });
		const chunks: Buffer[] = [];
		const reading = new Promise<string>((resolve) => {
			body.on('data', (chunk: Buffer) => chunks.push(chunk));
			body.on('end', () => resolve('ended'));
			body.on('error', (error) => resolve(error.message));
		});
		body.push(Buffer.alloc(10));
		expect(await reading).toBe('Media download stalled: no data for 0 seconds');
		expect(body.destroyed).toBe(true);
	});

	it('lets a body that keeps arriving through, whatever its length in time', async () => {
		const body = new PassThrough();
		guardBody(body, { idleMs: 300, maxBytes: 10_000, what: 'Media download' });
		const chunks: Buffer[] = [];
		body.on('data', (chunk: Buffer) => chunks.push(chunk));
		const ended = new Promise<void>((resolve, reject) => {
			body.on('end', resolve);
			body.on('error', reject);
		});
		for (let index = 0; index < 6; index++) {
			body.write(Buffer.alloc(100));
			await new Promise((resolve) => setTimeout(resolve, 150));
		}
		body.end();
		await ended;
		expect(Buffer.concat(chunks)).toHaveLength(600);
	});

	it('fails a body larger than the limit, whoever reads it and however', async () => {
		const body = new PassThrough();
		guardBody(body, { idleMs: 5000, maxBytes: 250, what: 'Media download' });
		const failure = new Promise<Error>((resolve) => body.on('error', resolve));
		// Read as n8n's binary store may: through an async iterator (paused mode), not 'data' listeners.
		const reading = (async () => {
			let bytes = 0;
			for await (const chunk of body) bytes += (chunk as Buffer).length;
			return bytes;
		})().catch(() => 'failed');
		for (let index = 0; index < 5; index++) body.write(Buffer.alloc(100));
		expect((await failure).message).toBe(
			'Media download: the file is larger than the limit of 0 MB (Max File Size)',
		);
		expect(await reading).toBe('failed');
	});
});

/** The same policy as jobs' media is downloaded, in n8n-core, against loopback servers. */
describe('downloading a job’s media', () => {
	const { emulator, credential } = useUnitEmulator();
	let server: http.Server;
	let port = 0;
	let requests: string[] = [];

	beforeAll(async () => {
		server = http.createServer((req, res) => {
			requests.push(req.url ?? '');
			if (req.url === '/moved') return res.writeHead(302, { location: '/grid.png' }).end();
			if (req.url === '/elsewhere')
				return res.writeHead(302, { location: `http://localhost:${port}/grid.png` }).end();
			if (req.url === '/big')
				return res
					.writeHead(200, {
						'content-type': 'image/png',
						'content-length': String(3 * 1024 * 1024),
					})
					.end(Buffer.alloc(3 * 1024 * 1024));
			if (req.url === '/big-undeclared') {
				res.writeHead(200, { 'content-type': 'image/png' });
				res.write(Buffer.alloc(2 * 1024 * 1024));
				return res.end(Buffer.alloc(1024 * 1024));
			}
			return res
				.writeHead(200, { 'content-type': 'image/png' })
				.end(Buffer.from('89504e470d0a1a0a', 'hex'));
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		port = (server.address() as AddressInfo).port;
	});
	afterAll(async () => await new Promise((resolve) => server.close(resolve)));
	beforeEach(() => (requests = []));

	const job = (url: string) =>
		({
			jobid: 'j1',
			verb: 'imagine',
			status: 'completed',
			response: { attachments: [{ url }] },
		}) as unknown as Job;

	const download = async (url: string, maxFileSizeMb = 250) =>
		await jobItems(
			new JobRun(executeContext({ credential: credential() })),
			0,
			[job(url)],
			outputOptionsFrom({ download: 'combined', maxFileSizeMb }),
		);

	async function failureOf(promise: Promise<unknown>): Promise<Error> {
		try {
			await promise;
		} catch (error) {
			return error as Error;
		}
		throw new Error('expected the download to fail');
	}

	it("fetches a file on the Base URL's own host, following a redirect on that host", async () => {
		expect(emulator().url).toMatch(/^http:\/\/127\.0\.0\.1:/);
		const items = await download(`http://127.0.0.1:${port}/moved`);
		expect(items[0].binary?.data_1).toBeDefined();
		expect(requests).toEqual(['/moved', '/grid.png']);
	});

	it('does not follow a redirect to another host', async () => {
		const error = await failureOf(download(`http://127.0.0.1:${port}/elsewhere`));
		expect(error.message).toBe(
			'Media download: 127.0.0.1 redirected to another host, which is not followed',
		);
		expect(requests).toEqual(['/elsewhere']);
	});

	it('refuses a host the docs do not name, before any request', async () => {
		const error = await failureOf(download(`http://localhost:${port}/grid.png`));
		expect(error.message).toMatch(/^Media download refused: localhost is not a media host/);
		expect(requests).toEqual([]);
	});

	it('fails a file above Max File Size: by its declared size before reading, else while reading', async () => {
		const declared = await failureOf(download(`http://127.0.0.1:${port}/big`, 2));
		expect(declared.message).toBe(
			'Media download: the file is 3 MB, larger than the limit of 2 MB (Max File Size)',
		);
		const counted = await failureOf(download(`http://127.0.0.1:${port}/big-undeclared`, 2));
		expect(counted.message).toMatch(/larger than the limit of 2 MB \(Max File Size\)/);
	});
});
