import http from 'http';
import type { IncomingMessage } from 'http';

/**
 * The part of n8n's node context that the transport uses (getCredentials, getNode,
 * helpers.httpRequestWithAuthentication with the credential's Bearer header), built on Node's
 * http module the way n8n-core builds it on axios: the stream encoding hands back the
 * IncomingMessage itself. It lets transport tests run against the emulator in milliseconds; the
 * same code paths inside a real n8n are covered by test/e2e.
 */

export interface RecordedCall {
	method: string;
	url: string;
}

export interface HttpContextOptions {
	baseUrl: string;
	token: string;
	cancelSignal?: AbortSignal;
}

interface RequestOptions {
	method?: string;
	url: string;
	qs?: Record<string, unknown>;
	headers?: Record<string, string>;
	body?: unknown;
	json?: boolean;
	encoding?: 'stream' | 'arraybuffer' | 'json';
	returnFullResponse?: boolean;
	ignoreHttpStatusErrors?: boolean;
	abortSignal?: AbortSignal;
}

function send(options: RequestOptions, token: string): Promise<unknown> {
	const url = new URL(options.url);
	for (const [key, value] of Object.entries(options.qs ?? {})) {
		if (value !== undefined) url.searchParams.set(key, String(value));
	}
	let payload: Buffer | undefined;
	const headers: Record<string, string> = { ...(options.headers ?? {}), authorization: `Bearer ${token}` };
	if (Buffer.isBuffer(options.body)) payload = options.body;
	else if (options.body !== undefined) {
		payload = Buffer.from(JSON.stringify(options.body));
		headers['content-type'] ??= 'application/json';
	}
	if (payload) headers['content-length'] = String(payload.length);

	return new Promise((resolve, reject) => {
		const request = http.request(url, { method: options.method ?? 'GET', headers, signal: options.abortSignal });
		request.on('error', reject);
		request.on('response', (response: IncomingMessage) => {
			const statusCode = response.statusCode ?? 0;
			const finish = (body: unknown) => {
				if (!options.ignoreHttpStatusErrors && (statusCode < 200 || statusCode >= 300)) {
					reject(Object.assign(new Error(`Request failed with status code ${statusCode}`), { statusCode }));
					return;
				}
				resolve(options.returnFullResponse ? { statusCode, headers: response.headers, body } : body);
			};
			if (options.encoding === 'stream') {
				finish(response);
				return;
			}
			const chunks: Buffer[] = [];
			response.on('data', (chunk: Buffer) => chunks.push(chunk));
			response.on('error', reject);
			response.on('end', () => {
				const bytes = Buffer.concat(chunks);
				if (options.encoding === 'arraybuffer') return finish(bytes);
				const text = bytes.toString('utf8');
				if (options.json || (response.headers['content-type'] ?? '').includes('json')) {
					try {
						return finish(text ? JSON.parse(text) : undefined);
					} catch {
						return finish(text);
					}
				}
				finish(text);
			});
		});
		request.end(payload);
	});
}

export function httpContext(options: HttpContextOptions) {
	const calls: RecordedCall[] = [];
	const node = { id: 'test', name: 'Midjourney', type: 'n8n-nodes-useapi-midjourney.midjourney', typeVersion: 1, position: [0, 0], parameters: {} };
	const ctx = {
		calls,
		getNode: () => node,
		getCredentials: async () => ({ apiToken: options.token, baseUrl: options.baseUrl }),
		getExecutionCancelSignal: () => options.cancelSignal,
		helpers: {
			httpRequestWithAuthentication: async function (_credential: string, request: RequestOptions) {
				calls.push({ method: request.method ?? 'GET', url: request.url });
				return await send(request, options.token);
			},
		},
	};
	return ctx;
}
