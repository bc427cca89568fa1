import { NodeOperationError, type INode } from 'n8n-workflow';

import { checkNumber } from './numberChecks';

/**
 * Input checks that run before any request. Each error names the field as the editor shows it and
 * the limit, so a user can fix the row that failed without reading the API docs.
 */

export function invalidInput(
	node: INode,
	itemIndex: number,
	message: string,
	description?: string,
) {
	return new NodeOperationError(node, message, { itemIndex, description });
}

export function requireText(node: INode, itemIndex: number, field: string, value: string): string {
	const text = value.trim();
	if (!text)
		throw invalidInput(node, itemIndex, `"${field}" is empty`, `Enter a value for "${field}".`);
	return text;
}

export function checkMaxLength(
	node: INode,
	itemIndex: number,
	field: string,
	value: string,
	max: number,
): void {
	if (value.length > max) {
		throw invalidInput(
			node,
			itemIndex,
			`"${field}" is too long: ${value.length} characters, the limit is ${max}`,
			`Shorten "${field}" to at most ${max} characters.`,
		);
	}
}

export function checkHttpUrl(
	node: INode,
	itemIndex: number,
	field: string,
	value: string,
	max: number,
): void {
	checkMaxLength(node, itemIndex, field, value, max);
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		throw invalidInput(
			node,
			itemIndex,
			`"${field}" is not a valid URL: ${value.slice(0, 100)}`,
			'Use a full http:// or https:// address.',
		);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw invalidInput(node, itemIndex, `"${field}" must start with http:// or https://`);
	}
}

export function checkIntegerRange(
	node: INode,
	itemIndex: number,
	field: string,
	value: unknown,
	min: number,
	max: number,
): number {
	return checkNumber(node, itemIndex, field, value, { min, max, integer: true });
}

/** Two limits where one may not exceed the other (e.g. "Max Image Jobs" ≤ "Max Jobs"). */
export function checkNotAbove(
	node: INode,
	itemIndex: number,
	field: string,
	value: number,
	limitField: string,
	limit: number,
): void {
	if (value > limit) {
		throw invalidInput(
			node,
			itemIndex,
			`"${field}" must not be more than "${limitField}": ${value} is more than ${limit}`,
			`Lower "${field}" to at most ${limit}, or raise "${limitField}".`,
		);
	}
}

export function checkUrlPrefix(
	node: INode,
	itemIndex: number,
	field: string,
	value: string,
	prefix: string,
): void {
	if (!value.startsWith(prefix)) {
		throw invalidInput(
			node,
			itemIndex,
			`"${field}" must start with ${prefix}, got "${value.slice(0, 100)}"`,
			`Use a URL from a Midjourney job's imageUx or videoUx, which start with ${prefix}`,
		);
	}
}

/** A Discord channel ID as useapi.net names accounts: digits only. */
export function requireChannelId(
	node: INode,
	itemIndex: number,
	field: string,
	value: string,
): string {
	const channel = requireText(node, itemIndex, field, value);
	if (!/^\d+$/.test(channel)) {
		throw invalidInput(
			node,
			itemIndex,
			`"${field}" must be a Discord channel ID (digits only), got "${channel.slice(0, 40)}"`,
		);
	}
	return channel;
}
