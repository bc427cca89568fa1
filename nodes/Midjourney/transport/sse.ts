import { createParser, type EventSourceMessage } from '../vendor/eventsource-parser';

import type { StreamEvent } from './types';

/** An SSE `data:` payload that is not the JSON the API documents. */
export class MalformedEventError extends Error {
	constructor(readonly data: string) {
		super(`useapi.net sent a stream event that is not valid JSON: ${data.slice(0, 200)}`);
		this.name = 'MalformedEventError';
	}
}

export interface SseDecoder {
	/** Feed bytes exactly as they arrive; chunk boundaries may fall anywhere, even inside a UTF-8 character. */
	push(chunk: Uint8Array | string): void;
	/** The connection ended: dispatch a last event that had no trailing blank line. */
	end(): void;
}

/**
 * Turns the raw text/event-stream body of useapi.net into parsed events.
 * eventsource-parser handles CRLF/LF/CR line ends, comments (keep-alives) and multi-line data;
 * the TextDecoder in streaming mode keeps multi-byte characters (the 🔄 button) intact across chunks.
 */
export function createSseDecoder(onEvent: (event: StreamEvent) => void): SseDecoder {
	const textDecoder = new TextDecoder('utf-8');
	const parser = createParser({
		onEvent(message: EventSourceMessage) {
			if (message.data.trim() === '') return;
			let parsed: unknown;
			try {
				parsed = JSON.parse(message.data);
			} catch {
				throw new MalformedEventError(message.data);
			}
			if (typeof parsed !== 'object' || parsed === null || typeof (parsed as StreamEvent).event !== 'string') {
				throw new MalformedEventError(message.data);
			}
			onEvent(parsed as StreamEvent);
		},
	});
	return {
		push(chunk) {
			parser.feed(typeof chunk === 'string' ? chunk : textDecoder.decode(chunk, { stream: true }));
		},
		end() {
			parser.feed(textDecoder.decode() + '\n\n');
		},
	};
}
