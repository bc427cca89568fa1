import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

import {
	declaredSizeProblem,
	guardBody,
	mediaRoute,
	sameOriginRedirect,
	type BodyStream,
} from './mediaPolicy';
import { apiRequest } from './request';
import { REQUEST_TIMEOUT_MS, sleepUnlessAborted } from './retryPolicy';
import { sessionOf, type ApiCaller, type ApiSession } from './session';

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

function fileNameOf(url: string): string {
	try {
		const parts = new URL(url).pathname.split('/').filter(Boolean);
		// cdn.midjourney.com/<job uuid>/0_1.png → <job uuid>_0_1.png, so four grid images keep apart.
		return parts.slice(-2).join('_') || 'media';
	} catch {
		return 'media';
	}
}

type ResponseBody = Readable & BodyStream;

/** How a file may arrive: its size limit (the Max File Size option) in bytes. */
export interface MediaLimits {
	maxBytes: number;
}

const WHAT = 'Media download';

function sizeError(session: ApiSession, itemIndex: number | undefined, problem: string) {
	return new NodeOperationError(session.ctx.getNode(), problem, {
		itemIndex,
		description: 'Raise "Max File Size" in the options if the file is expected to be this large.',
	});
}

/** Downloads an image or video from Midjourney's CDN through useapi.net's proxy, as a stream. */
export async function downloadCdnMedia(
	api: ApiCaller,
	cdnUrl: string,
	itemIndex: number | undefined,
	limits: MediaLimits,
): Promise<MediaDownload> {
	const session = sessionOf(api);
	// A user's stop ends the pause between two tries.
	const stopSignal = session.cancelSignal;
	for (let attempt = 0; ; attempt++) {
		const response = await apiRequest<ResponseBody>(session, {
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
		const tooLarge = declaredSizeProblem(response.headers, limits.maxBytes, WHAT);
		if (tooLarge) {
			response.body.destroy();
			throw sizeError(session, itemIndex, tooLarge);
		}
		const mimeType = (response.headers['content-type'] ?? 'application/octet-stream')
			.split(';')[0]
			.trim();
		return {
			stream: guardBody(response.body, {
				idleMs: REQUEST_TIMEOUT_MS.download,
				maxBytes: limits.maxBytes,
				what: WHAT,
			}),
			mimeType,
			fileName: fileNameOf(cdnUrl),
		};
	}
}

/** Redirects followed on the same host (a CDN may move a file); one to another host fails the file. */
const MAX_SAME_HOST_REDIRECTS = 3;

/**
 * Downloads a file from Discord's attachment CDN or the Base URL's own host. These URLs are public
 * (Discord's are signed), so the API token is not sent to them.
 */
async function downloadDirectMedia(
	session: ApiSession,
	url: string,
	itemIndex: number | undefined,
	limits: MediaLimits,
): Promise<MediaDownload> {
	const { ctx } = session;
	// Ends the request when its body stalls or grows too large, and when the user stops the execution.
	const controller = new AbortController();
	const cancel = session.cancelSignal;
	const abortSignal = cancel ? AbortSignal.any([controller.signal, cancel]) : controller.signal;
	let current = url;
	for (let hop = 0; ; hop++) {
		const response = (await ctx.helpers.httpRequest({
			method: 'GET',
			url: current,
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			timeout: REQUEST_TIMEOUT_MS.download,
			abortSignal,
		})) as { statusCode: number; body: ResponseBody; headers?: Record<string, string> };
		const { statusCode, headers } = response;
		if (statusCode >= 300 && statusCode < 400 && headers?.location) {
			response.body.destroy();
			const next = sameOriginRedirect(current, String(headers.location));
			if (!next || hop >= MAX_SAME_HOST_REDIRECTS) {
				throw new NodeOperationError(
					ctx.getNode(),
					next
						? `${WHAT}: more than ${MAX_SAME_HOST_REDIRECTS} redirects`
						: `${WHAT}: ${new URL(current).hostname} redirected to another host, which is not followed`,
					{ itemIndex },
				);
			}
			current = next;
			continue;
		}
		if (statusCode < 200 || statusCode >= 300) {
			response.body.destroy();
			throw new NodeOperationError(
				ctx.getNode(),
				`${WHAT} failed: ${new URL(current).hostname} answered ${statusCode}`,
				{ itemIndex },
			);
		}
		const tooLarge = declaredSizeProblem(headers, limits.maxBytes, WHAT);
		if (tooLarge) {
			response.body.destroy();
			throw sizeError(session, itemIndex, tooLarge);
		}
		return {
			stream: guardBody(response.body, {
				idleMs: REQUEST_TIMEOUT_MS.download,
				maxBytes: limits.maxBytes,
				what: WHAT,
				abort: () => controller.abort(),
			}),
			mimeType: String(headers?.['content-type'] ?? '')
				.split(';')[0]
				.trim(),
			fileName: new URL(url).pathname.split('/').pop() || 'media',
		};
	}
}

/**
 * Opens a media file of a job for reading, from the hosts the docs name only (see mediaPolicy): a
 * URL elsewhere, over plain http (except on this machine) or with a password in it fails its item
 * before any request.
 */
export async function openMedia(
	api: ApiCaller,
	url: string,
	itemIndex: number | undefined,
	limits: MediaLimits,
): Promise<MediaDownload> {
	const session = sessionOf(api);
	const route = mediaRoute(url, await session.baseUrl());
	if (typeof route === 'object') {
		throw new NodeOperationError(session.ctx.getNode(), `${WHAT} refused: ${route.refused}`, {
			itemIndex,
			description:
				"Media is fetched only from the hosts useapi.net's docs name: cdn.midjourney.com (through useapi.net's proxy), Discord's attachment CDN, and the Base URL's own host.",
		});
	}
	return route === 'cdnProxy'
		? await downloadCdnMedia(session, url, itemIndex, limits)
		: await downloadDirectMedia(session, url, itemIndex, limits);
}
