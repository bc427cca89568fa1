import type { INode } from 'n8n-workflow';
import { compactJob } from '../../nodes/Midjourney/engine/toolMode';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { Limiter } from '../../nodes/Midjourney/engine/capacity/concurrency';
import type { MediaRun } from '../../nodes/Midjourney/engine/output/downloads';
import { failedItem } from '../../nodes/Midjourney/engine/output/items';
import {
	describePrompts,
	jobItems,
	mediaUrls,
	outputOptionsFrom,
	seedOf,
	simplifyJob,
} from '../../nodes/Midjourney/engine/output/jobOutput';
import { parseInfo } from '../../nodes/Midjourney/actions/settings/settingsJob';
import { withJob } from '../../nodes/Midjourney/transport/errors';
import type { Job } from '../../nodes/Midjourney/transport/types';

/** Output shaping as plain functions: the job model in, the items a user sees out. */

const node = (onError?: INode['onError']) =>
	({ name: 'Midjourney', type: 'midjourney', typeVersion: 1, onError }) as INode;

const cdn = (n: number) => `https://cdn.midjourney.com/0a1b/0_${n}.png`;

function job(overrides: Partial<Job> = {}): Job {
	return {
		jobid: 'j1-bot:midjourney',
		verb: 'imagine',
		jobType: 'image',
		status: 'completed',
		created: '2026-11-23T10:00:00.000Z',
		request: { prompt: 'a fox', replyRef: 'row-7' },
		response: {
			imageUx: [1, 2, 3, 4].map((id) => ({ id, url: cdn(id) })),
			attachments: [{ url: 'https://cdn.discordapp.com/attachments/grid.png' }],
			buttons: ['U1', 'V1'],
		},
		...overrides,
	};
}

describe('media URLs', () => {
	it("are a job's upscaled images and videos, or its attachments when it has none", () => {
		expect(mediaUrls(job())).toEqual([cdn(1), cdn(2), cdn(3), cdn(4)]);
		const grid = job({ response: { attachments: [{ url: 'https://discord/grid.png' }] } });
		expect(mediaUrls(grid)).toEqual(['https://discord/grid.png']);
		expect(mediaUrls(job({ response: undefined }))).toEqual([]);
	});
});

describe('simplified job', () => {
	it('keeps the ID, status, prompt, media URLs, buttons and reply ref', () => {
		expect(simplifyJob(job())).toEqual({
			jobid: 'j1-bot:midjourney',
			status: 'completed',
			verb: 'imagine',
			jobType: 'image',
			prompt: 'a fox',
			imageUrls: [cdn(1), cdn(2), cdn(3), cdn(4)],
			buttons: ['U1', 'V1'],
			replyRef: 'row-7',
		});
	});

	it('reads the reply ref where the imagine page puts it (response.replyRef), else where its transcripts show it (request)', () => {
		const documented = job({
			request: { prompt: 'a fox' },
			response: { ...job().response, replyRef: 'row-8' },
		});
		expect(simplifyJob(documented).replyRef).toBe('row-8');
		expect(compactJob(documented, simplifyJob(documented)).replyRef).toBe('row-8');
		expect(simplifyJob(job({ request: { prompt: 'a fox' } })).replyRef).toBeUndefined();
	});

	it('lists attachment URLs only when there are no upscaled media, and carries the error and stream loss', () => {
		const simplified = simplifyJob(
			job({
				status: 'failed',
				error: 'Job timed out',
				response: { attachments: [{ url: 'https://discord/grid.png' }] },
				streamLost: { cancelledJobid: 'j0', reason: 'the connection dropped (ECONNRESET)' },
			}),
		);
		expect(simplified.attachmentUrls).toEqual(['https://discord/grid.png']);
		expect(simplified.imageUrls).toBeUndefined();
		expect(simplified.error).toBe('Job timed out');
		expect(simplified.streamLost).toEqual({
			cancelledJobid: 'j0',
			reason: 'the connection dropped (ECONNRESET)',
		});
	});

	it("lifts the seed out of the seed command's answer and the four prompts out of a describe job", () => {
		const seedJob = job({ verb: 'seed', response: { content: '**seed** 3937070146' } });
		expect(seedOf(seedJob)).toBe('3937070146');
		expect(simplifyJob(seedJob).seed).toBe('3937070146');
		const describe = job({
			verb: 'describe',
			response: {
				embeds: [{ description: '1️⃣ a red fox\n\n2️⃣ a fox in snow\n\n3️⃣ orange fur\n\n4️⃣ winter' }],
			},
		});
		expect(describePrompts(describe)).toEqual([
			'a red fox',
			'a fox in snow',
			'orange fur',
			'winter',
		]);
	});
});

describe('output options', () => {
	it('default to the full job with its media in one item under "data"', () => {
		expect(outputOptionsFrom({})).toEqual({
			simplify: false,
			download: 'combined',
			binaryPropertyName: 'data',
			compact: false,
			maxFileSizeMb: 250,
		});
		expect(outputOptionsFrom({ binaryPropertyName: '  ' }).binaryPropertyName).toBe('data');
	});
});

describe('job items without downloads', () => {
	// With Download Media off nothing is fetched: the run's context is never asked for anything.
	const run = { ctx: {}, api: {}, downloads: new Limiter(1) } as unknown as MediaRun;

	it('are one item per job, full or simplified', async () => {
		const full = await jobItems(
			run,
			0,
			[job(), job({ jobid: 'j2' })],
			outputOptionsFrom({ download: 'none' }),
		);
		expect(full.map((item) => item.json.jobid)).toEqual(['j1-bot:midjourney', 'j2']);
		expect(full[0].json.response).toBeDefined();
		expect(full[0].binary).toBeUndefined();
		const simple = await jobItems(run, 0, [job()], {
			...outputOptionsFrom({}),
			simplify: true,
			download: 'none',
		});
		expect(simple[0].json).toEqual(simplifyJob(job()));
	});

	it('download nothing for a job that did not complete, whatever the option says', async () => {
		const items = await jobItems(run, 0, [job({ status: 'failed' })], outputOptionsFrom({}));
		expect(items).toHaveLength(1);
		expect(items[0].binary).toBeUndefined();
	});
});

describe('failed item under Continue On Fail', () => {
	const jobFailure = () =>
		withJob(
			new NodeOperationError(node(), 'Midjourney job failed: Job timed out', {
				description: 'Job j1. Job timed out',
			}),
			{
				jobid: 'j1',
				status: 'failed',
				error: 'Job timed out',
				errorDetails: 'after 10 minutes',
				cancelled: true,
			},
		);

	it('on the regular output keeps the job at the top, paired with its input item', () => {
		const item = failedItem({ getNode: () => node('continueRegularOutput') }, jobFailure(), 3);
		expect(item).toEqual({
			json: {
				jobid: 'j1',
				status: 'failed',
				error: 'Midjourney job failed: Job timed out',
				errorDetails: 'after 10 minutes',
				cancelled: true,
			},
			pairedItem: { item: 3 },
		});
	});

	it('on the error output puts the job under details, where n8n 2.x keeps it', () => {
		const item = failedItem({ getNode: () => node('continueErrorOutput') }, jobFailure(), 0);
		expect(item.json).toEqual({
			error: 'Midjourney job failed: Job timed out',
			details: { jobid: 'j1', status: 'failed', errorDetails: 'after 10 minutes', cancelled: true },
		});
	});

	it('is only the error when no job was created', () => {
		const error = new NodeApiError(node(), { statusCode: 402 }, { message: 'expired (402)' });
		expect(failedItem({ getNode: () => node() }, error, 1)).toEqual({
			json: { error: 'expired (402)' },
			pairedItem: { item: 1 },
		});
	});
});

describe('settings info', () => {
	it('turns the /info answer into fields', () => {
		expect(
			parseInfo('**Subscription**: Standard (Active)\n**Fast Time Remaining**: 9.34/15.0 hours'),
		).toEqual({ subscription: 'Standard (Active)', fastTimeRemaining: '9.34/15.0 hours' });
	});
});
