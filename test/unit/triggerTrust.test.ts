import {
	DEDUP_MAX_KEY_LENGTH,
	DedupStore,
	type DedupLimits,
} from '../../nodes/Midjourney/trigger/dedupStore';
import { maskSecret, SECRET_PATTERN, secretProblem } from '../../nodes/Midjourney/trigger/secret';
import {
	contradiction,
	eventKey,
	readDeliveredEvent,
	verifiedEvent,
} from '../../nodes/Midjourney/trigger/verifiedEvent';
import type { Job } from '../../nodes/Midjourney/transport/types';

/** Issue 20 (4): the trigger's secret, its de-dup store, and what it believes of a delivered event. */

describe('the secret', () => {
	it.each([
		'abcdefghijklmnop',
		'trigger-secret-0123456789abcdef',
		'A_B-C_D-E_F-G_H-',
		'x'.repeat(200),
	])('accepts %p', (secret) => {
		expect(SECRET_PATTERN.test(secret)).toBe(true);
		expect(secretProblem(secret)).toBeUndefined();
	});

	it.each([
		['', /has no Secret/],
		['short-secret', /must match \[A-Za-z0-9_-\]\{16,\}/],
		// A leading ":" made the webhook path an n8n route parameter that accepts any value.
		[':any-value-at-all-here', /must match/],
		['secret/with/slashes-123', /must match/],
		['secret?query=1234567890', /must match/],
		['secret with spaces 12345', /must match/],
		['sécret-accentué-0123456', /must match/],
		['abcdefghijklmno', /must match/],
	])('refuses %p', (secret, problem) => {
		expect(SECRET_PATTERN.test(secret)).toBe(false);
		expect(secretProblem(secret)).toMatch(problem);
	});

	it("masks the secret wherever it appears in the trigger's output", () => {
		const secret = 'trigger-secret-0123456789abcdef';
		const job = {
			jobid: 'j1',
			request: {
				replyUrl: `https://n8n.example/webhook/abc/midjourney/${secret}`,
				prompt: 'a cat',
				nested: [{ note: `${secret} twice ${secret}` }],
			},
			count: 3,
			flag: true,
			none: null,
		};
		const masked = maskSecret(job, secret);
		expect(JSON.stringify(masked)).not.toContain(secret);
		expect(masked.request.replyUrl).toBe('https://n8n.example/webhook/abc/midjourney/***');
		expect(masked.request.nested[0].note).toBe('*** twice ***');
		expect(masked).toMatchObject({ jobid: 'j1', count: 3, flag: true, none: null });
		expect(job.request.replyUrl).toContain(secret); // the input is not changed
	});
});

describe('the de-dup store', () => {
	const limits: DedupLimits = { maxAgeMs: 1000, maxEntries: 3, maxKeyLength: 20 };

	it('remembers keys until they are older than the age limit', () => {
		const store = new DedupStore({}, limits);
		store.add('a', 0);
		expect(store.has('a', 1000)).toBe(true);
		expect(store.has('a', 1001)).toBe(false);
		store.add('b', 1500);
		expect(Object.keys(store.entries)).toEqual(['b']);
	});

	it('keeps at most the count limit, dropping the oldest first', () => {
		const store = new DedupStore({}, limits);
		for (const [index, key] of ['a', 'b', 'c', 'd', 'e'].entries()) store.add(key, index);
		expect(Object.keys(store.entries)).toEqual(['c', 'd', 'e']);
		store.add('c', 10); // recorded again: now the newest
		store.add('f', 11);
		expect(Object.keys(store.entries)).toEqual(['e', 'c', 'f']);
	});

	it('stores no key longer than the key length limit', () => {
		const store = new DedupStore({}, limits);
		expect(store.add('x'.repeat(21), 0)).toBe(false);
		expect(store.size).toBe(0);
		expect(DEDUP_MAX_KEY_LENGTH).toBeGreaterThanOrEqual(eventKey(longestEvent).length);
	});

	it('takes over the list an earlier version kept, as recorded now', () => {
		const entries = DedupStore.fromLegacyList(['j1|completed', 7, 'j2|failed'], 5000);
		expect(entries).toEqual({ 'j1|completed': 5000, 'j2|failed': 5000 });
		expect(DedupStore.fromLegacyList(undefined, 0)).toEqual({});
	});

	it('the real limits bound a flood: 10 000 distinct events leave 2000 entries', () => {
		const store = new DedupStore({});
		for (let index = 0; index < 10_000; index++) store.add(`job${index}|completed`, index);
		expect(store.size).toBe(2000);
		expect(store.has('job9999|completed', 10_000)).toBe(true);
		expect(store.has('job0|completed', 10_000)).toBe(false);
	});
});

const longestEvent = { jobId: 'j'.repeat(200), status: 'progress', percent: 100 };

describe('a delivered event', () => {
	it('needs a job ID of at most 200 characters without spaces, and a known status', () => {
		expect(readDeliveredEvent({ jobid: 'j1', status: 'completed' })).toEqual({
			jobId: 'j1',
			status: 'completed',
		});
		expect(readDeliveredEvent({ jobId: 'j2', status: 'created' })).toMatchObject({ jobId: 'j2' });
		expect(readDeliveredEvent({ status: 'completed' })).toMatch(/"jobid" and "status"/);
		expect(readDeliveredEvent({ jobid: 'j'.repeat(201), status: 'completed' })).toMatch(
			/not a job ID/,
		);
		expect(readDeliveredEvent({ jobid: 'j1 x', status: 'completed' })).toMatch(/not a job ID/);
		expect(readDeliveredEvent({ jobid: 'j1', status: 'x'.repeat(5000) })).toMatch(/unknown status/);
	});

	it('a progress event is told apart by its percentage, bounded to 0–100', () => {
		const event = (percent: unknown) =>
			readDeliveredEvent({
				jobid: 'j1',
				status: 'progress',
				response: { progress_percent: percent },
			}) as Exclude<ReturnType<typeof readDeliveredEvent>, string>;
		expect(eventKey(event(54))).toBe('j1|progress|54');
		expect(eventKey(event('15'))).toBe('j1|progress|15');
		expect(eventKey(event('x'.repeat(10_000)))).toBe('j1|progress|');
		expect(eventKey(event(1e9))).toBe('j1|progress|');
		expect(eventKey({ jobId: 'j1', status: 'completed' })).toBe('j1|completed');
	});
});

describe("judged against the API's copy", () => {
	const api = (status: string, percent?: number): Job =>
		({
			jobid: 'j1',
			verb: 'imagine',
			status,
			request: { replyRef: 'row-7' },
			response: percent === undefined ? {} : { progress_percent: percent },
		}) as unknown as Job;
	const event = (status: string, percent?: number) => ({ jobId: 'j1', status, percent });

	it('a completed event while the API says progress is a contradiction (forged or stale)', () => {
		expect(contradiction(event('completed'), api('progress', 54))).toBe(
			'The event says completed, useapi.net says the job is progress',
		);
		expect(contradiction(event('failed'), api('completed'))).toMatch(/says failed/);
		expect(contradiction(event('completed'), api('completed'))).toBeUndefined();
	});

	it('an earlier status than the API has reached is believed: the job moved on since it was sent', () => {
		expect(contradiction(event('progress', 40), api('completed'))).toBeUndefined();
		expect(contradiction(event('created'), api('started'))).toBeUndefined();
		expect(contradiction(event('started'), api('created'))).toMatch(/says started/);
	});

	it('a progress percentage ahead of the API is a contradiction', () => {
		expect(contradiction(event('progress', 54), api('progress', 54))).toBeUndefined();
		expect(contradiction(event('progress', 15), api('progress', 54))).toBeUndefined();
		expect(contradiction(event('progress', 96), api('progress', 54))).toBe(
			'The event says 96 %, useapi.net says 54 %',
		);
	});

	it("the filters see the API's job at the delivered status", () => {
		const judged = verifiedEvent(event('progress', 40), api('completed'));
		expect(judged).toMatchObject({ status: 'progress', verb: 'imagine' });
		expect(judged.request?.replyRef).toBe('row-7');
	});
});
