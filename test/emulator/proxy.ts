/**
 * GET /v1/proxy/cdn-midjourney/?cdnUrl=https://cdn.midjourney.com/…
 * (https://useapi.net/docs/api-midjourney-v3/get-proxy-cdn-midjourney).
 * Serves generated media instead of fetching: a real PNG for images, MP4-shaped bytes for .mp4.
 */
import type { ServerResponse } from 'http';

import { sendJson } from './http-util';
import { makeMp4, makePng } from './media';

export const CDN_PROXY_PATH = '/v1/proxy/cdn-midjourney';
const CDN_PREFIX = 'https://cdn.midjourney.com/';

export class CdnProxy {
	/** URLs containing `emu-403` already answered 403 once (the next request succeeds). */
	private forbiddenOnce = new Set<string>();

	constructor(private readonly imageBytes: number) {}

	reset(): void {
		this.forbiddenOnce.clear();
	}

	/** `stall()` says whether this answer is one the stallMediaBodyNext fault stalls. */
	handle(res: ServerResponse, cdnUrl: string | null, stall: () => boolean = () => false): void {
		if (!cdnUrl || !cdnUrl.startsWith(CDN_PREFIX) || !isUrl(cdnUrl)) {
			sendJson(res, 400, {
				error: `Parameter cdnUrl is required and must start with ${CDN_PREFIX}`,
				code: 400,
			});
			return;
		}
		if (cdnUrl.includes('emu-403') && !this.forbiddenOnce.has(cdnUrl)) {
			this.forbiddenOnce.add(cdnUrl);
			// Cloudflare's occasional block, "typically temporary and can be resolved with retry logic".
			sendJson(res, 403, {
				error:
					'Forbidden: the Midjourney CDN (Cloudflare) blocked the request, retry with exponential backoff',
				code: 403,
			});
			return;
		}
		const pathname = new URL(cdnUrl).pathname.toLowerCase();
		const video = pathname.endsWith('.mp4');
		const body = video ? makeMp4(cdnUrl, this.imageBytes) : makePng(cdnUrl, this.imageBytes);
		const filename = pathname.split('/').filter(Boolean).pop() ?? 'media';
		// .jpeg/.webp/.png (and anything else) are all answered with PNG bytes and say so in content-type.
		res.writeHead(200, {
			'content-type': video ? 'video/mp4' : 'image/png',
			'content-length': String(body.length),
			'cache-control': 'public, max-age=31536000, immutable',
			'content-disposition': `inline; filename="${filename}"`,
			'access-control-allow-origin': '*',
		});
		if (stall()) {
			// Half the file, then silence: the socket stays open until the client gives up or close().
			res.write(body.subarray(0, Math.floor(body.length / 2)));
			return;
		}
		res.end(body);
	}
}

function isUrl(text: string): boolean {
	try {
		new URL(text);
		return true;
	} catch {
		return false;
	}
}
