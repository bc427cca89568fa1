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
