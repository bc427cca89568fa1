import { startEmulator, type Emulator } from '../emulator';
import type { UseApiCredential } from './n8nCore';

export const TEST_TOKEN = 'test-token';

/**
 * The emulator of a unit test file: started before its tests (300 ms jobs), reset before each test,
 * closed after the file. `emulator()` is the running one; `credential()` is a useapi.net credential
 * pointing at it (with another token to test refusals).
 */
export function useUnitEmulator(): {
	emulator: () => Emulator;
	credential: (token?: string) => UseApiCredential;
} {
	let started: Emulator | undefined;
	beforeAll(async () => {
		started = await startEmulator({ token: TEST_TOKEN, jobDurationMs: 300 });
	});
	afterAll(async () => {
		await started?.close();
	});
	beforeEach(() => started?.reset());
	const emulator = () => {
		if (!started)
			throw new Error(
				'the emulator is not started (useUnitEmulator() must run at the top of a test file)',
			);
		return started;
	};
	return { emulator, credential: (token = TEST_TOKEN) => ({ baseUrl: emulator().url, token }) };
}

/**
 * Posts a streamed job to `emulator` and reads until the emulator cuts the stream (a marker such as
 * `--emu-drop` in the prompt): the job is left stuck. Returns its id, from the first event.
 */
export async function cutStream(emulator: Emulator, verb: string, body: object): Promise<string> {
	const response = await fetch(`${emulator.url}/v3/midjourney/jobs/${verb}`, {
		method: 'POST',
		headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
		body: JSON.stringify({ ...body, stream: true }),
	});
	let text = '';
	try {
		for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>)
			text += Buffer.from(chunk).toString('utf8');
	} catch {
		// the cut
	}
	return JSON.parse(text.split('\n')[0].replace(/^data: /, '')).jobId as string;
}
