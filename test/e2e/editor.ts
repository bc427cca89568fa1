/**
 * Drives the real n8n editor in headless Chromium (Debian's `chromium`, installed by
 * scripts/install-chromium.sh, through playwright-core): sign in, open a workflow, search the node
 * creator, open a node, read a dropdown, execute a step and look at the output panel. Used by the
 * browser tests (editor.test.ts, editor-n8n1.test.ts) and by `npm run screenshots`.
 *
 * Selectors are n8n's own `data-test-id`s where it has them (the ones its own end-to-end tests use).
 */
import { execFileSync } from 'child_process';
import { randomUUID } from 'crypto';
import * as os from 'os';
import * as path from 'path';
import {
	chromium,
	type Browser,
	type BrowserContext,
	type Locator,
	type Page,
} from 'playwright-core';

import type { E2eEnvironment } from './midjourney';
import { MIDJOURNEY_TYPE, TRIGGER_TYPE } from './midjourney';
import { PACKAGE_ROOT, type N8nInstance } from './n8n';

/** Display names as the node creator lists them. */
export const NODE_DISPLAY_NAME = 'Midjourney (useapi.net)';
export const TRIGGER_DISPLAY_NAME = 'Midjourney (useapi.net) Trigger';

/** Path of the pinned Chromium: scripts/install-chromium.sh installs it if needed and prints it. */
export function chromiumPath(): string {
	const out = execFileSync('bash', [path.join(PACKAGE_ROOT, 'scripts', 'install-chromium.sh')], {
		cwd: PACKAGE_ROOT,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	const lines = out
		.split('\n')
		.map((line) => line.trim())
		.filter(Boolean);
	return lines[lines.length - 1];
}

export interface EditorBrowser {
	browser: Browser;
	close(): Promise<void>;
}

/**
 * One headless Chromium per test file, with flags that keep it off this machine's closed network
 * (playwright gives it a fresh temporary profile and removes it on close).
 */
export async function launchBrowser(): Promise<EditorBrowser> {
	const browser = await chromium.launch({
		executablePath: chromiumPath(),
		headless: true,
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--disable-dev-shm-usage',
		],
	});
	return {
		browser,
		async close() {
			await browser.close().catch(() => undefined);
		},
	};
}

/** A signed-in editor tab of `n8n` (its own browser context, so cookies don't leak between n8n instances). */
export async function signIn(browser: Browser, n8n: N8nInstance): Promise<Page> {
	const context: BrowserContext = await browser.newContext({
		viewport: { width: 1440, height: 900 },
		deviceScaleFactor: 1,
	});
	const page = await context.newPage();
	// Generous: two cores, n8n serving its editor bundle for the first time.
	page.setDefaultTimeout(60_000);
	page.setDefaultNavigationTimeout(120_000);
	await page.goto(`${n8n.baseUrl}/signin`);
	const inputs = page.locator('[data-test-id="signin-form"] input');
	await inputs.nth(0).fill(n8n.ownerEmail);
	await inputs.nth(1).fill(n8n.ownerPassword);
	await inputs.nth(1).press('Enter');
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
	return page;
}

/** Opens a saved workflow and waits for its canvas. */
export async function openWorkflow(
	page: Page,
	n8n: N8nInstance,
	workflowId: string,
): Promise<void> {
	await gotoEditor(page, `${n8n.baseUrl}/workflow/${workflowId}`, '[data-test-id="canvas-node"]');
	await dismissPopups(page);
}

/**
 * Opens an editor route and waits for `ready`. A route that shows nothing in a minute is loaded once
 * more (seen on 1.x under load right after signing in); a second miss leaves a screenshot in the
 * temp folder for the failure.
 */
async function gotoEditor(page: Page, url: string, ready: string): Promise<void> {
	await page.goto(url);
	try {
		await page.locator(ready).first().waitFor({ state: 'attached' });
	} catch {
		await page.reload();
		try {
			await page.locator(ready).first().waitFor({ state: 'attached' });
		} catch (error) {
			const shot = path.join(os.tmpdir(), `editor-failure-${Date.now()}.png`);
			await page.screenshot({ path: shot }).catch(() => undefined);
			throw new Error(
				`${url}: ${ready} did not appear (screenshot: ${shot}): ${(error as Error).message}`,
			);
		}
	}
}

/** Closes what n8n may show over a fresh editor (a "what's new" or survey modal). */
async function dismissPopups(page: Page): Promise<void> {
	await page.keyboard.press('Escape').catch(() => undefined);
}

const CREATOR = '[data-test-id="node-creator"]';
const SEARCH = `${CREATOR} [data-test-id="node-creator-search-bar"]`;
/** Listed entries carry n8n's keyboard-navigation type: `node`, `action`, `category`… */
const listed = (type: string) =>
	`${CREATOR} [data-test-id="item-iterator-item"][data-keyboard-nav-type="${type}"]`;

/** Opens the node creator from the "+" after `nodeName` on the canvas: the regular (action) list. */
export async function openNodeCreatorAfter(page: Page, nodeName: string): Promise<void> {
	await page.locator(`[data-test-id="canvas-node"][data-node-name="${nodeName}"]`).hover();
	await page.locator('[data-test-id="canvas-handle-plus"]').first().click();
	await page.locator(SEARCH).first().waitFor();
}

/** Opens the node creator for the first step of a new workflow: the trigger list. */
export async function openTriggerCreator(page: Page, n8n: N8nInstance): Promise<void> {
	await gotoEditor(page, `${n8n.baseUrl}/workflow/new`, '[data-test-id="canvas-add-button"]');
	await page.locator('[data-test-id="canvas-add-button"]').first().click();
	await page.locator(SEARCH).first().waitFor();
}

/**
 * Types `text` into the open node creator's search and returns the names of the nodes it lists, or
 * [] when it answers with its "no results" message. (n8n merges a node and its trigger into one
 * entry named after the node.)
 */
export async function searchNodes(page: Page, text: string): Promise<string[]> {
	const search = page.locator(SEARCH).first();
	await search.fill(text);
	const names = page.locator(`${listed('node')} [data-test-id="node-creator-item-name"]`);
	const noResults = page.locator(`${CREATOR} [data-test-id="node-creator-no-results"]`);
	await names.first().or(noResults).waitFor();
	// The list filters as one types: let it settle on the final text.
	await page.waitForTimeout(500);
	if (await noResults.isVisible()) return [];
	return (await names.allInnerTexts()).map((name) => name.trim());
}

/** Clicks a listed node in the node creator and returns the actions (or trigger events) it offers, in order. */
export async function pickNode(page: Page, displayName: string): Promise<string[]> {
	await page
		.locator(listed('node'))
		.filter({
			has: page.locator('[data-test-id="node-creator-item-name"]', {
				hasText: new RegExp(`^${escapeRegExp(displayName)}$`),
			}),
		})
		.first()
		.click();
	const actions = page.locator(listed('action'));
	await actions.first().waitFor();
	return (await actions.allInnerTexts()).map((text) => text.split('\n')[0].trim());
}

export async function closeNodeCreator(page: Page): Promise<void> {
	await page.keyboard.press('Escape');
	await page.locator('[data-test-id="node-creator"]').waitFor({ state: 'hidden' });
}

/** Opens a node's details view (NDV) by double-clicking it on the canvas. */
export async function openNode(page: Page, nodeName: string): Promise<Locator> {
	await page.locator(`[data-test-id="canvas-node"][data-node-name="${nodeName}"]`).dblclick();
	const ndv = page.locator('[data-test-id="ndv"]');
	await ndv.waitFor();
	return ndv;
}

export async function closeNode(page: Page): Promise<void> {
	await page
		.locator('[data-test-id="ndv-close-button"], [data-test-id="back-to-canvas"]')
		.first()
		.click();
	await page.locator('[data-test-id="ndv"]').waitFor({ state: 'hidden' });
}

/**
 * Opens a parameter's dropdown in the open NDV and returns the option labels it lists. A click that
 * lands while the panel is still sliding in opens nothing (seen once in `npm run screenshots`): the
 * click is repeated while no dropdown is open, and an open one is given the time its options take
 * to load.
 */
export async function dropdownOptions(page: Page, parameterName: string): Promise<string[]> {
	const parameter = page.locator(
		`[data-test-id="ndv"] [data-test-id="parameter-input-${parameterName}"]`,
	);
	const dropdown = page.locator('.el-select-dropdown:visible');
	const options = dropdown.locator('.el-select-dropdown__item');
	for (let attempt = 1; ; attempt++) {
		await parameter.click();
		try {
			await options.first().waitFor({ timeout: 5_000 });
			break;
		} catch (error) {
			if (attempt === 3) throw error;
			if ((await dropdown.count()) > 0) {
				await options.first().waitFor({ timeout: 45_000 });
				break;
			}
		}
	}
	return (await options.allInnerTexts()).map((text) => text.trim());
}

/** Executes the open node ("Execute step") and waits for its output panel to show items. */
export async function executeOpenNode(page: Page): Promise<Locator> {
	await page.locator('[data-test-id="ndv"] [data-test-id="node-execute-button"]').click();
	const output = page.locator('[data-test-id="ndv"] [data-test-id="output-panel"]');
	await output
		.locator('[data-test-id="ndv-run-data-display-mode"], [data-test-id="ndv-items-count"]')
		.first()
		.waitFor({ timeout: 60_000 });
	return output;
}

/**
 * Shows the first binary file of the output panel: its Binary view lists the files (n8n opens it by
 * itself for items with files), "View" opens the picture. Returns the shown image.
 */
export async function showOutputImage(page: Page): Promise<Locator> {
	const output = page.locator('[data-test-id="ndv"] [data-test-id="output-panel"]');
	const binaryMode = output.locator('[data-test-id="radio-button-binary"]');
	if (await binaryMode.isVisible()) await binaryMode.click();
	await output.locator('[data-test-id="ndv-view-binary-data"]').first().click();
	// 2.x serves the file from its binary data store (/rest/binary-data?…), 1.x may embed it (data:/blob:).
	const image = page
		.locator(
			['binary-data', 'data:image', 'blob:']
				.map((src) => `[data-test-id="ndv"] img[src*="${src}"]`)
				.join(', '),
		)
		.first();
	await image.waitFor();
	return image;
}

/** Expands the open trigger's "Webhook URLs" panel on its Production URL and returns that URL. */
export async function showWebhookUrls(page: Page, n8n: N8nInstance): Promise<string> {
	const ndv = page.locator('[data-test-id="ndv"]');
	await ndv.getByText('Webhook URLs', { exact: false }).first().click();
	await ndv.getByText('Production URL', { exact: true }).click();
	const url = ndv.getByText(new RegExp(`^${escapeRegExp(n8n.baseUrl)}/webhook/\\S+$`)).first();
	await url.waitFor();
	return (await url.innerText()).trim();
}

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------
// Workflows the browser checks open

/** Manual Trigger → Imagine (default settings) → Press Button on `jobId`, plus a Midjourney Trigger. */
export function editorWorkflow(env: E2eEnvironment, jobId: string) {
	const node = (
		name: string,
		type: string,
		x: number,
		y: number,
		parameters: Record<string, unknown>,
		extra: object = {},
	) => ({
		id: randomUUID(),
		name,
		type,
		typeVersion: 1,
		position: [x, y],
		parameters,
		credentials: env.credentials,
		...extra,
	});
	return {
		name: 'Midjourney in the editor',
		nodes: [
			{
				...node('When clicking ‘Execute workflow’', 'n8n-nodes-base.manualTrigger', 0, 0, {}),
				credentials: undefined,
			},
			node('Imagine', MIDJOURNEY_TYPE, 260, 0, {
				resource: 'job',
				operation: 'imagine',
				prompt: 'a lighthouse at dawn, watercolor',
			}),
			node('Press Button', MIDJOURNEY_TYPE, 520, 0, {
				resource: 'job',
				operation: 'button',
				jobId,
			}),
			node('Midjourney Trigger', TRIGGER_TYPE, 0, 300, {}, { webhookId: randomUUID() }),
		],
		connections: {
			'When clicking ‘Execute workflow’': { main: [[{ node: 'Imagine', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}
