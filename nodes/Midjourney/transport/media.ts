import type { IExecuteFunctions } from 'n8n-workflow';

import { apiRequest } from './request';
import { REQUEST_TIMEOUT_MS, sleepUnlessAborted } from './retryPolicy';
import { sessionOf, type ApiCaller } from './session';

/** A readable stream as n8n's binary data store takes it (node code may not import 'stream'). */
type Readable = Exclude<Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0], Buffer>;

export const CDN_PROXY_PATH = '/v1/proxy/cdn-midjourney/';
export const CDN_PREFIX = 'https://cdn.midjourney.com/';

/** The docs: Cloudflare occasionally answers 403 to the proxy; it is temporary, retry with exponential backoff. */
const FORBIDDEN_RETRIES = 4;
const FORBIDDEN_BASE_DELAY_MS = 500;

/**
 * A media file as it arrives: its body is a stream, read once by n8n's binary data store, so a file
 * is never held whole in memory (with n8n's filesystem binary mode it goes straight to disk).
 */
export interface MediaDownload {
	stream: Readable;
	mimeType: string;
	fileName: string;
}

type BodyStream = Readable & { setTimeout?: (ms: number, callback: () => void) => unknown };

/**
 * A body that falls silent for longer than `idleMs` ends with an error instead of hanging the item:
 * the request's own timeout covers only the wait for the headers.
 */
export function withIdleTimeout(stream: BodyStream, idleMs: number, what: string): Readable {
	stream.setTimeout?.(idleMs, () => {
		stream.destroy(new Error(`${what}: no data for ${Math.round(idleMs / 1000)} seconds`));
	});
	return stream;
}

function fileNameOf(url: string): string {
	try {
		const parts = new URL(url).pathname.split('/').filter(Boolean);
		// cdn.midjourney.com/<job uuid>/0_1.png → <job uuid>_0_1.png, so four grid images keep apart.
		return parts.slice(-2).join('_') || 'media';
	} catch {
		return 'media';
	}
}

/** Downloads an image or video from Midjourney's CDN through useapi.net's proxy, as a stream. */
export async function downloadCdnMedia(
	api: ApiCaller,
	cdnUrl: string,
	itemIndex?: number,
): Promise<MediaDownload> {
	const session = sessionOf(api);
	// A user's stop ends the pause between two tries.
	const stopSignal = session.cancelSignal;
	for (let attempt = 0; ; attempt++) {
		const response = await apiRequest<BodyStream>(session, {
			method: 'GET',
			path: CDN_PROXY_PATH,
			qs: { cdnUrl },
			encoding: 'stream',
			itemIndex,
			acceptStatuses: attempt < FORBIDDEN_RETRIES ? [403] : [],
			timeoutMs: REQUEST_TIMEOUT_MS.download,
		});
		if (response.statusCode === 403) {
			response.body.destroy();
			await sleepUnlessAborted(FORBIDDEN_BASE_DELAY_MS * Math.pow(2, attempt), stopSignal);
			continue;
		}
		const mimeType = (response.headers['content-type'] ?? 'application/octet-stream')
			.split(';')[0]
			.trim();
		return {
			stream: withIdleTimeout(response.body, REQUEST_TIMEOUT_MS.download, 'Media download stalled'),
			mimeType,
			fileName: fileNameOf(cdnUrl),
		};
	}
}
