import { runMidjourney } from '../helpers/n8nCore';
import { TEST_TOKEN, useUnitEmulator } from '../helpers/unitEmulator';

/**
 * The node's execute() as n8n runs it: Input Items → Midjourney through n8n-core's WorkflowExecute,
 * with n8n-core's request helpers, expression resolution and paired-item handling.
 */
const { emulator, credential } = useUnitEmulator();

const prompts = ['a red fox in the snow', 'a blue whale at dusk'];
// The prompt is an expression over the input item, as users write it: n8n resolves it per item.
const imagine = (waitFor: string) => ({
	resource: 'job',
	operation: 'imagine',
	prompt: '={{ $json.prompt }}',
	waitFor,
	options: { pollInterval: 0.2, download: 'combined' },
});

function posts() {
	return emulator().requests.filter(
		(r) => r.method === 'POST' && r.path === '/v3/midjourney/jobs/imagine',
	);
}

describe.each(['poll', 'stream'])('Imagine, Wait for Result: %s, run by n8n-core', (waitFor) => {
	it('outputs each finished job paired with the item it came from', async () => {
		const { items, error } = await runMidjourney({
			credential: credential(),
			parameters: imagine(waitFor),
			items: prompts.map((prompt) => ({ prompt })),
		});
		expect(error).toBeUndefined();
		expect(items).toHaveLength(2);
		items.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json).toMatchObject({
				verb: 'imagine',
				status: 'completed',
				request: { prompt: prompts[index] },
			});
			expect(item.json.jobid).toMatch(/^j\d+i-/);
			expect((item.json.response as { imageUx?: unknown[] }).imageUx).toHaveLength(4);
			// The grid's four images, stored through n8n-core's binary data helpers.
			expect(Object.keys(item.binary ?? {})).toEqual(['data_1', 'data_2', 'data_3', 'data_4']);
			expect(item.binary?.data_1.mimeType).toMatch(/^image\//);
		});

		// One submission per item, in the mode chosen, authenticated by the credential's Bearer header.
		expect(posts()).toHaveLength(2);
		expect(
			posts()
				.map((post) => (post.body as { prompt: string }).prompt)
				.sort(),
		).toEqual([...prompts].sort());
		for (const post of posts()) {
			expect(post.body).toMatchObject({ stream: waitFor === 'stream' });
			expect(post.headers.authorization).toBe(`Bearer ${TEST_TOKEN}`);
		}
		const jobReads = emulator().requests.filter(
			(r) => r.method === 'GET' && r.path.startsWith('/v3/midjourney/jobs/j'),
		);
		if (waitFor === 'poll') expect(jobReads.length).toBeGreaterThanOrEqual(2);
		else expect(jobReads).toHaveLength(0);
		expect(emulator().requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);
	});
});

describe('Continue On Fail, as n8n-core applies it', () => {
	const items = [{ prompt: 'a lighthouse' }, { prompt: 'a storm --emu-fail' }];

	it('turns the failed item into an output item paired with it and keeps the others', async () => {
		const run = await runMidjourney({
			credential: credential(),
			parameters: imagine('poll'),
			items,
			continueOnFail: true,
		});
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(2);
		expect(run.items[0]).toMatchObject({
			json: { status: 'completed', request: { prompt: 'a lighthouse' } },
			pairedItem: { item: 0 },
		});
		expect(run.items[1].pairedItem).toEqual({ item: 1 });
		expect(String(run.items[1].json.error)).toMatch(/Midjourney job failed/);
	});

	it('without it, the same failure fails the execution', async () => {
		const run = await runMidjourney({
			credential: credential(),
			parameters: imagine('poll'),
			items,
		});
		expect(run.items).toHaveLength(0);
		expect(run.error?.message).toMatch(/Midjourney job failed/);
		expect(run.run.status).toBe('error');
	});
});

describe('the user stopping the execution', () => {
	it('cancels the running job with DELETE', async () => {
		const stop = new AbortController();
		const running = runMidjourney({
			credential: credential(),
			parameters: imagine('poll'),
			items: [{ prompt: 'a slow sunrise --emu-ms=20000' }],
			stop: stop.signal,
		});
		// Stopped once the node holds the job (its first poll), not while the POST is still in flight.
		const polled = () =>
			emulator().requests.some(
				(r) => r.method === 'GET' && r.path.startsWith('/v3/midjourney/jobs/j'),
			);
		while (!polled()) await new Promise((resolve) => setTimeout(resolve, 20));
		stop.abort();
		const run = await running;
		// The node's error for the item says why it ended (n8n records the execution itself as canceled).
		expect(run.error?.message).toMatch(/stopped while waiting for the Midjourney job/);
		const jobId = emulator().listJobs()[0]?.jobid;
		expect(jobId).toBeDefined();
		expect(
			emulator()
				.requests.filter((r) => r.method === 'DELETE')
				.map((r) => decodeURIComponent(r.path)),
		).toEqual([`/v3/midjourney/jobs/${jobId}`]);
	});
});
