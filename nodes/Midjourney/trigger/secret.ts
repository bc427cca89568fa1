import type { IDataObject } from 'n8n-workflow';

/**
 * The trigger's secret is part of its URL path. Only letters, digits, - and _ are allowed: a `:`
 * would turn the path segment into an n8n route parameter that accepts any value, and `/`, `?` or
 * `#` would change which URL is registered.
 */
export const SECRET_PATTERN = /^[A-Za-z0-9_-]{16,}$/;

export const SECRET_RULE = 'letters, digits, - and _ only, at least 16 characters';

/** Why a secret cannot guard the trigger's URL, or undefined when it can. */
export function secretProblem(secret: string): string | undefined {
	if (!secret) return `The trigger has no Secret: set one in the node (${SECRET_RULE})`;
	if (!SECRET_PATTERN.test(secret))
		return `The trigger's Secret must match [A-Za-z0-9_-]{16,} (${SECRET_RULE})`;
	return undefined;
}

const MASK = '***';

/**
 * The value with every occurrence of the secret replaced: the jobs useapi.net returns carry their
 * replyUrl, the trigger's own URL with its secret, and the trigger's output must not.
 */
export function maskSecret<T>(value: T, secret: string): T {
	if (!secret) return value;
	if (typeof value === 'string') return value.split(secret).join(MASK) as T;
	if (Array.isArray(value)) return value.map((entry) => maskSecret(entry, secret)) as T;
	if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
		const masked: IDataObject = {};
		for (const [key, entry] of Object.entries(value as IDataObject))
			masked[maskSecret(key, secret)] = maskSecret(entry, secret) as IDataObject[string];
		return masked as T;
	}
	return value;
}
