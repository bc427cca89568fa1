/**
 * The scale rows of `npm run bench` (issue 12): several executions at once sharing one account.
 * 3 executions × 20 prompts, started together, on one channel of capacity 3 with 1 s jobs:
 * - in the single n8n process of the bench;
 * - in queue mode (main + 2 workers + webhook process, Redis, Postgres: test/e2e/queue.ts), called
 *   on the main process and on the webhook process.
 * The ideal is the account's own limit: ceil(60 / 3) × 1 s = 20 s from the first call to the last
 * answer. Also counted: 429 answers, accepted submissions per item, items completed.
 */
import { randomUUID } from 'crypto';

import type { Emulator } from '../test/emulator';
import { emulatorCredential, midjourneyWorkflow } from '../test/e2e/midjourney';
import type { N8nInstance } from '../test/e2e/n8n';
import { startQueueCluster } from '../test/e2e/queue';

export const SCALE_EXECUTIONS = 3;
export const SCALE_PROMPTS = 20;

export interface ScaleMeasurement {
	label: string;
	wallMs: number;
	idealMs: number;
	items: number;
	completed: number;
	posts: number;
	accepted: number;
	busy429: number;
	/** Most jobs the emulator ran at once during the run (never above capacity). */
	maxRunning: number;
	error?: string;
}

/**
 * Starts `SCALE_EXECUTIONS` webhook executions of one workflow at once, each with `SCALE_PROMPTS`
 * prompts, and waits for all answers.
 */
async function concurrentExecutions(
	label: string,
	n8n: N8nInstance,
	webhookBaseUrl: string,
	emulator: Emulator,
	credentials: { useApiNetApi: { id: string; name: string } },
	capacity: number,
	jobMs: number,
): Promise<ScaleMeasurement> {
	const path = `bench-scale-${randomUUID().slice(0, 8)}`;
	const workflow = await n8n.createWorkflow({
		...midjourneyWorkflow({
			path,
			parameters: {
				resource: 'job',
				operation: 'imagine',
				prompt: '={{ $json.prompt }}',
				waitFor: 'stream',
				options: {},
			},
			credentials,
			respond: 'allEntries',
			splitItems: true,
		}),
		name: `Bench ${label}`,
	});
	await n8n.activateWorkflow(workflow.id);
	const url = `${webhookBaseUrl}/webhook/${path}`;
	try {
		// Registered (2.x answers 404 for a moment after activation): probe with an empty batch.
		for (let attempt = 0; attempt < 100; attempt++) {
			const probe = await n8n.http('POST', url, { items: [] });
			if (probe.status !== 404) break;
			await new Promise((resolve) => setTimeout(resolve, 200));
		}
		await new Promise((resolve) => setTimeout(resolve, 500));
		const postsBefore = emulator.requests.filter(
			(r) => r.method === 'POST' && r.path === '/v3/midjourney/jobs/imagine',
		).length;
		const acceptedBefore = emulator.submissions();
		const jobsBefore = new Set(emulator.listJobs().map((job) => job.jobid));
		const started = performance.now();
		const answers = await Promise.all(
			Array.from({ length: SCALE_EXECUTIONS }, (_, execution) =>
				n8n.http('POST', url, {
					items: Array.from({ length: SCALE_PROMPTS }, (_, i) => ({
						prompt: `${label} ${execution}.${i} ${path}`,
					})),
				}),
			),
		);
		const wallMs = performance.now() - started;
		const posts =
			emulator.requests.filter(
				(r) => r.method === 'POST' && r.path === '/v3/midjourney/jobs/imagine',
			).length - postsBefore;
		const accepted = emulator.submissions() - acceptedBefore;
		const completed = answers
			.map((answer) =>
				Array.isArray(answer.body)
					? answer.body.filter((item: { status?: string }) => item.status === 'completed').length
					: 0,
			)
			.reduce((a, b) => a + b, 0);
		const jobs = emulator.listJobs().filter((job) => !jobsBefore.has(job.jobid));
		const items = SCALE_EXECUTIONS * SCALE_PROMPTS;
		const errors = answers
			.filter((answer) => answer.status !== 200)
			.map((answer) => `${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
		return {
			label,
			wallMs,
			idealMs: Math.ceil(items / capacity) * jobMs,
			items,
			completed,
			posts,
			accepted,
			busy429: posts - accepted,
			maxRunning: maxConcurrent(jobs),
			error: errors.length ? errors.join('; ') : undefined,
		};
	} finally {
		await n8n.deactivateWorkflow(workflow.id).catch(() => undefined);
	}
}

/** The most jobs whose created → updated spans overlap at one instant. */
function maxConcurrent(jobs: Array<{ created: string; updated?: string }>): number {
	const events: Array<[number, number]> = [];
	for (const job of jobs) {
		events.push([Date.parse(job.created), 1]);
		events.push([Date.parse(job.updated ?? job.created), -1]);
	}
	events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
	let running = 0;
	let most = 0;
	for (const [, delta] of events) {
		running += delta;
		most = Math.max(most, running);
	}
	return most;
}

export async function benchScale(options: {
	single: N8nInstance;
	emulator: Emulator;
	credentials: { useApiNetApi: { id: string; name: string } };
	capacity: number;
	jobMs: number;
	token: string;
	log: (text: string) => void;
}): Promise<ScaleMeasurement[]> {
	const { single, emulator, capacity, jobMs, log } = options;
	const results: ScaleMeasurement[] = [];
	const measure = async (run: () => Promise<ScaleMeasurement>, label: string) => {
		try {
			results.push(await run());
		} catch (error) {
			results.push({
				label,
				wallMs: NaN,
				idealMs: NaN,
				items: 0,
				completed: 0,
				posts: 0,
				accepted: 0,
				busy429: 0,
				maxRunning: 0,
				error: (error as Error).message,
			});
		}
		const r = results[results.length - 1];
		log(
			`${label}: ${(r.wallMs / 1000).toFixed(2)} s (ideal ${(r.idealMs / 1000).toFixed(0)} s), ${r.completed}/${r.items} completed, ${r.accepted}/${r.posts} accepted, ${r.busy429}×429${r.error ? `, ERROR ${r.error}` : ''}`,
		);
	};

	await measure(
		() =>
			concurrentExecutions(
				'single process',
				single,
				single.baseUrl,
				emulator,
				options.credentials,
				capacity,
				jobMs,
			),
		'single process',
	);

	log('starting a queue-mode cluster (Redis, Postgres, main, 2 workers, webhook process)…');
	const cluster = await startQueueCluster({ workers: 2, workerConcurrency: 5 });
	try {
		const { credentials } = await emulatorCredential(cluster.main, emulator.url, options.token);
		// Warm-up: each worker loads the node on its first execution.
		await concurrentExecutions(
			'queue warm-up',
			cluster.main,
			cluster.main.baseUrl,
			emulator,
			credentials,
			capacity,
			jobMs,
		).catch(() => undefined);
		await measure(
			() =>
				concurrentExecutions(
					'queue mode, called on main',
					cluster.main,
					cluster.main.baseUrl,
					emulator,
					credentials,
					capacity,
					jobMs,
				),
			'queue mode, called on main',
		);
		await measure(
			() =>
				concurrentExecutions(
					'queue mode, through the webhook process',
					cluster.main,
					cluster.webhookBaseUrl,
					emulator,
					credentials,
					capacity,
					jobMs,
				),
			'queue mode, through the webhook process',
		);
	} finally {
		await cluster.stop();
	}
	return results;
}

/** `npx tsx scripts/bench-scale.ts`: the scale rows alone (`npm run bench` runs them with the rest). */
async function main(): Promise<number> {
	const { startEmulator } = await import('../test/emulator');
	const { startN8n, stopAllN8n } = await import('../test/e2e/n8n');
	const token = 'bench-token';
	const capacity = 3;
	const jobMs = 1000;
	const emulator = await startEmulator({
		token,
		jobDurationMs: jobMs,
		accounts: [
			{
				channel: '1100000000000000001',
				maxJobs: capacity,
				maxImageJobs: capacity,
				maxVideoJobs: capacity,
			},
		],
	});
	try {
		const single = await startN8n({ major: 2 });
		const { credentials } = await emulatorCredential(single, emulator.url, token);
		const log = (text: string) => process.stderr.write(`[bench-scale] ${text}\n`);
		const results = await benchScale({
			single,
			emulator,
			credentials,
			capacity,
			jobMs,
			token,
			log,
		});
		console.log(scaleTable(results));
		return results.some((r) => r.error) ? 1 : 0;
	} finally {
		await stopAllN8n().catch(() => undefined);
		await emulator.close().catch(() => undefined);
	}
}

/** The scale rows as a markdown table. */
export function scaleTable(results: ScaleMeasurement[]): string {
	const lines = [
		`| ${SCALE_EXECUTIONS} executions × ${SCALE_PROMPTS} prompts, capacity 3, 1 s jobs | wall time | ideal | ratio | completed | accepted submissions per item | 429 answers | most jobs at once |`,
		'|---|---:|---:|---:|---:|---:|---:|---:|',
		...results.map(
			(r) =>
				`| ${r.label} | ${(r.wallMs / 1000).toFixed(2)} s | ${(r.idealMs / 1000).toFixed(0)} s | ${(r.wallMs / r.idealMs).toFixed(2)} | ` +
				`${r.completed}/${r.items} | ${(r.accepted / Math.max(1, r.items)).toFixed(2)} | ${r.busy429} | ${r.maxRunning} |`,
		),
	];
	return lines.join('\n');
}

if (require.main === module) {
	main().then(
		(code) => process.exit(code),
		(error) => {
			console.error(error);
			process.exit(1);
		},
	);
}
