/**
 * Job → Cancel Stuck Jobs run by n8n-core against the emulator (issue 21). Streams are cut to leave
 * stuck jobs; then the clock (`Date` only: the emulator's and n8n's timers stay real) is moved past
 * the threshold, which ages every job's `updated` on the emulator's clock the way minutes would.
 */
import { runMidjourney } from '../helpers/n8nCore';
import { cutStream, useUnitEmulator } from '../helpers/unitEmulator';
import { moveClock } from '../helpers/clock';

const { emulator, credential } = useUnitEmulator();
const V3 = '/v3/midjourney';

afterEach(() => jest.useRealTimers());

const deletes = () => emulator().requests.filter((r) => r.method === 'DELETE');

describe('Cancel Stuck Jobs, run by n8n-core', () => {
	it('cancels a job cut mid-progress, never one cut while waiting to start', async () => {
		const cutAtProgress = await cutStream(emulator(), 'imagine', {
			prompt: 'cut --emu-drop --emu-ms=2000',
		});
		// blend page transcript: the first event after created is progress "(Waiting to start)".
		const cutWhileWaiting = await cutStream(emulator(), 'blend', {
			imageUrl_1: 'https://example.com/1.png',
			imageUrl_2: 'https://example.com/2.png',
			replyRef: '--emu-drop --emu-ms=2000',
		});
		expect(emulator().getJob(cutWhileWaiting)).toMatchObject({
			status: 'progress',
			response: { content: expect.stringContaining('(Waiting to start)') },
		});
		moveClock(4 * 60_000);

		const { items, error } = await runMidjourney({
			credential: credential(),
			parameters: { resource: 'job', operation: 'cancelStuck', thresholdMinutes: 3 },
			items: [{}],
		});
		expect(error).toBeUndefined();
		const summary = items[0].json as any;
		expect(summary).toMatchObject({
			examined: 2,
			stuck: 1,
			cancelled: 1,
			cancelledJobIds: [cutAtProgress],
		});
		const waiting = summary.jobs.find((job: any) => job.jobid === cutWhileWaiting);
		expect(waiting).toMatchObject({ status: 'progress', stuck: false, cancelled: false });
		expect(waiting.reason).toMatch(/waiting to start/);
		expect(deletes().map((r) => decodeURIComponent(r.path))).toEqual([
			`${V3}/jobs/${cutAtProgress}`,
		]);
		expect(emulator().getJob(cutWhileWaiting)?.status).toBe('progress');
	});

	it('with Dry Run, and on another channel, cancels nothing', async () => {
		await cutStream(emulator(), 'imagine', { prompt: 'cut --emu-drop --emu-ms=2000' });
		moveClock(4 * 60_000);
		const dry = await runMidjourney({
			credential: credential(),
			parameters: { resource: 'job', operation: 'cancelStuck', dryRun: true },
			items: [{}],
		});
		expect(dry.items[0].json).toMatchObject({ dryRun: true, stuck: 1, cancelled: 0 });
		expect((dry.items[0].json as any).jobs[0].reason).toMatch(/dry run, not cancelled/);
		const elsewhere = await runMidjourney({
			credential: credential(),
			parameters: { resource: 'job', operation: 'cancelStuck', channel: '1100000000000000009' },
			items: [{}],
		});
		expect(elsewhere.items[0].json).toMatchObject({ examined: 0, cancelled: 0 });
		expect(deletes()).toHaveLength(0);
	});

	it('names the field and the limit of a bad channel or threshold, before any request', async () => {
		const channel = await runMidjourney({
			credential: credential(),
			parameters: { resource: 'job', operation: 'cancelStuck', channel: 'my channel' },
			items: [{}],
		});
		expect(channel.error?.message).toBe(
			'"Channel Name or ID" must be a Discord channel ID (digits only), got "my channel"',
		);
		const threshold = await runMidjourney({
			credential: credential(),
			parameters: { resource: 'job', operation: 'cancelStuck', thresholdMinutes: 15 },
			items: [{}],
		});
		expect(threshold.error?.message).toBe(
			'"Threshold (Minutes)" must be a number from 1 to 14, got 15',
		);
		expect(emulator().requests).toHaveLength(0);
	});
});
