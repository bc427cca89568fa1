import http from 'http';
import type { AddressInfo } from 'net';

import { executeContext } from '../helpers/n8nCore';
import { JobRun } from '../../nodes/Midjourney/engine/jobRun';
import { runJob } from '../../nodes/Midjourney/engine/waiting/runJob';

/**
 * A server that does what a broken connection does: the stream sends `initialized` (the job id)
 * and then the socket dies. The node reads the job once: already final, it is the result (no DELETE, no second submission).
 */
describe('stream dropped right after initialized', () => {
	const jobId = 'j1123000000000000001i-u1-c1100000000000000001-bot:midjourney';
	const seen: string[] = [];
	let server: http.Server;
	let baseUrl: string;
	let stall = false;
	const completedJob = () => ({
		jobid: jobId,
		verb: 'imagine',
		status: 'completed',
		created: new Date().toISOString(),
		request: { prompt: 'x' },
		response: {
			imageUx: [1, 2, 3, 4].map((id) => ({
				id,
				url: `https://cdn.midjourney.com/u/0_${id - 1}.png`,
			})),
		},
	});

	beforeAll(async () => {
		server = http.createServer((request, response) => {
			seen.push(`${request.method} ${decodeURIComponent(request.url ?? '')}`);
			if (request.method === 'POST') {
				response.writeHead(200, { 'content-type': 'text/event-stream' });
				response.write(
					`data: {"event":"initialized","message":"Stream initialized","jobId":"${jobId}","seq":0,"ts":"10:00:00.000"}\n\n`,
				);
				// quiet mode: the connection stays open and silent for a while, then the job completes
				if (!stall) setTimeout(() => response.socket?.destroy(), 20);
				else
					setTimeout(
						() =>
							response.end(
								`data: ${JSON.stringify({ event: 'midjourney_completed', job: completedJob(), seq: 1, ts: '10:00:01.200' })}\n\n`,
							),
						1_200,
					);
				return;
			}
			response.writeHead(200, { 'content-type': 'application/json' });
			response.end(JSON.stringify(completedJob()));
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	afterAll(async () => {
		server.closeAllConnections();
		await new Promise((resolve) => server.close(resolve));
	});

	it('reads the job it already has once and, finding it final, never submits twice', async () => {
		const ctx = executeContext({ credential: { baseUrl, token: 't' } });
		const job = await runJob(
			new JobRun(ctx),
			0,
			{ path: '/v3/midjourney/jobs/imagine', body: { prompt: 'x' } },
			{
				mode: 'stream',
				timeLimitMs: 5000,
				pollIntervalMs: 50,
				onStreamLoss: 'resubmit',
				busyRetry: { baseDelayMs: 10, maxAttempts: 1 },
			},
		);
		expect(job.status).toBe('completed');
		expect(seen.filter((line) => line.startsWith('POST'))).toHaveLength(1);
		expect(seen).toContain(`GET /v3/midjourney/jobs/${jobId}`);
	});

	it('keeps a silent stream open until its final event', async () => {
		stall = true;
		seen.length = 0;
		const ctx = executeContext({ credential: { baseUrl, token: 't' } });
		const started = Date.now();
		const job = await runJob(
			new JobRun(ctx),
			0,
			{ path: '/v3/midjourney/jobs/imagine', body: { prompt: 'x' } },
			{
				mode: 'stream',
				timeLimitMs: 5000,
				pollIntervalMs: 50,
				onStreamLoss: 'resubmit',
				busyRetry: { baseDelayMs: 10, maxAttempts: 1 },
			},
		);
		expect(job.status).toBe('completed');
		expect(Date.now() - started).toBeGreaterThanOrEqual(1_150);
		expect(seen).toEqual([`POST /v3/midjourney/jobs/imagine`]);
	});
});
