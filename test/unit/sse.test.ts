import { readFileSync } from 'fs';
import { join } from 'path';

import { createSseDecoder } from '../../nodes/Midjourney/transport/sse';
import type { StreamEvent } from '../../nodes/Midjourney/transport/types';

// The SSE transcript printed on the imagine page of the API docs (a real job, emoji button included).
const transcript = readFileSync(join(__dirname, '..', 'fixtures', 'imagine-stream.sse'));

function decode(
	chunks: Array<Uint8Array | string>,
	end = true,
	malformed: string[] = [],
): StreamEvent[] {
	const events: StreamEvent[] = [];
	const decoder = createSseDecoder({
		onEvent: (event) => events.push(event),
		onMalformed: (data) => malformed.push(data),
	});
	for (const chunk of chunks) decoder.push(chunk);
	if (end) decoder.end();
	return events;
}

const expected = decode([transcript]);

describe('SSE decoder', () => {
	it('reads every event of the documented transcript', () => {
		expect(expected.map((e) => e.event)).toEqual([
			'initialized',
			'midjourney_created',
			'midjourney_progress',
			'midjourney_progress',
			'midjourney_progress',
			'midjourney_progress',
			'midjourney_completed',
		]);
		const completed = expected[6] as Extract<StreamEvent, { job: unknown }>;
		expect(completed.job.response?.buttons).toContain('🔄');
		expect(completed.job.response?.imageUx).toHaveLength(4);
	});

	it('gives the same events when the bytes are split at every offset', () => {
		for (let offset = 1; offset < transcript.length; offset++) {
			const events = decode([transcript.subarray(0, offset), transcript.subarray(offset)]);
			if (JSON.stringify(events) !== JSON.stringify(expected)) {
				throw new Error(`split at byte ${offset} changed the events`);
			}
		}
	});

	it('gives the same events when fed one byte at a time (multi-byte characters split)', () => {
		const bytes = Array.from(transcript, (byte) => Uint8Array.of(byte));
		expect(decode(bytes)).toEqual(expected);
	});

	it('accepts CRLF line ends, split at every offset', () => {
		const crlf = Buffer.from(transcript.toString('utf8').replace(/\n/g, '\r\n'));
		for (let offset = 1; offset < crlf.length; offset += 7) {
			expect(decode([crlf.subarray(0, offset), crlf.subarray(offset)])).toEqual(expected);
		}
	});

	it('ignores comment and keep-alive lines', () => {
		const withComments = transcript
			.toString('utf8')
			.split('\n\n')
			.join('\n\n: keep-alive\n\n:\n\n');
		expect(decode([': hello\n\n', withComments])).toEqual(expected);
	});

	it('dispatches a final event that has no trailing blank line when the connection ends', () => {
		const text = transcript.toString('utf8').trimEnd();
		expect(decode([text])).toEqual(expected);
		expect(decode([text], false)).toHaveLength(expected.length - 1);
	});

	it('joins multi-line data fields', () => {
		const events = decode([
			'data: {"event":"initialized",\ndata: "jobId":"j1","seq":0,"ts":"x"}\n\n',
		]);
		expect(events).toEqual([{ event: 'initialized', jobId: 'j1', seq: 0, ts: 'x' }]);
	});

	it('reports an event that is not JSON and goes on with the next one', () => {
		const malformed: string[] = [];
		const events = decode(
			[
				'data: {"event":"initialized","jobId":"j1"}\n\ndata: {not json\n\ndata: {"event":"midjourney_created","job":{}}\n\n',
			],
			true,
			malformed,
		);
		expect(malformed).toEqual(['{not json']);
		expect(events.map((event) => event.event)).toEqual(['initialized', 'midjourney_created']);
	});

	it('reports JSON without an event name', () => {
		const malformed: string[] = [];
		expect(decode(['data: [1,2]\n\n'], true, malformed)).toEqual([]);
		expect(malformed).toEqual(['[1,2]']);
	});
});
