/** Reading request bodies (JSON, multipart, urlencoded) and writing JSON answers. */
import type { IncomingMessage, ServerResponse } from 'http';

import type { MultipartBodyRecord } from './types';

/** Blend takes up to five 10 MB images in one request; anything beyond this is refused with 413. */
export const MAX_BODY_BYTES = 60 * 1024 * 1024;

export interface UploadedFile {
	kind: 'file';
	filename: string;
	contentType: string;
	size: number;
	data: Buffer;
}

/** Request parameters after parsing: JSON values, multipart text fields (strings) and uploaded files. */
export type Params = Record<string, unknown>;

export interface ParsedBody {
	/** What handlers read. */
	params: Params;
	/** What goes into `requests[].body`. */
	recorded: unknown;
	/** Set when the body could not be read; the handler answers 400 with it. */
	error?: string;
}

export class BodyTooLargeError extends Error {}

export function readBody(req: IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		let tooLarge = false;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > MAX_BODY_BYTES) tooLarge = true;
			else chunks.push(chunk);
		});
		req.on('end', () =>
			tooLarge ? reject(new BodyTooLargeError()) : resolve(Buffer.concat(chunks)),
		);
		req.on('error', reject);
	});
}

export function mediaTypeOf(contentType: string | undefined): string | undefined {
	if (!contentType) return undefined;
	return contentType.split(';')[0].trim().toLowerCase() || undefined;
}

export async function parseBody(raw: Buffer, contentType: string | undefined): Promise<ParsedBody> {
	const mediaType = mediaTypeOf(contentType);
	if (raw.length === 0) return { params: {}, recorded: undefined };
	if (mediaType === 'multipart/form-data' || mediaType === 'application/x-www-form-urlencoded') {
		let form: FormData;
		try {
			// The global Request class (undici) parses both encodings; no dependency needed.
			form = await new Request('http://emulator.local/', {
				method: 'POST',
				headers: { 'content-type': contentType as string },
				body: raw,
			}).formData();
		} catch {
			return { params: {}, recorded: undefined, error: 'Unable to parse multipart/form-data body' };
		}
		const params: Params = {};
		const recorded: MultipartBodyRecord = { fields: {}, files: {} };
		// forEach, not entries(): the project's lib setting has no dom.iterable.
		const entries: Array<[string, FormDataEntryValue]> = [];
		form.forEach((value, name) => entries.push([name, value]));
		for (const [name, value] of entries) {
			if (typeof value === 'string') {
				params[name] = value;
				recorded.fields[name] = value;
			} else {
				const data = Buffer.from(await value.arrayBuffer());
				const file: UploadedFile = {
					kind: 'file',
					filename: value.name,
					contentType: value.type || 'application/octet-stream',
					size: data.length,
					data,
				};
				params[name] = file;
				recorded.files[name] = {
					filename: file.filename,
					contentType: file.contentType,
					size: file.size,
				};
			}
		}
		return { params, recorded };
	}
	// JSON is the default, as the docs' examples send it (curl -d without a content type included).
	const text = raw.toString('utf8');
	try {
		const value: unknown = JSON.parse(text);
		if (!value || typeof value !== 'object' || Array.isArray(value)) {
			return { params: {}, recorded: value, error: 'Request body must be a JSON object' };
		}
		return { params: value as Params, recorded: value };
	} catch {
		return { params: {}, recorded: undefined, error: 'Invalid JSON body' };
	}
}

export function isFile(value: unknown): value is UploadedFile {
	return !!value && typeof value === 'object' && (value as UploadedFile).kind === 'file';
}

/** A text parameter: strings as given, numbers/booleans stringified, anything else undefined. */
export function str(params: Params, name: string): string | undefined {
	const value = params[name];
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return undefined;
}

/** A boolean parameter: JSON booleans or the strings 'true'/'false' (multipart). */
export function bool(params: Params, name: string, fallback: boolean): boolean {
	const value = params[name];
	if (typeof value === 'boolean') return value;
	if (typeof value === 'string') {
		const text = value.trim().toLowerCase();
		if (text === 'true' || text === '1') return true;
		if (text === 'false' || text === '0') return false;
	}
	return fallback;
}

/** An integer parameter: undefined when absent, NaN when present but not an integer. */
export function int(params: Params, name: string): number | undefined {
	const value = params[name];
	if (value === undefined || value === null || value === '') return undefined;
	const number = typeof value === 'number' ? value : Number(String(value).trim());
	return Number.isInteger(number) ? number : NaN;
}

export function sendJson(
	res: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
): void {
	if (res.headersSent || res.destroyed) return;
	const payload = Buffer.from(JSON.stringify(body));
	res.writeHead(status, {
		'content-type': 'application/json; charset=utf-8',
		'content-length': String(payload.length),
		...headers,
	});
	res.end(payload);
}

/** 204, or the documented "404 with no content" answers. */
export function sendEmpty(res: ServerResponse, status: number): void {
	if (res.headersSent || res.destroyed) return;
	res.writeHead(status, { 'content-length': '0' });
	res.end();
}

export function headerRecord(req: IncomingMessage): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(req.headers)) {
		if (value === undefined) continue;
		headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
	}
	return headers;
}

export function isoTime(ms: number): string {
	return new Date(ms).toISOString();
}

/** The SSE `ts` field: HH:MM:SS.mmm (UTC, as the docs' examples match the ISO times next to them). */
export function clockTime(ms: number): string {
	return new Date(ms).toISOString().slice(11, 23);
}
