import http from 'http';
import type { AddressInfo } from 'net';
import type { IExecuteFunctions } from 'n8n-workflow';

import { httpContext } from '../helpers/httpContext';
import { runJob } from '../../nodes/Midjourney/helpers/waitForJob';

/**
 * A server that does what a broken connection does: the stream sends `initialized` (the job id)
 * and then the socket dies. The node must finish the job with GET jobs/{jobid}, not submit again.
 */
describe('stream dropped right after initialized', () => {
	const jobId = 'j1123000000000000001i-u1-c1100000000000000001-bot:midjourney';
	const seen: string[] = [];
	let server: http.Server;
	let baseUrl: string;
	let stall = false;

	beforeAll(async () => {
		server = http.createServer((request, response) => {
			seen.push(`${request.method} ${decodeURIComponent(request.url ?? '')}`);
			if (request.method === 'POST') {
				response.writeHead(200, { 'content-type': 'text/event-stream' });
				response.write(`data: {"event":"initialized","message":"Stream initialized","jobId":"${jobId}","seq":0,"ts":"10:00:00.000"}\n\n`);
				// stall mode: the connection stays open and silent until the client gives up on it
				if (!stall) setTimeout(() => response.socket?.destroy(), 20);
				return;
			}
			response.writeHead(200, { 'content-type': 'application/json' });
			response.end(
				JSON.stringify({
					jobid: jobId,
					verb: 'imagine',
					status: 'completed',
					created: new Date().toISOString(),
					request: { prompt: 'x' },
					response: { imageUx: [1, 2, 3, 4].map((id) => ({ id, url: `https://cdn.midjourney.com/u/0_${id - 1}.png` })) },
				}),
			);
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	afterAll(async () => {
		server.closeAllConnections();
		await new Promise((resolve) => server.close(resolve));
	});

	it('polls the job it already has and never submits twice', async () => {
		const ctx = httpContext({ baseUrl, token: 't' }) as unknown as IExecuteFunctions;
		const job = await runJob(
			ctx,
			0,
			{ path: '/v3/midjourney/jobs/imagine', body: { prompt: 'x' } },
			{ mode: 'stream', timeLimitMs: 5000, pollIntervalMs: 50, stallMs: 2000, busyRetry: { baseDelayMs: 10, maxAttempts: 1 } },
		);
		expect(job.status).toBe('completed');
		expect(seen.filter((line) => line.startsWith('POST'))).toHaveLength(1);
		expect(seen).toContain(`GET /v3/midjourney/jobs/${jobId}`);
	});

	it('gives up on a silent stream after the silence limit and polls', async () => {
		stall = true;
		seen.length = 0;
		const ctx = httpContext({ baseUrl, token: 't' }) as unknown as IExecuteFunctions;
		const started = Date.now();
		const job = await runJob(
			ctx,
			0,
			{ path: '/v3/midjourney/jobs/imagine', body: { prompt: 'x' } },
			{ mode: 'stream', timeLimitMs: 5000, pollIntervalMs: 50, stallMs: 300, busyRetry: { baseDelayMs: 10, maxAttempts: 1 } },
		);
		expect(job.status).toBe('completed');
		expect(Date.now() - started).toBeGreaterThanOrEqual(280);
		expect(seen.filter((line) => line.startsWith('POST'))).toHaveLength(1);
		expect(seen).toContain(`GET /v3/midjourney/jobs/${jobId}`);
	});
});
