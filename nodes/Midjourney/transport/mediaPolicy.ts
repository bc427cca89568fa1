/**
 * Which media URLs the node fetches, and how a media body is bounded while it arrives. Media URLs
 * come from jobs, and in the trigger with Verify With API off from whatever was POSTed to it, so
 * they are fetched only from the hosts the useapi.net docs name, over https, without following a
 * redirect to another host, with a size limit per file and a stall timeout.
 */
import { sleep } from 'n8n-workflow';

/** Midjourney's CDN: fetched through useapi.net's proxy (https://useapi.net/docs/api-midjourney-v3/get-proxy-cdn-midjourney). */
export const CDN_HOST = 'cdn.midjourney.com';
/**
 * Discord's attachment CDN, where U children and grids are attached (the jobs' `attachments[].url`
 * and `proxy_url` in the docs' examples).
 */
export const DISCORD_MEDIA_HOSTS = ['cdn.discordapp.com', 'media.discordapp.net'];

/** A file larger than this fails its item unless the option says otherwise: room for a long HD video. */
export const DEFAULT_MAX_FILE_SIZE_MB = 250;
export const MAX_FILE_SIZE_LIMIT_MB = 10_240;

export type MediaRoute = 'cdnProxy' | 'direct';

/** 127.0.0.0/8, ::1 and localhost: a server on the same machine (a local emulator, a test). */
export function isLoopbackHost(hostname: string): boolean {
	const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
	return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * How a media URL is fetched, or why it is not: `cdnProxy` for Midjourney's CDN (through the
 * Base URL's proxy, with the token), `direct` for Discord's attachment CDN and the Base URL's own
 * host (without the token). Everything else is refused before any request.
 */
export function mediaRoute(url: string, baseUrl: string): MediaRoute | { refused: string } {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return { refused: `not a URL: "${url.slice(0, 100)}"` };
	}
	if (parsed.username || parsed.password)
		return { refused: 'the media URL has a user name or password in it' };
	const loopback = isLoopbackHost(parsed.hostname);
	if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback))
		return { refused: `only https:// media URLs are fetched, got ${parsed.protocol}//` };
	const host = parsed.hostname.toLowerCase();
	if (host === CDN_HOST) return 'cdnProxy';
	if (DISCORD_MEDIA_HOSTS.includes(host)) return 'direct';
	let baseHost = '';
	try {
		baseHost = new URL(baseUrl).hostname.toLowerCase();
	} catch {
		// An unusable Base URL fails the request that uses it.
	}
	if (host === baseHost) return 'direct';
	return {
		refused: `${host} is not a media host of useapi.net (${[CDN_HOST, ...DISCORD_MEDIA_HOSTS].join(', ')} or the Base URL's host)`,
	};
}

/** Whether a redirect from `from` to `location` stays on the same host and scheme. */
export function sameOriginRedirect(from: string, location: string): string | undefined {
	try {
		const next = new URL(location, from);
		return next.origin === new URL(from).origin ? next.toString() : undefined;
	} catch {
		return undefined;
	}
}

/** A readable body as n8n's binary store takes it (node code may not import 'stream'). */
export interface BodyStream {
	emit(event: string | symbol, ...args: unknown[]): boolean;
	destroy(error?: Error): unknown;
}

export interface BodyLimits {
	/** The longest silence of the body before it fails. */
	idleMs: number;
	/** The most bytes the body may have. */
	maxBytes: number;
	/** Names the file in the errors, e.g. "Media download". */
	what: string;
	/** Also ends the request itself (its abort controller), when the body stalls or grows too large. */
	abort?: () => void;
}

/** How often the stall watch looks at the body: the stall is noticed at most this late. */
const STALL_CHECK_MS = 1000;

function megabytes(bytes: number): string {
	return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
}

/**
 * Bounds a media body while it is read: it fails (the stream is destroyed with an error, so n8n's
 * binary store rejects and the item fails) when no data arrived for `idleMs`, or when it passes
 * `maxBytes`. It watches the chunks as they are emitted to whoever reads the stream, so it changes
 * neither the stream's mode nor its reader, and it uses n8n's `sleep` instead of a timer of its own:
 * a socket timeout on the body is not there on n8n 2.x's wrapped response streams.
 */
export function guardBody<T extends BodyStream>(stream: T, limits: BodyLimits): T {
	let bytes = 0;
	let lastDataAt = Date.now();
	let finished = false;
	let errorEmitted = false;
	const emit = stream.emit;
	const fail = (message: string) => {
		if (finished) return;
		finished = true;
		const error = new Error(message);
		// The body first, so its reader sees this error rather than the request's cancellation.
		stream.destroy(error);
		limits.abort?.();
		// n8n 2.x's wrapped response stream is marked destroyed but emits nothing (its _destroy waits
		// for the stalled socket): its reader is told here instead, or it would wait forever.
		void sleep(100).then(() => {
			if (!errorEmitted) emit.call(stream, 'error', error);
		});
	};
	stream.emit = function (this: T, event: string | symbol, ...args: unknown[]): boolean {
		if (event === 'error') errorEmitted = true;
		const delivered = emit.call(this, event, ...args);
		if (event === 'data') {
			lastDataAt = Date.now();
			const chunk = args[0] as { length?: number } | undefined;
			bytes += chunk?.length ?? 0;
			if (bytes > limits.maxBytes) {
				fail(
					`${limits.what}: the file is larger than the limit of ${megabytes(limits.maxBytes)} (Max File Size)`,
				);
			}
		} else if (event === 'end' || event === 'close' || event === 'error') {
			finished = true;
		}
		return delivered;
	};
	void (async () => {
		while (!finished) {
			await sleep(Math.min(STALL_CHECK_MS, limits.idleMs));
			if (!finished && Date.now() - lastDataAt >= limits.idleMs) {
				fail(`${limits.what} stalled: no data for ${Math.round(limits.idleMs / 1000)} seconds`);
			}
		}
	})();
	return stream;
}

/** Why a declared Content-Length is above the limit, so the file fails before its body is read. */
export function declaredSizeProblem(
	headers: Record<string, unknown> | undefined,
	maxBytes: number,
	what: string,
): string | undefined {
	const declared = Number(headers?.['content-length']);
	return Number.isFinite(declared) && declared > maxBytes
		? `${what}: the file is ${megabytes(declared)}, larger than the limit of ${megabytes(maxBytes)} (Max File Size)`
		: undefined;
}
