/**
 * The browser checks (issue 13), run by editor.test.ts on n8n 2.x and editor-n8n1.test.ts on 1.x:
 * one n8n with this package and the emulator per file, one headless Chromium per file, one signed-in
 * tab reused by every check.
 */
import type { Page } from 'playwright-core';

import {
	closeNode,
	closeNodeCreator,
	dropdownOptions,
	editorWorkflow,
	executeOpenNode,
	launchBrowser,
	NODE_DISPLAY_NAME,
	openNode,
	openWorkflow,
	showOutputImage,
	pickNode,
	searchNodes,
	signIn,
	openTriggerCreator,
	openNodeCreatorAfter,
	type EditorBrowser,
} from './editor';
import { requestsTo, runMidjourneyNode, useEnvironment } from './midjourney';
import type { N8nMajor } from './n8n';

export function editorSuite(major: N8nMajor): void {
	jest.setTimeout(5 * 60 * 1000);

	const env = useEnvironment({ major });
	let chromium: EditorBrowser;
	let page: Page;

	beforeAll(async () => {
		chromium = await launchBrowser();
		page = await signIn(chromium.browser, env.n8n);
	});
	afterAll(async () => {
		await chromium?.close();
	});

	/** A completed Imagine made by the node itself in this n8n: a real job the emulator knows. */
	async function completedJob(): Promise<{ jobid: string; buttons: string[] }> {
		const run = await runMidjourneyNode(env, {
			resource: 'job',
			operation: 'imagine',
			prompt: 'a grid to press buttons on',
			options: { download: 'none' },
		});
		expect(run.error).toBeFalsy();
		return { jobid: run.items[0].json.jobid, buttons: run.items[0].json.response.buttons };
	}

	async function openEditorWorkflow(
		jobId = 'j0000000000000000000i-u1-c1-bot:midjourney',
	): Promise<string> {
		const workflow = await env.n8n.createWorkflow(editorWorkflow(env, jobId));
		await openWorkflow(page, env.n8n, workflow.id);
		return workflow.id;
	}

	describe(`node creator (n8n ${major}.x)`, () => {
		it('searching "Midjourney", "useapi" or "image" after a node lists the node; picking it shows its actions', async () => {
			await openEditorWorkflow();
			await openNodeCreatorAfter(page, 'Imagine');
			for (const text of ['Midjourney', 'useapi', 'image']) {
				expect({ text, listed: await searchNodes(page, text) }).toEqual({
					text,
					listed: expect.arrayContaining([NODE_DISPLAY_NAME]),
				});
			}
			await searchNodes(page, 'Midjourney');
			const actions = await pickNode(page, NODE_DISPLAY_NAME);
			// The operations' `action` labels, not trigger events: this is the action node's list.
			expect(actions).toEqual(
				expect.arrayContaining([
					'Generate images from a prompt',
					'Press a button of a job',
					'Describe an image',
				]),
			);
			expect(actions).not.toContain('On completed');
			await closeNodeCreator(page);
		});

		it('searching "Midjourney", "useapi" or "image" for the first step lists it; picking it shows the trigger events', async () => {
			await openTriggerCreator(page, env.n8n);
			for (const text of ['Midjourney', 'useapi', 'image']) {
				expect({ text, listed: await searchNodes(page, text) }).toEqual({
					text,
					listed: expect.arrayContaining([NODE_DISPLAY_NAME]),
				});
			}
			await searchNodes(page, 'Midjourney');
			// n8n lists a node and its trigger as one entry; in the trigger list, picking it offers the trigger's events first.
			const events = await pickNode(page, NODE_DISPLAY_NAME);
			expect(events.slice(0, 6)).toEqual([
				'On created',
				'On started',
				'On progress',
				'On completed',
				'On failed',
				'On moderated',
			]);
			await closeNodeCreator(page);
		});
	});

	describe(`Press Button (n8n ${major}.x)`, () => {
		it('the Button dropdown lists the buttons of the job in Job ID, read from the API', async () => {
			const parent = await completedJob();
			expect(parent.buttons.length).toBeGreaterThan(0);
			await openEditorWorkflow(parent.jobid);
			await openNode(page, 'Press Button');
			const listed = (await dropdownOptions(page, 'button')).map((option) =>
				option.split('\n')[0].trim(),
			);
			// Exactly the job's buttons, in its order: without the job (or on an error) the list differs.
			expect(listed).toEqual(parent.buttons);
			expect(requestsTo(env, 'GET', /^\/v3\/midjourney\/jobs\/j/).length).toBeGreaterThan(0);
			await page.keyboard.press('Escape');
			await closeNode(page);
		});
	});

	describe(`Imagine in the editor (n8n ${major}.x)`, () => {
		it('executing Imagine with its default settings shows its picture in the output panel', async () => {
			await openEditorWorkflow();
			await openNode(page, 'Imagine');
			await executeOpenNode(page);
			const image = await showOutputImage(page);
			// A decoded picture, not a broken-image placeholder: the browser loaded the PNG n8n served.
			expect(await image.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(
				0,
			);
			expect(requestsTo(env, 'POST', '/v3/midjourney/jobs/imagine')).toHaveLength(1);
			await closeNode(page);
		});
	});
}
