/**
 * `npm run demo`: the bundled useapi.net emulator plus a real n8n (pinned 2.x) with this package
 * loaded, the example workflows imported, and the first example executed. Prints the editor URL,
 * the login and the completed job; Ctrl+C stops both servers it started.
 */
import { randomBytes } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';

import { startEmulator } from '../test/emulator';
import { emulatorCredential } from '../test/e2e/midjourney';
import { startN8n, type N8nInstance } from '../test/e2e/n8n';

const root = join(__dirname, '..');

function loadExample(file: string, replacements: Record<string, string>) {
	let text = readFileSync(join(root, 'examples', file), 'utf8');
	for (const [key, value] of Object.entries(replacements)) text = text.split(key).join(value);
	return JSON.parse(text);
}

async function main() {
	const emulator = await startEmulator({
		port: Number(process.env.EMULATOR_PORT ?? 0),
		jobDurationMs: 3000,
	});
	console.log(`useapi.net emulator: ${emulator.url}`);
	let n8n: N8nInstance | undefined;
	const stop = async () => {
		await n8n?.stop();
		await emulator.close();
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);

	n8n = await startN8n({
		major: 2,
		port: process.env.N8N_PORT ? Number(process.env.N8N_PORT) : undefined,
	});
	const { credentialId } = await emulatorCredential(n8n, emulator.url);

	// The example ships without a secret (the node asks for one): the demo makes one of its own.
	const triggerSecret = randomBytes(24).toString('base64url');
	const store = loadExample('store-finished-images.json', { __CREDENTIAL_ID__: credentialId });
	const triggerNode = store.nodes.find((node: { type: string }) =>
		node.type.endsWith('midjourneyTrigger'),
	);
	triggerNode.parameters.secret = triggerSecret;
	const storeWorkflow = await n8n.createWorkflow(store);
	await n8n.activateWorkflow(storeWorkflow.id);
	const triggerUrl = `${n8n.baseUrl}/webhook/${triggerNode.webhookId}/midjourney/${triggerSecret}`;

	const submit = loadExample('submit-many-prompts.json', {
		__CREDENTIAL_ID__: credentialId,
		__TRIGGER_URL__: triggerUrl,
	});
	const submitWorkflow = await n8n.createWorkflow(submit);
	await n8n.activateWorkflow(submitWorkflow.id);

	const imagine = loadExample('imagine-one-prompt.json', { __CREDENTIAL_ID__: credentialId });
	const imagineWorkflow = await n8n.createWorkflow(imagine);
	await n8n.activateWorkflow(imagineWorkflow.id);

	console.log(`\nn8n editor: ${n8n.baseUrl}  (login: ${n8n.ownerEmail} / ${n8n.ownerPassword})`);
	console.log('Running the example "Midjourney: imagine one prompt" against the emulator…');
	const result = await n8n.callWebhook('midjourney-demo', {
		prompt: 'a lighthouse at dawn, watercolor --ar 16:9',
	});
	console.log(`Completed example execution (HTTP ${result.status}):`);
	console.log(JSON.stringify(result.body, null, 2));

	console.log(
		'\nRunning "submit many prompts without waiting"; the trigger workflow stores each finished image…',
	);
	await n8n.callWebhook('midjourney-submit-many', {
		prompts: ['a red fox in snow', 'a blue whale in space'],
	});
	const stored = await n8n.waitForExecutions(
		storeWorkflow.id,
		(executions) => executions.length >= 2,
		60_000,
	);
	console.log(`The trigger workflow ran ${stored.length} times, once per finished image job.`);

	if (process.env.DEMO_EXIT === '1' || !process.stdin.isTTY) {
		console.log('\nDemo finished (non-interactive): stopping n8n and the emulator.');
		await stop();
	}
	console.log('\nThe editor stays up. Press Ctrl+C to stop n8n and the emulator.');
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
