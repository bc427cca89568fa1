import { sleep } from 'n8n-workflow';

import { apiRequest, type ApiContext } from './request';

export const CDN_PROXY_PATH = '/v1/proxy/cdn-midjourney/';
export const CDN_PREFIX = 'https://cdn.midjourney.com/';

/** The docs: Cloudflare occasionally answers 403 to the proxy; it is temporary, retry with exponential backoff. */
const FORBIDDEN_RETRIES = 4;
const FORBIDDEN_BASE_DELAY_MS = 500;

export interface DownloadedMedia {
	data: Buffer;
	mimeType: string;
	fileName: string;
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

/** Downloads an image or video from Midjourney's CDN through useapi.net's proxy. */
export async function downloadCdnMedia(
	ctx: ApiContext,
	cdnUrl: string,
	itemIndex?: number,
): Promise<DownloadedMedia> {
	for (let attempt = 0; ; attempt++) {
		const response = await apiRequest<Buffer>(ctx, {
			method: 'GET',
			path: CDN_PROXY_PATH,
			qs: { cdnUrl },
			encoding: 'arraybuffer',
			itemIndex,
			acceptStatuses: attempt < FORBIDDEN_RETRIES ? [403] : [],
		});
		if (response.statusCode === 403) {
			await sleep(FORBIDDEN_BASE_DELAY_MS * Math.pow(2, attempt));
			continue;
		}
		const mimeType = (response.headers['content-type'] ?? 'application/octet-stream').split(';')[0].trim();
		return { data: Buffer.isBuffer(response.body) ? response.body : Buffer.from(response.body), mimeType, fileName: fileNameOf(cdnUrl) };
	}
}
