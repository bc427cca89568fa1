/**
 * A local stand-in for the useapi.net Midjourney API (v3, the v2 endpoints still in use, and the
 * CDN proxy), built from useapi.net's pages (https://useapi.net/docs/api-midjourney-v3 and the v2
 * pages under https://useapi.net/docs/api-v2). See README.md in this folder for the markers, faults,
 * the pages it follows and every choice made where the docs are silent.
 */
import http from 'http';
import type { IncomingMessage, ServerResponse } from 'http';
import type { Socket } from 'net';

import { AccountStore, DEFAULT_CHANNEL, DEFAULT_V2_CHANNEL } from './accounts';
import { takeFault, type App, type RequestContext, type ResolvedOptions } from './app';
import { CallbackSender } from './callbacks';
import {
	BodyTooLargeError,
	headerRecord,
	mediaTypeOf,
	parseBody,
	readBody,
	sendEmpty,
	sendJson,
} from './http-util';
import { JobEngine } from './jobs';
import { resolveReadings } from './readings';
import { CDN_PROXY_PATH, CdnProxy } from './proxy';
import { SseStream } from './sse';
import type {
	DeliveredCallback,
	Emulator,
	EmulatorOptions,
	Faults,
	Job,
	OccupyOptions,
	RecordedRequest,
} from './types';
import type { Readings } from './readings';
import { handleV2, V2_PREFIX } from './v2';
import { handleV3, V3_PREFIX } from './v3';

export * from './types';
export * from './readings';

const CONTROL_PREFIX = '/__emulator/';

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
	const resolved: ResolvedOptions = {
		host: options.host ?? '127.0.0.1',
		port: options.port ?? 0,
		token: options.token ?? 'test-token',
		jobDurationMs: options.jobDurationMs ?? 600,
		imageBytes: options.imageBytes ?? 64 * 64 * 3,
		keepAliveMs: options.keepAliveMs ?? 0,
		stuckTimeoutMs: options.stuckTimeoutMs ?? 14 * 60 * 1000,
		callbackTimeoutMs: options.callbackTimeoutMs ?? 5_000,
		readings: resolveReadings(options.readings),
	};
	const startReadings = { ...resolved.readings };
	const requests: RecordedRequest[] = [];
	const callbacks: DeliveredCallback[] = [];
	const faults: Faults = {};
	const accounts = new AccountStore(
		options.accounts ?? [
			{ channel: DEFAULT_CHANNEL, maxJobs: 3, maxImageJobs: 3, maxVideoJobs: 3 },
			{ channel: DEFAULT_V2_CHANNEL, api: 'v2', maxJobs: 3 },
		],
	);
	const sender = new CallbackSender(callbacks, resolved.callbackTimeoutMs, resolved.readings);
	const engine = new JobEngine(resolved, accounts, sender);
	const proxy = new CdnProxy(resolved.imageBytes);
	const streams = new Set<SseStream>();
	const sockets = new Set<Socket>();
	let submissions = 0;
	let closed = false;

	const app: App = {
		options: resolved,
		accounts,
		engine,
		faults,
		openStream(res, job) {
			const stream = new SseStream(res, job, engine, resolved, (finished) =>
				streams.delete(finished),
			);
			streams.add(stream);
			stream.start();
		},
		countSubmission() {
			submissions++;
		},
	};

	/** 401/402 in each API's error shape: v3 `{ error }`, v2 and the v1 proxy `{ error, code }`. */
	function authorize(
		headers: Record<string, string>,
		withCode: boolean,
	): { status: number; body: unknown } | undefined {
		const match = /^Bearer\s+(.+)$/i.exec((headers.authorization ?? '').trim());
		const token = match?.[1].trim();
		let status: number | undefined;
		let error = '';
		if (token === 'no-subscription') {
			status = 402;
			error = 'Account has no subscription or subscription expired';
		} else if (!token || token !== resolved.token) {
			status = 401;
			error = 'Unauthorized';
		}
		if (status === undefined) return undefined;
		return { status, body: withCode ? { error, code: status } : { error } };
	}

	async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://emulator.local');
		if (url.pathname.startsWith(CONTROL_PREFIX)) return control(req, res, url);
		const time = Date.now();
		const method = (req.method ?? 'GET').toUpperCase();
		const headers = headerRecord(req);
		const record: RecordedRequest = {
			method,
			path: url.pathname,
			query: Object.fromEntries(url.searchParams),
			headers,
			body: undefined,
			contentType: mediaTypeOf(headers['content-type']),
			time,
		};
		let raw: Buffer;
		try {
			raw = await readBody(req);
		} catch (error) {
			requests.push(record);
			if (error instanceof BodyTooLargeError)
				return sendJson(res, 413, { error: 'Request body too large' });
			throw error;
		}
		const parsed = await parseBody(raw, headers['content-type']);
		record.body = parsed.recorded;
		// Recorded before answering, so a test sees the request even if the answer is a dropped socket.
		requests.push(record);

		const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
		const ctx: RequestContext = { req, res, url, params: parsed.params, bodyError: parsed.error };
		if (path === V3_PREFIX || path.startsWith(`${V3_PREFIX}/`)) {
			const denied = authorize(headers, false);
			if (denied) return sendJson(res, denied.status, denied.body);
			if (!handleV3(app, ctx, method, path.slice(V3_PREFIX.length)))
				sendJson(res, 404, { error: 'Not found' });
			return;
		}
		if (path.startsWith(`${V2_PREFIX}/`)) {
			const denied = authorize(headers, true);
			if (denied) return sendJson(res, denied.status, denied.body);
			if (!handleV2(app, ctx, method, path.slice(V2_PREFIX.length)))
				sendJson(res, 404, { error: 'Not found', code: 404 });
			return;
		}
		if (path === CDN_PROXY_PATH) {
			const denied = authorize(headers, true);
			if (denied) return sendJson(res, denied.status, denied.body);
			if (method !== 'GET' && method !== 'HEAD')
				return sendJson(res, 405, { error: 'Method not allowed', code: 405 });
			proxy.handle(res, url.searchParams.get('cdnUrl'), () =>
				takeFault(faults, 'stallMediaBodyNext'),
			);
			return;
		}
		sendJson(res, 404, { error: 'Not found' });
	}

	/** Test control endpoints for the standalone emulator (never recorded). */
	async function control(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
		const method = (req.method ?? 'GET').toUpperCase();
		const route = url.pathname.slice(CONTROL_PREFIX.length).replace(/\/+$/, '');
		const raw = await readBody(req).catch(() => Buffer.alloc(0));
		const body = (await parseBody(raw, req.headers['content-type'] ?? 'application/json')).params;
		if (method === 'GET' && route === 'requests') {
			// The token never leaves the process: only whether it matched is shown.
			return sendJson(
				res,
				200,
				requests.map((entry) => ({
					...entry,
					headers: entry.headers.authorization
						? {
								...entry.headers,
								authorization: redactAuthorization(entry.headers.authorization, resolved.token),
							}
						: entry.headers,
				})),
			);
		}
		if (method === 'GET' && route === 'callbacks') return sendJson(res, 200, callbacks);
		if (method === 'GET' && route === 'submissions')
			return sendJson(res, 200, {
				submissions,
				jobsCreated: engine.count(),
				maxRunningJobs: engine.maxRunning(),
			});
		if (method === 'POST' && route === 'reset') {
			emulator.reset();
			return sendEmpty(res, 204);
		}
		if (route === 'faults' && (method === 'GET' || method === 'POST')) {
			if (method === 'POST') {
				for (const [name, value] of Object.entries(body)) {
					if (typeof value === 'number' || value === null)
						(faults as Record<string, unknown>)[name] = value ?? undefined;
				}
			}
			return sendJson(res, 200, faults);
		}
		if (route === 'readings' && (method === 'GET' || method === 'POST')) {
			if (method === 'POST') {
				const preset = typeof body.preset === 'string' ? body.preset : undefined;
				try {
					if (preset) Object.assign(resolved.readings, resolveReadings(preset as never));
				} catch (error) {
					return sendJson(res, 400, { error: (error as Error).message });
				}
				for (const [name, value] of Object.entries(body)) {
					if (
						name in resolved.readings &&
						typeof value === typeof resolved.readings[name as keyof Readings]
					)
						(resolved.readings as unknown as Record<string, unknown>)[name] = value;
				}
			}
			return sendJson(res, 200, resolved.readings);
		}
		if (method === 'POST' && route === 'occupy') {
			try {
				const jobIds = emulator.occupy({
					channel: typeof body.channel === 'string' ? body.channel : undefined,
					forMs: Number(body.forMs),
					jobs: typeof body.jobs === 'number' ? body.jobs : undefined,
					jobType: body.jobType === 'video' ? 'video' : 'image',
				});
				return sendJson(res, 200, { jobIds });
			} catch (error) {
				return sendJson(res, 400, { error: (error as Error).message });
			}
		}
		if (method === 'POST' && route === 'channel-error') {
			const channel = typeof body.channel === 'string' ? body.channel : '';
			const error = typeof body.error === 'string' ? body.error : null;
			if (!accounts.any(channel))
				return sendJson(res, 404, { error: `Channel ${channel} is not configured` });
			emulator.setChannelError(channel, error);
			return sendEmpty(res, 204);
		}
		if (method === 'GET' && route === 'jobs') return sendJson(res, 200, emulator.listJobs());
		if (method === 'GET' && route.startsWith('jobs/')) {
			const job = emulator.getJob(decodeURIComponent(route.slice('jobs/'.length)));
			return job ? sendJson(res, 200, job) : sendJson(res, 404, { error: 'Job not found' });
		}
		sendJson(res, 404, { error: 'Unknown control endpoint' });
	}

	const server = http.createServer((req, res) => {
		handle(req, res).catch((error: Error) => {
			if (!res.headersSent) sendJson(res, 500, { error: `Emulator error: ${error.message}` });
			else res.destroy();
		});
	});
	server.on('connection', (socket: Socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(resolved.port, resolved.host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : resolved.port;
	const host = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;

	const emulator: Emulator = {
		url: `http://${host}:${port}`,
		port,
		requests,
		callbacks,
		faults,
		submissions: () => submissions,
		jobsCreated: () => engine.count(),
		maxRunningJobs: () => engine.maxRunning(),
		getJob(jobid: string): Job | undefined {
			const job = engine.get(jobid);
			return job ? engine.render(job) : undefined;
		},
		listJobs: () => [...engine.jobs.values()].map((job) => engine.render(job)),
		callbacksSettled: () => sender.idle(),
		readings: resolved.readings,
		occupy(occupation: OccupyOptions): string[] {
			return engine.occupy(occupation);
		},
		setChannelError(channel: string, error: string | null) {
			accounts.setError(channel, error ?? undefined);
		},
		reset() {
			for (const stream of [...streams]) stream.destroy();
			streams.clear();
			engine.clear();
			sender.reset();
			requests.length = 0;
			callbacks.length = 0;
			for (const name of Object.keys(faults)) delete (faults as Record<string, unknown>)[name];
			accounts.restore();
			Object.assign(resolved.readings, startReadings);
			proxy.reset();
			submissions = 0;
		},
		async close() {
			if (closed) return;
			closed = true;
			for (const stream of [...streams]) stream.destroy();
			streams.clear();
			engine.clear();
			sender.close();
			const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
			for (const socket of sockets) socket.destroy();
			sockets.clear();
			await stopped;
		},
	};
	return emulator;
}

function redactAuthorization(value: string, token: string): string {
	const match = /^Bearer\s+(.+)$/i.exec(value.trim());
	if (!match) return '[redacted]';
	return match[1].trim() === token
		? 'Bearer [redacted: the configured token]'
		: 'Bearer [redacted: another token]';
}
