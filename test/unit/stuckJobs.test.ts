import {
	listedJobs,
	parseElapsedMs,
	serverNowMs,
	stuckVerdict,
	type JobSighting,
} from '../../nodes/Midjourney/engine/stuckJobs';

const MINUTE = 60_000;
const THRESHOLD = 3 * MINUTE;
const created = '2026-11-23T10:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(created) + seconds * 1000).toISOString();
const serverAt = (seconds: number) => Date.parse(created) + seconds * 1000;

function sighting(
	fields: Partial<JobSighting['job']> & { percent?: number; content?: string },
	serverSeconds?: number,
	seenAtMs = 0,
): JobSighting {
	const { percent, content, ...job } = fields;
	return {
		job: {
			jobid: 'j1',
			status: 'progress',
			...job,
			response:
				percent === undefined && content === undefined
					? job.response
					: { progress_percent: percent, content },
		},
		serverNowMs: serverSeconds === undefined ? undefined : serverAt(serverSeconds),
		seenAtMs,
	};
}

describe('the stuck rule, one read against the server clock of GET jobs', () => {
	it('a job in progress whose updated is older than the threshold by the server clock is stuck', () => {
		const verdict = stuckVerdict(sighting({ updated: at(10), percent: 15 }, 10 + 181), THRESHOLD);
		expect(verdict).toEqual({ stuck: true, unchangedForMs: 181_000, evidence: 'server clock' });
	});

	it('one that changed within the threshold is not, and says how long it has been unchanged', () => {
		const verdict = stuckVerdict(sighting({ updated: at(10), percent: 15 }, 10 + 179), THRESHOLD);
		expect(verdict).toMatchObject({ stuck: false, unchangedForMs: 179_000 });
		expect(verdict.stuck || verdict.reason).toMatch(
			/unchanged for 3\.0 min, less than .* 3\.0 min/,
		);
	});

	it('a job updated after GET jobs answered (it moved between the two reads) is not stuck', () => {
		const verdict = stuckVerdict(sighting({ updated: at(500), percent: 38 }, 400), THRESHOLD);
		expect(verdict).toMatchObject({ stuck: false, unchangedForMs: 0 });
	});

	it('never a job in created or started, however old', () => {
		for (const status of ['created', 'started'] as const) {
			const verdict = stuckVerdict(sighting({ status, updated: at(0) }, 3600), THRESHOLD);
			expect(verdict.stuck).toBe(false);
			expect(verdict.stuck || verdict.reason).toMatch(new RegExp(`^${status}:`));
		}
	});

	it("never a progress job waiting to start in Midjourney's queue (blend and button transcripts)", () => {
		const waiting = sighting(
			{ updated: at(0), content: '**a cat** - <@1> (Waiting to start)' },
			3600,
		);
		expect(stuckVerdict(waiting, THRESHOLD)).toMatchObject({
			stuck: false,
			reason: expect.stringMatching(/waiting to start/),
		});
	});

	it('never a finished job', () => {
		for (const status of ['completed', 'failed', 'moderated'] as const) {
			expect(stuckVerdict(sighting({ status, updated: at(0) }, 3600), THRESHOLD)).toMatchObject({
				stuck: false,
				reason: `${status}: no longer running`,
			});
		}
	});

	it('without updated, or without the server clock, one read decides nothing', () => {
		for (const lone of [sighting({ percent: 15 }, 3600), sighting({ updated: at(0) })]) {
			const verdict = stuckVerdict(lone, THRESHOLD);
			expect(verdict.stuck).toBe(false);
			expect(verdict.stuck || verdict.reason).toMatch(/one read cannot tell/);
		}
	});
});

describe('the stuck rule, two reads of the job', () => {
	it('unchanged across two reads the threshold apart: stuck, even without updated or server clock', () => {
		const first = sighting({ percent: 38 }, undefined, 1_000);
		const second = sighting({ percent: 38 }, undefined, 1_000 + THRESHOLD);
		expect(stuckVerdict(second, THRESHOLD, first)).toEqual({
			stuck: true,
			unchangedForMs: THRESHOLD,
			evidence: 'two reads',
		});
	});

	it('reads closer together than the threshold are not enough', () => {
		const first = sighting({ percent: 38 }, undefined, 0);
		const second = sighting({ percent: 38 }, undefined, MINUTE);
		expect(stuckVerdict(second, THRESHOLD, first)).toMatchObject({
			stuck: false,
			unchangedForMs: MINUTE,
		});
	});

	it('a job whose updated moved is never stuck, whatever the server clock says', () => {
		const first = sighting({ updated: at(0), percent: 38 }, 1000, 0);
		// A server clock far ahead of updated: still moving, as the two reads show.
		const second = sighting({ updated: at(1), percent: 38 }, 2000, THRESHOLD);
		expect(stuckVerdict(second, THRESHOLD, first)).toMatchObject({
			stuck: false,
			reason: expect.stringMatching(/changed between two reads/),
		});
	});

	it('a job whose progress_percent moved (updated the same) is not stuck either', () => {
		const first = sighting({ updated: at(0), percent: 15 }, undefined, 0);
		const second = sighting({ updated: at(0), percent: 38 }, undefined, THRESHOLD);
		expect(stuckVerdict(second, THRESHOLD, first).stuck).toBe(false);
	});

	it('a job that went from created to progress between the reads is moving', () => {
		const first = sighting({ status: 'created', updated: at(0) }, undefined, 0);
		const second = sighting({ updated: at(0) }, undefined, THRESHOLD);
		expect(stuckVerdict(second, THRESHOLD, first).stuck).toBe(false);
	});
});

describe('reading GET jobs', () => {
	const body = {
		total: 3,
		channels: {
			'111': {
				total: 2,
				jobs: [
					{
						jobId: 'ja',
						channel: '111',
						jobType: 'image',
						created: '2025-10-23T14:15:20.123Z',
						elapsed: '00:32',
					},
					{
						jobId: 'jb',
						channel: '111',
						jobType: 'image',
						created: '2025-10-23T14:15:25.987Z',
						elapsed: '00:27',
					},
				],
			},
			'222': { total: 1, jobs: [{ jobId: 'jc', created: '2025-10-23T14:00:00.000Z' }] },
			'333': { total: 0 },
		},
	};

	it('lists the running jobs of every channel, or of one', () => {
		expect(listedJobs(body).map((job) => [job.jobId, job.channel])).toEqual([
			['ja', '111'],
			['jb', '111'],
			['jc', '222'],
		]);
		expect(listedJobs(body, '222').map((job) => job.jobId)).toEqual(['jc']);
		expect(listedJobs(undefined)).toEqual([]);
		expect(listedJobs({ channels: { x: { jobs: [{ nope: 1 }] } } })).toEqual([]);
	});

	it("gets the server's now from the page's example: both jobs agree, a second early", () => {
		const [a, b] = listedJobs(body);
		expect(serverNowMs(a)).toBe(Date.parse('2025-10-23T14:15:51.123Z'));
		expect(serverNowMs(b)).toBe(Date.parse('2025-10-23T14:15:51.987Z'));
		expect(serverNowMs(listedJobs(body, '222')[0])).toBeUndefined();
	});

	it('reads elapsed as mm:ss, past an hour of minutes, and as h:mm:ss', () => {
		expect(parseElapsedMs('00:32')).toBe(32_000);
		expect(parseElapsedMs('75:03')).toBe((75 * 60 + 3) * 1000);
		expect(parseElapsedMs('01:15:03')).toBe((75 * 60 + 3) * 1000);
		expect(parseElapsedMs('32s')).toBeUndefined();
		expect(parseElapsedMs(32)).toBeUndefined();
	});
});
