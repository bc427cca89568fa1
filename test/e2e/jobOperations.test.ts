/**
 * Issue 4, Job resource, in a real n8n 2.x against the emulator: each operation's request as the
 * emulator received it, the node's output, and the error cases of its docs page.
 */
import { randomUUID } from 'crypto';
import { deflateSync } from 'zlib';

import { MIDJOURNEY_TYPE, requestsTo, runMidjourneyNode, useEnvironment } from './midjourney';

jest.setTimeout(10 * 60 * 1000);

const env = useEnvironment();

/** A valid 2×2 PNG, built here so the test does not depend on the emulator's image code. */
function tinyPng(): Buffer {
	const crcTable = Array.from({ length: 256 }, (_, n) => {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		return c >>> 0;
	});
	const crc = (bytes: Buffer) => {
		let c = 0xffffffff;
		for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
		return (c ^ 0xffffffff) >>> 0;
	};
	const chunk = (type: string, data: Buffer) => {
		const length = Buffer.alloc(4);
		length.writeUInt32BE(data.length);
		const body = Buffer.concat([Buffer.from(type), data]);
		const sum = Buffer.alloc(4);
		sum.writeUInt32BE(crc(body));
		return Buffer.concat([length, body, sum]);
	};
	const header = Buffer.alloc(13);
	header.writeUInt32BE(2, 0);
	header.writeUInt32BE(2, 4);
	header[8] = 8;
	header[9] = 2;
	const rows = Buffer.from([0, 255, 0, 0, 0, 0, 255, 0, 0, 255, 0, 255, 255, 0]);
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', header),
		chunk('IDAT', deflateSync(rows)),
		chunk('IEND', Buffer.alloc(0)),
	]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const fast = { pollInterval: 0.3 };
/**
 * A U child's image is a Discord attachment (button page transcript: no imageUx), fetched from Discord's
 * CDN, which these tests cannot reach; Press Button tests about the job itself do not download.
 */
const noDownload = { ...fast, download: 'none' };
/** GET jobs/{jobid}: a read of one job. */
const JOB_READ = /^\/v3\/midjourney\/jobs\/[^/]+$/;

async function completedImagine(prompt = 'a grid to press buttons on'): Promise<any> {
	const run = await runMidjourneyNode(env, {
		resource: 'job',
		operation: 'imagine',
		prompt,
		options: fast,
	});
	expect(run.items[0].json.status).toBe('completed');
	return run.items[0].json;
}

describe('Press Button', () => {
	it('the editor lists the buttons of a completed job', async () => {
		const parent = await completedImagine();
		const options = await env.n8n.loadOptions({
			nodeType: MIDJOURNEY_TYPE,
			nodeVersion: 1,
			path: 'parameters.button',
			methodName: 'getButtons',
			currentNodeParameters: { resource: 'job', operation: 'button', jobId: parent.jobid },
			credentials: env.credentials,
		});
		expect(options.map((option) => option.value)).toEqual(parent.response.buttons);
		expect(options.map((option) => option.value)).toEqual(
			expect.arrayContaining(['U1', 'U2', 'U3', 'U4', 'V1']),
		);
	});

	it('presses U1 and returns the child job; pressing U1 again returns the same child', async () => {
		const parent = await completedImagine();
		const first = await runMidjourneyNode(env, {
			resource: 'job',
			operation: 'button',
			jobId: parent.jobid,
			button: ['U1'],
			options: noDownload,
		});
		const child = first.items[0].json;
		expect(child.status).toBe('completed');
		expect(child.verb).toBe('button');
		expect(requestsTo(env, 'POST', '/v3/midjourney/jobs/button')[0].body).toMatchObject({
			jobId: parent.jobid,
			button: 'U1',
		});

		const again = await runMidjourneyNode(env, {
			resource: 'job',
			operation: 'button',
			jobId: parent.jobid,
			button: ['U1'],
			options: noDownload,
		});
		expect(again.error).toBeFalsy();
		expect(again.items[0].json.jobid).toBe(child.jobid);
	});

	it('presses U1–U4 in one step: one item per child job', async () => {
		const parent = await completedImagine();
		const run = await runMidjourneyNode(env, {
			resource: 'job',
			operation: 'button',
			jobId: parent.jobid,
			button: ['U1', 'U2', 'U3', 'U4'],
			waitFor: 'poll',
			options: { ...noDownload, simplify: true },
		});
		expect(run.items).toHaveLength(4);
		expect(new Set(run.items.map((item) => item.json.jobid)).size).toBe(4);
		expect(run.items.every((item) => item.pairedItem?.item === 0)).toBe(true);
		expect(
			requestsTo(env, 'POST', '/v3/midjourney/jobs/button').map((r) => (r.body as any).button),
		).toEqual(['U1', 'U2', 'U3', 'U4']);
	});

	it('checks every name against the parent job (one GET) before the first of several presses', async () => {
		const parent = await completedImagine();
		const getsBefore = requestsTo(env, 'GET', JOB_READ).length;
		const run = await runMidjourneyNode(env, {
			resource: 'job',
			operation: 'button',
			jobId: parent.jobid,
			button: '={{ "U1, U2, U9" }}',
			waitFor: 'poll',
			options: noDownload,
		});
		expect(run.error.message).toMatch(
			new RegExp(`^"U9" is not a button of job ${parent.jobid}\\. Valid buttons: U1, U2, U3, U4`),
		);
		expect(requestsTo(env, 'POST', '/v3/midjourney/jobs/button')).toHaveLength(0);
		expect(requestsTo(env, 'GET', JOB_READ).length).toBe(getsBefore + 1);
	});

	it('takes the button from an expression too', async () => {
		const parent = await completedImagine();
		const run = await runMidjourneyNode(
			env,
			{
				resource: 'job',
				operation: 'button',
				jobId: '={{ $json.jobid }}',
				button: '={{ $json.button }}',
				options: fast,
			},
			{ items: [{ jobid: parent.jobid, button: 'V2' }] },
		);
		expect(run.items[0].json.status).toBe('completed');
		expect(requestsTo(env, 'POST', '/v3/midjourney/jobs/button')[0].body).toMatchObject({
			button: 'V2',
		});
	});

	it('needs a mask for Vary (Region), before any request', async () => {
		const run = await runMidjourneyNode(env, {
			resource: 'job',
			operation: 'button',
			jobId: 'j1-u1-c1-bot:midjourney',
			button: ['Vary (Region)'],
		});
		expect(run.error.message).toBe('"Mask" is required for the Vary (Region) button');
		expect(env.emulator.requests).toHaveLength(0);
	});

	it('explains a parent job that does not exist (404)', async () => {
		const run = await runMidjourneyNode(env, {
			resource: 'job',
			operation: 'button',
			jobId: 'j0000000000000000000i-u1-c1-bot:midjourney',
			button: ['U1'],
		});
		expect(run.error.message).toMatch(/404/);
	});

	it('Imagine → Press Button (U1) → Download produces a PNG', async () => {
		const path = `chain-${randomUUID()}`;
		const node = (name: string, x: number, parameters: Record<string, unknown>) => ({
			id: randomUUID(),
			name,
			type: MIDJOURNEY_TYPE,
			typeVersion: 1,
			position: [x, 0],
			parameters,
			credentials: env.credentials,
		});
		const nodes = [
			{
				id: randomUUID(),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: randomUUID(),
				parameters: {
					httpMethod: 'POST',
					path,
					responseMode: 'lastNode',
					responseData: 'firstEntryBinary',
					options: { responseBinaryPropertyName: 'data' },
				},
			},
			node('Imagine', 200, {
				resource: 'job',
				operation: 'imagine',
				prompt: 'a red fox',
				options: fast,
			}),
			node('Upscale', 400, {
				resource: 'job',
				operation: 'button',
				jobId: '={{ $json.jobid }}',
				button: ['U1'],
				options: noDownload,
			}),
			// A U child has no imageUx (button page transcript); the upscaled cell is the grid's imageUx[0].
			node('Download', 600, {
				resource: 'media',
				operation: 'download',
				cdnUrl: "={{ $('Imagine').item.json.response.imageUx[0].url }}",
			}),
		];
		const connections = {
			Webhook: { main: [[{ node: 'Imagine', type: 'main', index: 0 }]] },
			Imagine: { main: [[{ node: 'Upscale', type: 'main', index: 0 }]] },
			Upscale: { main: [[{ node: 'Download', type: 'main', index: 0 }]] },
		};
		const workflow = await env.n8n.createWorkflow({
			name: 'Imagine → U1 → Download',
			nodes,
			connections,
			settings: { executionOrder: 'v1' },
		});
		await env.n8n.activateWorkflow(workflow.id);
		const response = await env.n8n.callWebhook(path, {});
		expect(response.status).toBe(200);
		expect(response.headers['content-type']).toMatch(/image\/png/);
		expect(Buffer.from(response.body).subarray(0, 8)).toEqual(PNG_SIGNATURE);
		// Imagine attaches its four images by default, then Download fetches its one.
		expect(requestsTo(env, 'GET', '/v1/proxy/cdn-midjourney/')).toHaveLength(5);
		await env.n8n.deactivateWorkflow(workflow.id);
	});
});

describe('Describe Image', () => {
	it('describes a binary image from the input item and returns its four prompts', async () => {
		const run = await runMidjourneyNode(
			env,
			{ resource: 'job', operation: 'describe', binaryPropertyName: 'data', options: fast },
			{ binaryInput: { data: tinyPng(), contentType: 'image/png' } },
		);
		expect(run.error).toBeFalsy();
		expect(run.items[0].json.status).toBe('completed');
		expect(run.items[0].json.prompts).toHaveLength(4);
		const post = requestsTo(env, 'POST', '/v3/midjourney/jobs/describe')[0];
		expect(post.contentType).toMatch(/multipart\/form-data/);
		expect((post.body as any).files.imageBlob).toMatchObject({
			contentType: 'image/png',
			size: tinyPng().length,
		});
	});

	it('describes an image URL', async () => {
		const run = await runMidjourneyNode(env, {
			resource: 'job',
			operation: 'describe',
			imageUrl: 'https://example.com/cat.png',
			options: fast,
		});
		expect(run.items[0].json.prompts).toHaveLength(4);
		expect(requestsTo(env, 'POST', '/v3/midjourney/jobs/describe')[0].body).toMatchObject({
			imageUrl: 'https://example.com/cat.png',
			stream: true,
		});
	});

	it('refuses both a URL and a binary field, before any request', async () => {
		const run = await runMidjourneyNode(env, {
			resource: 'job',
			operation: 'describe',
			imageUrl: 'https://example.com/a.png',
			binaryPropertyName: 'data',
		});
		expect(run.error.message).toBe('Image: both "Image URL" and "Input Binary Field" are set');
		expect(env.emulator.requests).toHaveLength(0);
	});

	it('refuses a binary that is not an image, before any request', async () => {
		const run = await runMidjourneyNode(
			env,
			{ resource: 'job', operation: 'describe', binaryPropertyName: 'data' },
			{
				binaryInput: { data: Buffer.from('%PDF-1.4 not an image'), contentType: 'application/pdf' },
			},
		);
		expect(run.error.message).toMatch(/^Image: binary field "data" is not an image/);
		expect(env.emulator.requests).toHaveLength(0);
	});
});

describe('Blend Images', () => {
	it('blends two URLs with the chosen dimensions', async () => {
		const run = await runMidjourneyNode(env, {
			resource: 'job',
			operation: 'blend',
			images: {
				image: [
					{ imageUrl: 'https://example.com/1.png' },
					{ imageUrl: 'https://example.com/2.png' },
				],
			},
			blendDimensions: 'Portrait',
			options: fast,
		});
		expect(run.items[0].json.status).toBe('completed');
		expect(requestsTo(env, 'POST', '/v3/midjourney/jobs/blend')[0].body).toMatchObject({
			imageUrl_1: 'https://example.com/1.png',
			imageUrl_2: 'https://example.com/2.png',
			blendDimensions: 'Portrait',
		});
	});

	it('mixes a URL and a binary image as multipart fields', async () => {
		const run = await runMidjourneyNode(
			env,
			{
				resource: 'job',
				operation: 'blend',
				images: {
					image: [{ binaryPropertyName: 'data' }, { imageUrl: 'https://example.com/2.png' }],
				},
				options: fast,
			},
			{ binaryInput: { data: tinyPng(), contentType: 'image/png' } },
		);
		expect(run.error).toBeFalsy();
		const body = requestsTo(env, 'POST', '/v3/midjourney/jobs/blend')[0].body as any;
		expect(body.files.imageBlob_1).toMatchObject({ contentType: 'image/png' });
		expect(body.fields.imageUrl_2).toBe('https://example.com/2.png');
	});

	it('refuses a blend of one image, before any request', async () => {
		const run = await runMidjourneyNode(env, {
			resource: 'job',
			operation: 'blend',
			images: { image: [{ imageUrl: 'https://example.com/1.png' }] },
		});
		expect(run.error.message).toBe('"Images" needs 2 to 5 images, got 1');
		expect(env.emulator.requests).toHaveLength(0);
	});
});

describe('Get Seed, Get, List Running, Cancel', () => {
	it('gets the seed of an image job; asking again returns the same seed job', async () => {
		const parent = await completedImagine();
		const first = await runMidjourneyNode(env, {
			resource: 'job',
			operation: 'seed',
			jobId: parent.jobid,
			options: { ...fast, simplify: true },
		});
		expect(first.items[0].json.seed).toMatch(/^\d+$/);
		expect(requestsTo(env, 'POST', '/v3/midjourney/jobs/seed')[0].body).toMatchObject({
			jobId: parent.jobid,
		});
		const again = await runMidjourneyNode(env, {
			resource: 'job',
			operation: 'seed',
			jobId: parent.jobid,
			options: fast,
		});
		expect(again.items[0].json.jobid).toBe(first.items[0].json.jobid);
	});

	it('gets a job, simplified', async () => {
		const parent = await completedImagine();
		const run = await runMidjourneyNode(env, {
			resource: 'job',
			operation: 'get',
			jobId: parent.jobid,
			options: { simplify: true },
		});
		expect(run.items[0].json).toMatchObject({
			jobid: parent.jobid,
			status: 'completed',
			prompt: 'a grid to press buttons on',
		});
		expect(run.items[0].json.imageUrls).toHaveLength(4);
		expect(requestsTo(env, 'GET', /^\/v3\/midjourney\/jobs\/j/)).toHaveLength(1);
	});

	it('explains an expired job (410)', async () => {
		const run = await runMidjourneyNode(env, {
			resource: 'job',
			operation: 'get',
			jobId: 'j0101010101010101010i-expired-u1-c1-bot:midjourney',
		});
		expect(run.error.message).toMatch(/expired \(410\)/);
	});

	it('downloads the four images of a job as binary items', async () => {
		const parent = await completedImagine();
		const run = await runMidjourneyNode(env, {
			resource: 'job',
			operation: 'get',
			jobId: parent.jobid,
			options: { download: 'separate' },
		});
		expect(run.items).toHaveLength(4);
		expect(run.items.map((item) => item.binary?.data?.mimeType)).toEqual([
			'image/png',
			'image/png',
			'image/png',
			'image/png',
		]);
		expect(run.items.map((item) => item.json.mediaIndex)).toEqual([1, 2, 3, 4]);
	});

	it('lists running jobs and cancels one', async () => {
		const created = await runMidjourneyNode(env, {
			resource: 'job',
			operation: 'imagine',
			prompt: 'long --emu-ms=20000',
			waitFor: 'none',
		});
		const jobId = created.items[0].json.jobid;
		const listed = await runMidjourneyNode(env, { resource: 'job', operation: 'listRunning' });
		expect(listed.items[0].json.total).toBe(1);
		const cancelled = await runMidjourneyNode(env, { resource: 'job', operation: 'cancel', jobId });
		expect(cancelled.items[0].json).toEqual({ jobid: jobId, cancelled: true });
		expect(requestsTo(env, 'DELETE', /^\/v3\/midjourney\/jobs\//)).toHaveLength(1);
		expect(env.emulator.getJob(jobId)?.status).toBe('failed');
	});
});
