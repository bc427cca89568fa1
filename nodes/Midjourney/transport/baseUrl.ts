import { isLoopbackHost } from './mediaPolicy';

/**
 * The credential's Base URL carries the API token wherever it points, so it must be https (plain
 * http only to this machine, e.g. a local emulator), and it may hold no user name or password: they
 * would be sent along, and shown wherever the URL is.
 */
export function baseUrlProblem(baseUrl: string): string | undefined {
	let url: URL;
	try {
		url = new URL(baseUrl);
	} catch {
		return `The Base URL is not a URL: "${baseUrl.slice(0, 100)}"`;
	}
	if (url.username || url.password)
		return 'The Base URL has a user name or password in it: remove them (the API token is the only credential)';
	if (url.protocol === 'http:' && !isLoopbackHost(url.hostname))
		return 'The Base URL must start with https:// (http:// only for an address on this machine, such as 127.0.0.1)';
	if (url.protocol !== 'https:' && url.protocol !== 'http:')
		return 'The Base URL must start with https://';
	if (url.search || url.hash) return 'The Base URL cannot have a query (?…) or a fragment (#…)';
	return undefined;
}

/** The Base URL as requests are built on it: trimmed, without trailing slashes. */
export function normalizedBaseUrl(value: unknown, fallback: string): string {
	return String(value || fallback)
		.trim()
		.replace(/\/+$/, '');
}
