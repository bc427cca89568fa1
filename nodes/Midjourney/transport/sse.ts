import { createParser, type EventSourceMessage } from '../vendor/eventsource-parser';

import type { StreamEvent } from './types';

export interface SseHandlers {
	onEvent: (event: StreamEvent) => void;
	/**
	 * A `data:` payload that is not the JSON event the API documents. The stream itself is still
	 * good (the SSE guide: "catch JSON parse errors gracefully"), so it is reported, not thrown.
	 */
	onMalformed?: (data: string) => void;
}

export interface SseDecoder {
	/** Feed bytes exactly as they arrive; chunk boundaries may fall anywhere, even inside a UTF-8 character. */
	push(chunk: Uint8Array | string): void;
	/** The connection ended: dispatch a last event that had no trailing blank line. */
	end(): void;
}

function parseEvent(data: string): StreamEvent | undefined {
	try {
		const parsed = JSON.parse(data) as unknown;
		if (
			typeof parsed === 'object' &&
			parsed !== null &&
			typeof (parsed as StreamEvent).event === 'string'
		) {
			return parsed as StreamEvent;
		}
	} catch {
		// Not JSON: reported below like any other payload that is not an event.
	}
	return undefined;
}

/**
 * Turns the raw text/event-stream body of useapi.net into parsed events.
 * eventsource-parser handles CRLF/LF/CR line ends, comments and multi-line data; the TextDecoder
 * in streaming mode keeps multi-byte characters (the 🔄 button) intact across chunks.
 */
export function createSseDecoder(handlers: SseHandlers): SseDecoder {
	const textDecoder = new TextDecoder('utf-8');
	const parser = createParser({
		onEvent(message: EventSourceMessage) {
			if (message.data.trim() === '') return;
			const event = parseEvent(message.data);
			if (event) handlers.onEvent(event);
			else handlers.onMalformed?.(message.data);
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
