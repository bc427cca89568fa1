/** Reading what useapi.net answered, whatever form n8n's request helper handed it over in. */

/** The first network error code (ECONNRESET, ECONNREFUSED…) found along an error's cause chain. */
export function networkErrorCode(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; current && depth < 6; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string' && /^(E[A-Z_]+|ERR_[A-Z_]+|UND_ERR[A-Z_]*)$/.test(code))
			return code;
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream)
		chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
	return Buffer.concat(chunks);
}

/** The `error` text of a useapi.net answer, whatever form the body arrived in. */
export async function errorMessageOf(body: unknown): Promise<string> {
	let value = body;
	if (value && typeof (value as NodeJS.ReadableStream).pipe === 'function') {
		value = await readAll(value as NodeJS.ReadableStream);
	}
	if (Buffer.isBuffer(value) || value instanceof ArrayBuffer)
		value = Buffer.from(value as Buffer).toString('utf8');
	if (typeof value === 'string') {
		const text = value;
		try {
			value = JSON.parse(text);
		} catch {
			return text.slice(0, 500);
		}
	}
	if (value && typeof value === 'object') {
		const { error, message } = value as { error?: unknown; message?: unknown };
		if (typeof error === 'string') return error;
		if (typeof message === 'string') return message;
		return JSON.stringify(value).slice(0, 500);
	}
	return '';
}

export function lowerCaseHeaders(headers: unknown): Record<string, string> {
	const result: Record<string, string> = {};
	if (headers && typeof headers === 'object') {
		for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
			result[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
		}
	}
	return result;
}
