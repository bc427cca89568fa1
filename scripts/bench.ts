/**
 * `npm run bench`: how fast and how lean the Midjourney node is inside a real n8n (pinned 2.x)
 * against the bundled useapi.net emulator with scaled job times. Prints a markdown table and writes
 * bench-results/bench-<timestamp>.json and bench-results/latest.json.
 *
 * - latency: one 2 s job, node time ÷ job time, for Wait for Result = stream, poll (default
 *   settings and a 0.5 s floor) and callback; Poll with default settings also on a 20 s job, with
 *   the GETs it made per job (reads are scheduled from the job's progress, not a fixed interval);
 * - throughput: 60 prompts on one channel of capacity 3 with 1 s jobs: node time ÷ the ideal
 *   (ceil(60 / 3) × 1 s = 20 s), with the 429 answers and the submissions;
 * - the same 60 prompts one after another (Max Parallel Jobs = 1, i.e. the plain loop other
 *   community nodes use), in the same run, as the comparison;
 * - memory: 60 jobs each downloading its four ~1 MB images: peak RSS of n8n's process group
 *   (n8n and its task runner);
 * - streamed media: 60 jobs × four 10 MB files in a second n8n with N8N_DEFAULT_BINARY_DATA_MODE =
 *   filesystem: peak RSS growth over idle, against the budget of 150 MB (downloads stream to disk).
 *
 * Node time is the Midjourney node's own `executionTime` in the execution's runData; the webhook's
 * wall time (Webhook → Split Out → Midjourney, answered by the last node) is shown next to it.
 * Job time is the emulator's configured duration, checked against its jobs' created/updated stamps.
 * Nothing is asserted: the numbers are measured and set against the ideal of the same run.
 * Everything listens on 127.0.0.1; n8n and the emulator are stopped at the end, also on error.
 *
 * This file runs the steps in order; scripts/bench/ holds the parts: config.ts (sizes and times),
 * run.ts (one workflow run and what it measured), memory.ts (RSS of n8n's process group),
 * streamedMedia.ts (the filesystem-mode run), report.ts and table.ts (the rows and the markdown),
 * answers.ts (the emulator's answer statuses), environment.ts (commit and n8n version). The scale
 * rows come from scripts/bench-scale.ts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { startEmulator, type Emulator } from '../test/emulator';
import { emulatorCredential, MIDJOURNEY_TYPE } from '../test/e2e/midjourney';
import { PACKAGE_ROOT, startN8n, stopAllN8n } from '../test/e2e/n8n';
import { benchScale, scaleTable, type ScaleMeasurement } from './bench-scale';
import { tapServerAnswers } from './bench/answers';
import {
	CAPACITY,
	IMAGE_BYTES,
	IMAGES_PER_JOB,
	LATENCY_JOB_MS,
	LONG_POLL_JOB_MS,
	PROMPTS,
	RESULTS_DIR,
	SAMPLE_EVERY_MS,
	SEQUENTIAL_FLOOR_MS,
	sleep,
	THROUGHPUT_IDEAL_MS,
	THROUGHPUT_JOB_MS,
	TOKEN,
} from './bench/config';
import { gitCommit, gitStatus, n8nVersion } from './bench/environment';
import { resetPeakRss, RssSampler, statusBytes, type RssSample } from './bench/memory';
import { benchNotes, benchRows, type MemoryFigures } from './bench/report';
import { Bench, median, type RunMeasurement } from './bench/run';
import { measureStreamedMedia } from './bench/streamedMedia';
import { markdownTable, seconds } from './bench/table';

async function main(): Promise<number> {
	const t0 = Date.now();
	const startedAt = new Date(t0).toISOString();
	// What dist/ was just built from (others may be editing nodes/ while the bench runs).
	const commit = gitCommit();
	const uncommittedNodes = gitStatus('nodes');
	tapServerAnswers();
	let emulator: Emulator | undefined;
	let sampler: RssSampler | undefined;
	try {
		emulator = await startEmulator({
			token: TOKEN,
			jobDurationMs: THROUGHPUT_JOB_MS,
			imageBytes: IMAGE_BYTES,
			// One channel of capacity 3 (the emulator's default, written out).
			accounts: [
				{
					channel: '1100000000000000001',
					maxJobs: CAPACITY,
					maxImageJobs: CAPACITY,
					maxVideoJobs: CAPACITY,
				},
			],
		});
		process.stderr.write(`[bench] emulator ${emulator.url}; starting n8n 2.x…\n`);
		const n8n = await startN8n({ major: 2 });
		const ready = Date.now();
		process.stderr.write(
			`[bench] n8n ${n8nVersion(n8n.runtimeDir)} ready in ${((ready - t0) / 1000).toFixed(1)} s (pid ${n8n.pid})\n`,
		);
		sampler = new RssSampler(() => n8n.pid, t0);
		sampler.start();
		const { credentials } = await emulatorCredential(n8n, emulator.url, TOKEN);
		const bench = new Bench(n8n, emulator, credentials);
		const log = (text: string) => process.stderr.write(`[bench] ${text}\n`);
		const runs: Record<string, RunMeasurement> = {};
		const run = async (key: string, prompts: string[], parameters: Record<string, unknown>) => {
			const started = Date.now();
			try {
				runs[key] = await bench.run(key, prompts, parameters);
			} catch (error) {
				runs[key] = {
					label: key,
					prompts: prompts.length,
					parameters,
					wallMs: Date.now() - started,
					webhookStatus: 0,
					error: `bench: ${(error as Error).message}`,
					imaginePosts: 0,
					submissions: 0,
					refused: 0,
					answers429: 0,
					pollGets: 0,
					deletes: 0,
					downloads: 0,
					capacityLookups: 0,
				};
			}
			const r = runs[key];
			log(
				`${key}: node ${seconds(r.nodeMs)}, wall ${seconds(r.wallMs)}, ${r.submissions}/${r.imaginePosts} accepted, ` +
					`${r.answers429}×429, ${r.outputItems ?? 0} items${r.error ? `, ERROR ${r.error}` : ''}`,
			);
			return r;
		};

		// Warm-up: the first run loads the node and its credential; not measured.
		await run('warmup', ['bench warm-up --emu-ms=200'], { waitFor: 'stream' });

		// Latency: one 2 s job per wait mode.
		const latencyPrompt = [`bench latency --emu-ms=${LATENCY_JOB_MS}`];
		await run('latency-stream', latencyPrompt, { waitFor: 'stream' });
		await run('latency-poll', latencyPrompt, { waitFor: 'poll' });
		await run('latency-poll-0.5s', latencyPrompt, {
			waitFor: 'poll',
			options: { pollInterval: 0.5 },
		});
		await run('latency-poll-20s', [`bench latency long --emu-ms=${LONG_POLL_JOB_MS}`], {
			waitFor: 'poll',
		});

		// Callback (Wait for Result: Callback) where the loaded node offers it.
		const description = await n8n.nodeTypeDescription(MIDJOURNEY_TYPE, 1).catch(() => undefined);
		const waitFor = (description?.properties ?? []).filter(
			(p: { name: string }) => p.name === 'waitFor',
		);
		const callbackBuilt = waitFor.some((p: { options?: Array<{ value?: unknown }> }) =>
			(p.options ?? []).some((option) => option.value === 'callback'),
		);
		if (callbackBuilt) await run('latency-callback', latencyPrompt, { waitFor: 'callback' });
		else log('latency-callback: the node has no Wait for Result = callback: not built');

		// Throughput: 60 prompts, capacity 3, 1 s jobs; the node sizes its parallelism (default 0).
		const prompts = Array.from({ length: PROMPTS }, (_, i) => `bench prompt ${i + 1}`);
		await run('throughput', prompts, { waitFor: 'stream' });
		// The same 60 prompts one after another: Max Parallel Jobs = 1 is exactly a sequential loop.
		await run('sequential', prompts, { waitFor: 'stream', options: { maxParallelJobs: 1 } });

		// Memory: 60 jobs, each downloading its four ~1 MB images (all in one item per job).
		await sleep(2000);
		const idleFrom = Date.now() - 1500;
		const idleSamples = sampler.between(idleFrom, Date.now());
		const idleRss = median(idleSamples.map((s) => s.rss));
		const group = sampler.group();
		const hwmReset = resetPeakRss(group.map((p) => p.pid));
		const memoryStart = Date.now();
		await run(
			'memory',
			prompts.map((p) => `${p} download`),
			{ waitFor: 'stream', options: { download: 'combined' } },
		);
		const memoryEnd = Date.now();
		const memorySamples = sampler.between(memoryStart, memoryEnd);
		const peakSample = memorySamples.reduce<RssSample | undefined>(
			(best, s) => (!best || s.rss > best.rss ? s : best),
			undefined,
		);
		const hwmByPid = Object.fromEntries(
			sampler.group().map((p) => [p.pid, statusBytes(p.pid, 'VmHWM') ?? 0]),
		);
		const hwmSum = Object.values(hwmByPid).reduce((a, b) => a + b, 0);
		// What the group would need at best: idle, plus the media of the jobs that run at once.
		const memoryIdeal = idleRss + CAPACITY * IMAGES_PER_JOB * IMAGE_BYTES;
		const peakRss = Math.max(peakSample?.rss ?? 0, hwmReset ? hwmSum : 0);

		sampler.stop();

		// Scale: 3 executions at once sharing the account, single process and queue mode (issue 12).
		const scale: ScaleMeasurement[] = await benchScale({
			single: n8n,
			emulator,
			credentials,
			capacity: CAPACITY,
			jobMs: THROUGHPUT_JOB_MS,
			token: TOKEN,
			log,
		});
		const finishedAt = new Date().toISOString();

		const memory: MemoryFigures = {
			idleRss,
			peakRss,
			memoryIdeal,
			peakSample,
			hwmReset,
			hwmSum,
			group,
		};
		const rows = benchRows(runs, callbackBuilt, memory);
		const notes = benchNotes(runs, callbackBuilt, memory);

		const streamed = await measureStreamedMedia(log);
		runs[streamed.run.label] = streamed.run;
		rows.push(streamed.row);
		notes.push(streamed.note);

		const errors = Object.values(runs).filter((m) => m.error);
		console.log(
			`\nMidjourney node benchmark — n8n ${n8nVersion(n8n.runtimeDir)}, ${os.cpus().length} CPUs, ${startedAt}\n`,
		);
		console.log(markdownTable(rows));
		console.log('');
		for (const note of notes) console.log(`- ${note}`);
		for (const failed of errors) console.log(`- ERROR in ${failed.label}: ${failed.error}`);
		console.log('');
		console.log(scaleTable(scale));
		for (const failed of scale.filter((m) => m.error))
			console.log(`- ERROR in ${failed.label}: ${failed.error}`);

		const result = {
			startedAt,
			finishedAt,
			durationMs: Date.now() - t0,
			environment: {
				n8n: n8nVersion(n8n.runtimeDir),
				n8nRuntime: n8n.runtimeDir,
				benchNode: process.version,
				cpus: os.cpus().length,
				cpuModel: os.cpus()[0]?.model,
				totalMemory: os.totalmem(),
				platform: `${os.platform()} ${os.release()}`,
				commit,
				/** Uncommitted changes under nodes/ when the bench started (dist/ was built from them). */
				uncommittedNodes,
				callbackBuilt,
				packageVersion: JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8'))
					.version,
				n8nStartMs: ready - t0,
			},
			config: {
				capacity: CAPACITY,
				latencyJobMs: LATENCY_JOB_MS,
				throughputJobMs: THROUGHPUT_JOB_MS,
				prompts: PROMPTS,
				imagesPerJob: IMAGES_PER_JOB,
				imageBytes: IMAGE_BYTES,
				sampleEveryMs: SAMPLE_EVERY_MS,
				throughputIdealMs: THROUGHPUT_IDEAL_MS,
				sequentialFloorMs: SEQUENTIAL_FLOOR_MS,
				memoryIdealBytes: memoryIdeal,
			},
			table: rows.map(({ metric, value, ideal, ratio, raw }) => ({
				metric,
				value,
				ideal,
				ratio,
				...raw,
			})),
			notes,
			runs,
			scale,
			memory: {
				idleRss,
				peakSampledRss: peakSample?.rss,
				peakSampledAtMs: peakSample?.t,
				peakSampledByPid: peakSample?.byPid,
				hwmReset,
				hwmByPid,
				group,
				samples: memorySamples.map((s) => [s.t, s.rss]),
			},
		};
		fs.mkdirSync(RESULTS_DIR, { recursive: true });
		const stamp = startedAt.replace(/[:.]/g, '-');
		const json = JSON.stringify(result, null, 2);
		fs.writeFileSync(path.join(RESULTS_DIR, `bench-${stamp}.json`), json);
		fs.writeFileSync(path.join(RESULTS_DIR, 'latest.json'), json);
		console.log(
			`\nWrote bench-results/bench-${stamp}.json and bench-results/latest.json (${((Date.now() - t0) / 1000).toFixed(0)} s in all).`,
		);
		return errors.length || scale.some((m) => m.error) ? 1 : 0;
	} finally {
		sampler?.stop();
		await stopAllN8n().catch(() => undefined);
		await emulator?.close().catch(() => undefined);
	}
}

main().then(
	(code) => process.exit(code),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
