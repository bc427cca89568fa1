/**
 * Regenerates the README's pictures of the editor (docs/*.png): a real n8n 2.x with this package
 * and the bundled emulator, driven in headless Chromium with the same code as the browser tests
 * (test/e2e/editor.ts).
 *
 *   npm run screenshots
 */
import * as fs from 'fs';
import * as path from 'path';

import {
	closeNode,
	closeNodeCreator,
	dropdownOptions,
	editorWorkflow,
	executeOpenNode,
	launchBrowser,
	NODE_DISPLAY_NAME,
	openNode,
	openNodeCreatorAfter,
	openWorkflow,
	showOutputImage,
	searchNodes,
	showWebhookUrls,
	signIn,
} from '../test/e2e/editor';
import { PACKAGE_ROOT } from '../test/e2e/n8n';
import {
	runMidjourneyNode,
	startEnvironment,
	stopEnvironment,
	type E2eEnvironment,
} from '../test/e2e/midjourney';

const DOCS = path.join(PACKAGE_ROOT, 'docs');

/** examples/agent-imagine-upscale.json with real credentials (the model is never called for a picture of the canvas). */
async function agentExample(env: E2eEnvironment) {
	const openAi = await env.n8n.createCredential('OpenAI', 'openAiApi', {
		apiKey: 'sk-screenshot',
		url: 'http://127.0.0.1:9/v1',
	});
	return JSON.parse(
		fs
			.readFileSync(path.join(PACKAGE_ROOT, 'examples', 'agent-imagine-upscale.json'), 'utf8')
			.replace(/__CREDENTIAL_ID__/g, env.credentialId)
			.replace(/__OPENAI_CREDENTIAL_ID__/g, openAi),
	);
}

async function main(): Promise<void> {
	fs.mkdirSync(DOCS, { recursive: true });
	let env: E2eEnvironment | undefined;
	const chromium = await launchBrowser();
	try {
		env = await startEnvironment({ major: 2 });
		const parent = await runMidjourneyNode(env, {
			resource: 'job',
			operation: 'imagine',
			prompt: 'a lighthouse at dawn, watercolor',
			options: { download: 'none' },
		});
		const workflow = await env.n8n.createWorkflow(editorWorkflow(env, parent.items[0].json.jobid));
		const page = await signIn(chromium.browser, env.n8n);
		await openWorkflow(page, env.n8n, workflow.id);
		const shot = async (name: string) => {
			await page.waitForTimeout(500); // animations (panels sliding in) settle
			await page.screenshot({ path: path.join(DOCS, name) });
			console.log(`docs/${name}`);
		};

		await openNodeCreatorAfter(page, 'Imagine');
		const listed = await searchNodes(page, 'Midjourney');
		if (!listed.includes(NODE_DISPLAY_NAME))
			throw new Error(`search did not list the node: ${listed.join(', ')}`);
		await shot('node-search.png');
		await closeNodeCreator(page);

		await openNode(page, 'Imagine');
		await executeOpenNode(page);
		await showOutputImage(page);
		await shot('imagine-output.png');
		await closeNode(page);

		await openNode(page, 'Press Button');
		await dropdownOptions(page, 'button');
		await shot('button-dropdown.png');
		await page.keyboard.press('Escape');
		await closeNode(page);

		await openNode(page, 'Midjourney Trigger');
		await showWebhookUrls(page, env.n8n);
		await shot('trigger-url.png');
		await closeNode(page);

		// docs/AGENT.md: the example agent with its chat model and the two Midjourney tools.
		const agent = await env.n8n.createWorkflow(await agentExample(env));
		await openWorkflow(page, env.n8n, agent.id);
		await page.keyboard.press('Shift+1'); // zoom to fit
		await shot('agent.png');
	} finally {
		await chromium.close();
		await stopEnvironment(env);
	}
}

main().then(
	() => process.exit(0),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
