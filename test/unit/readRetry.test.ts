/**
 * Issue 10, waits that ride out blips: a read bound to a wait's signal is retried through any run
 * of transient failures until the signal fires; without a signal it gives up after a few tries;
 * a retry pause ends at once when the signal fires.
 */
import { executeContext } from '../helpers/n8nCore';
import { useUnitEmulator } from '../helpers/unitEmulator';
import { submitJob } from '../../nodes/Midjourney/transport/jobs';
import { apiRequest } from '../../nodes/Midjourney/transport/request';
import { isRequestAborted, sleepUnlessAborted } from '../../nodes/Midjourney/transport/retryPolicy';

const { emulator, credential } = useUnitEmulator();

const ctx = () => executeContext({ credential: credential() });

async function jobPath(): Promise<string> {
	const created = await submitJob(ctx(), {
		path: '/v3/midjourney/jobs/imagine',
		body: { prompt: 'x' },
	});
	return `/v3/midjourney/jobs/${created.jobid}`;
}

const getsOf = (path: string) =>
	emulator().requests.filter((r) => r.method === 'GET' && r.path === path).length;

describe('read retries', () => {
	it('a read with a signal rides out more failures than the fixed retries, then succeeds', async () => {
		const path = await jobPath();
		emulator().faults.status5xxOnGetNext = 4;
		emulator().faults.resetOnGetNext = 1;
		const { body } = await apiRequest<{ jobid: string }>(ctx(), {
			method: 'GET',
			path,
			abortSignal: AbortSignal.timeout(30_000),
		});
		expect(body.jobid).toBeTruthy();
		expect(getsOf(path)).toBe(6);
	}, 40_000);

	it('a read with a signal ends as an aborted request naming the last failure when the signal fires', async () => {
		const path = await jobPath();
		emulator().faults.status5xxOnGetNext = 1_000_000;
		const started = Date.now();
		const error = await apiRequest(ctx(), {
			method: 'GET',
			path,
			abortSignal: AbortSignal.timeout(3_000),
		}).catch((e) => e);
		expect(isRequestAborted(error)).toBe(true);
		expect(error.context.lastFailure).toBe('useapi.net answered 503');
		expect(Date.now() - started).toBeLessThan(4_500);
	});

	it('a read without a signal gives up after four retries', async () => {
		const path = await jobPath();
		emulator().faults.status5xxOnGetNext = 1_000_000;
		const error = await apiRequest(ctx(), { method: 'GET', path }).catch((e) => e);
		expect(error.message).toMatch(/server error \(503\)/);
		expect(getsOf(path)).toBe(5);
	}, 30_000);

	it('a pause ends when its signal fires', async () => {
		const controller = new AbortController();
		const started = Date.now();
		setTimeout(() => controller.abort(), 100);
		await sleepUnlessAborted(10_000, controller.signal);
		expect(Date.now() - started).toBeLessThan(2_000);
	});
});
