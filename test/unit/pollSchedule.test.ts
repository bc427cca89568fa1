import { nextPollDelayMs } from '../../nodes/Midjourney/engine/waiting/pollSchedule';
import type { Job } from '../../nodes/Midjourney/transport/types';

const created = '2026-11-23T10:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(created) + seconds * 1000).toISOString();
const job = (percent?: number, reportedAfterSeconds?: number): Job => ({
	jobid: 'j1',
	verb: 'imagine',
	status: percent === undefined ? 'created' : 'progress',
	created,
	updated: reportedAfterSeconds === undefined ? undefined : at(reportedAfterSeconds),
	request: {},
	response: percent === undefined ? undefined : { progress_percent: percent },
});

describe('Poll schedule', () => {
	it('makes no read right after submission: the first comes after a quarter more than the floor', () => {
		expect(nextPollDelayMs(undefined, 0, 2_000)).toBe(2_500);
	});

	it('never reads sooner than the floor, even when the job looks nearly done', () => {
		expect(nextPollDelayMs(job(96, 16), 16_600, 2_000)).toBe(2_000);
	});

	it('without a usable progress, waits a quarter of the time waited so far (at least the floor)', () => {
		expect(nextPollDelayMs(job(0, 4), 4_500, 2_000)).toBe(2_000);
		expect(nextPollDelayMs(job(), 40_000, 2_000)).toBe(10_000);
	});

	it('brings the next read forward to the end its progress predicts', () => {
		// 50 % reported 30 s after creation: about 60 s in all, so 5 s after a read at 55 s.
		expect(nextPollDelayMs(job(50, 30), 55_000, 2_000)).toBe(5_000);
		// The prediction never pushes a read later than a quarter of the time waited.
		expect(nextPollDelayMs(job(10, 10), 12_000, 2_000)).toBe(3_000);
	});
});
