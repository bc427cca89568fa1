/**
 * Users still run n8n 1.x: the package, as `npm pack` ships it and with nothing installed beside it,
 * loads in the pinned 1.x and Imagine completes against the emulator, streamed and polled, with the
 * trigger node registered. The full suite runs on 2.x.
 */
import {
	installedPackageLayout,
	requestsTo,
	runMidjourneyNode,
	useEnvironment,
} from './midjourney';

jest.setTimeout(10 * 60 * 1000);

const env = useEnvironment({ major: 1, packageMode: 'packed' });

describe('n8n 1.x smoke test', () => {
	it('runs from the npm pack output alone: nothing installed beside it, the SSE parser inside dist/', () => {
		expect(installedPackageLayout(env.n8n)).toEqual({
			packages: ['n8n-nodes-useapi-midjourney'],
			nodeModulesInPackage: false,
			dependencies: undefined,
			bundledParser: true,
		});
	});

	it.each(['stream', 'poll'])('Imagine with %s completes with four images', async (waitFor) => {
		env.emulator.reset();
		const run = await runMidjourneyNode(env, {
			resource: 'job',
			operation: 'imagine',
			prompt: 'a cat on n8n 1.x',
			waitFor,
			options: { pollInterval: 0.3 },
		});
		expect(run.error).toBeFalsy();
		expect(run.items[0].json.status).toBe('completed');
		expect(run.items[0].json.response.imageUx).toHaveLength(4);
		expect(Object.keys(run.items[0].binary ?? {})).toEqual([
			'data_1',
			'data_2',
			'data_3',
			'data_4',
		]);
		expect(requestsTo(env, 'POST', '/v3/midjourney/jobs/imagine')).toHaveLength(1);
	});

	it('a media body that stalls fails its item within the stall timeout + 5 s on 1.x too', async () => {
		env.emulator.reset();
		env.emulator.faults.stallMediaBodyNext = 1;
		const started = Date.now();
		const run = await runMidjourneyNode(env, {
			resource: 'media',
			operation: 'download',
			cdnUrl: 'https://cdn.midjourney.com/0b6c9f4e-1111-2222-3333-444455556666/0_2.png',
		});
		expect(run.error.message).toMatch(/Media download stalled: no data for 60 seconds/);
		expect(Date.now() - started).toBeLessThan(65_000);
	});

	it('an over-long prompt fails before any request', async () => {
		env.emulator.reset();
		const run = await runMidjourneyNode(env, {
			resource: 'job',
			operation: 'imagine',
			prompt: 'y'.repeat(5001),
		});
		expect(run.error.message).toBe('"Prompt" is too long: 5001 characters, the limit is 5000');
		expect(env.emulator.requests).toHaveLength(0);
	});

	it('Continue (using error output): 1.x routes only { error } items there, so a failure with a job stays on the regular output', async () => {
		env.emulator.reset();
		const run = await runMidjourneyNode(
			env,
			{
				resource: 'job',
				operation: 'imagine',
				prompt: '={{ $json.prompt }}',
				waitFor: 'poll',
				options: { pollInterval: 0.3 },
			},
			{ items: [{ prompt: 'broken --emu-fail' }, { prompt: '' }], continueOnFail: 'errorOutput' },
		);
		const jobid = env.emulator.listJobs()[0].jobid;
		expect(run.items.map((item) => item.json)).toEqual([
			{
				error: 'Midjourney job failed: Midjourney job failed',
				details: {
					jobid,
					status: 'failed',
					errorDetails: 'Emulated failure requested with --emu-fail',
				},
			},
		]);
		expect(run.errorItems.map((item) => item.json)).toEqual([
			{ prompt: '', error: '"Prompt" is empty' },
		]);
	});

	it('loads the trigger node as well', async () => {
		const description = await env.n8n.nodeTypeDescription(
			'n8n-nodes-useapi-midjourney.midjourneyTrigger',
			1,
		);
		expect(description?.displayName).toBe('Midjourney (useapi.net) Trigger');
	});
});
