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
 */
import { execFileSync } from 'child_process';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';

import { startEmulator, type Emulator, type Job, type RecordedRequest } from '../test/emulator';
import { MIDJOURNEY_TYPE, midjourneyWorkflow } from '../test/e2e/midjourney';
import {
	PACKAGE_ROOT,
	startN8n,
	stopAllN8n,
	type ExecutionDetails,
	type N8nInstance,
} from '../test/e2e/n8n';
import { benchScale, scaleTable, type ScaleMeasurement } from './bench-scale';

const TOKEN = 'bench-token';
const IMAGINE_PATH = '/v3/midjourney/jobs/imagine';
const PROXY_PATH = '/v1/proxy/cdn-midjourney/';

/** One channel with the emulator's default limits: maxJobs = maxImageJobs = 3. */
const CAPACITY = 3;
const LATENCY_JOB_MS = 2000;
/** A longer job for Poll mode: its reads should follow the job's progress, not a fixed interval. */
const LONG_POLL_JOB_MS = 20_000;
const THROUGHPUT_JOB_MS = 1000;
const PROMPTS = 60;
const IMAGES_PER_JOB = 4;
const IMAGE_BYTES = 1024 * 1024;
const SAMPLE_EVERY_MS = 100;
const RESULTS_DIR = path.join(PACKAGE_ROOT, 'bench-results');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MB = 1024 * 1024;
/** Streamed media: each file's size, and the growth of n8n's memory over idle allowed for the run. */
const LARGE_MEDIA_BYTES = 10 * MB;
const STREAMED_GROWTH_BUDGET = 150 * MB;

// ---------------------------------------------------------------------------------------------
// Answer statuses of the emulator. It records requests but not its answers; it runs in this
// process, so a tap on ServerResponse#writeHead (every answer passes through it, also the implicit
// one of res.end) sees each status. Used to cross-check the 429 count derived from
// "job-creating POSTs − accepted submissions".

interface AnswerRecord {
	method: string;
	path: string;
	status: number;
	time: number;
	/** The proxy's cdnUrl query parameter, for downloads. */
	cdnUrl?: string;
}

const answers: AnswerRecord[] = [];

function tapServerAnswers(): void {
	const proto = http.ServerResponse.prototype as unknown as {
		writeHead: (this: http.ServerResponse, statusCode: number, ...rest: unknown[]) => unknown;
	};
	const original = proto.writeHead;
	proto.writeHead = function (this: http.ServerResponse, statusCode: number, ...rest: unknown[]) {
		const req = (this as unknown as { req?: http.IncomingMessage }).req;
		if (req) {
			const url = new URL(req.url ?? '/', 'http://emulator.local');
			answers.push({
				method: (req.method ?? 'GET').toUpperCase(),
				path: url.pathname,
				status: statusCode,
				time: Date.now(),
				cdnUrl: url.searchParams.get('cdnUrl') ?? undefined,
			});
		}
		return original.call(this, statusCode, ...rest);
	};
}

// ---------------------------------------------------------------------------------------------
// Memory of n8n's process group, from /proc.

interface ProcInfo {
	pid: number;
	ppid: number;
	pgrp: number;
	comm: string;
}

function readStat(pid: number): ProcInfo | undefined {
	try {
		const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const open = text.indexOf('(');
		const close = text.lastIndexOf(')');
		const fields = text.slice(close + 2).split(' '); // state ppid pgrp …
		return {
			pid,
			ppid: Number(fields[1]),
			pgrp: Number(fields[2]),
			comm: text.slice(open + 1, close),
		};
	} catch {
		return undefined;
	}
}

/** n8n's pid, every process of its process group (it is started detached) and their descendants. */
function processGroup(rootPid: number): ProcInfo[] {
	const all = fs
		.readdirSync('/proc')
		.filter((name) => /^\d+$/.test(name))
		.map((name) => readStat(Number(name)))
		.filter((info): info is ProcInfo => info !== undefined);
	const members = new Set<number>([rootPid]);
	for (const info of all) if (info.pgrp === rootPid) members.add(info.pid);
	for (let grew = true; grew;) {
		grew = false;
		for (const info of all) {
			if (!members.has(info.pid) && members.has(info.ppid)) {
				members.add(info.pid);
				grew = true;
			}
		}
	}
	return all.filter((info) => members.has(info.pid));
}

/** A `… kB` field of /proc/<pid>/status in bytes (VmRSS, VmHWM). */
function statusBytes(pid: number, field: string): number | undefined {
	try {
		const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
		return match ? Number(match[1]) * 1024 : undefined;
	} catch {
		return undefined;
	}
}

interface RssSample {
	/** ms since the bench started */
	t: number;
	/** Sum of VmRSS over the group, bytes. */
	rss: number;
	byPid: Record<number, number>;
}

/** Samples the group's VmRSS every 100 ms (members re-read every second). */
class RssSampler {
	readonly samples: RssSample[] = [];
	private members: ProcInfo[] = [];
	private timer?: NodeJS.Timeout;
	private ticks = 0;

	constructor(
		private readonly rootPid: () => number,
		private readonly t0: number,
	) {}

	start(): void {
		this.sample();
		this.timer = setInterval(() => this.sample(), SAMPLE_EVERY_MS);
	}

	stop(): void {
		if (this.timer) clearInterval(this.timer);
	}

	group(): ProcInfo[] {
		this.members = processGroup(this.rootPid());
		return this.members;
	}

	private sample(): void {
		if (this.ticks++ % 10 === 0 || this.members.length === 0) this.group();
		const byPid: Record<number, number> = {};
		let rss = 0;
		for (const member of this.members) {
			const bytes = statusBytes(member.pid, 'VmRSS');
			if (bytes === undefined) continue;
			byPid[member.pid] = bytes;
			rss += bytes;
		}
		this.samples.push({ t: Date.now() - this.t0, rss, byPid });
	}

	between(from: number, to: number): RssSample[] {
		return this.samples.filter((s) => s.t >= from - this.t0 && s.t <= to - this.t0);
	}
}

/** Resets VmHWM of the group to the current RSS (`echo 5 > /proc/<pid>/clear_refs`); false if not allowed. */
function resetPeakRss(pids: number[]): boolean {
	let ok = true;
	for (const pid of pids) {
		try {
			fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
		} catch {
			ok = false;
		}
	}
	return ok;
}

// ---------------------------------------------------------------------------------------------
// One workflow run: Webhook → Split Out → Midjourney, one item per prompt.

interface EmulatorWindow {
	requests: number;
	submissions: number;
	answers: number;
}

interface JobTimes {
	count: number;
	minMs: number;
	medianMs: number;
	maxMs: number;
	/** First job created → last job final, as the emulator saw it. */
	spanMs: number;
	/** Job time ÷ (span × capacity): how busy the node kept the channel's slots. */
	slotUtilisation: number;
	/** Median time from a job's final status to the next job-creating POST (a slot standing idle). */
	medianGapToNextSubmitMs?: number;
	/** Median time from a job's final status to the answer of its last media download. */
	medianDownloadWindowMs?: number;
	statuses: Record<string, number>;
}

interface RunMeasurement {
	label: string;
	prompts: number;
	parameters: Record<string, unknown>;
	executionId?: string;
	executionStatus?: string;
	/**
	 * The Midjourney node's executionTime from runData, ms. Callback mode: from the execution's start
	 * to the end of the node's resumed run (n8n replaces the pre-wait run with the resumed one, whose
	 * own executionTime is in `resumedRunMs`).
	 */
	nodeMs?: number;
	resumedRunMs?: number;
	/**
	 * The webhook call that ran the workflow (the successful attempt only), ms. Callback mode (the
	 * webhook answers at once): from the call to the execution's stoppedAt.
	 */
	wallMs: number;
	webhookStatus: number;
	outputItems?: number;
	outputBinaries?: number;
	error?: string;
	/** Job-creating POSTs to jobs/imagine, accepted ones (emulator.submissions()), and refused ones. */
	imaginePosts: number;
	submissions: number;
	refused: number;
	/** 429 answers to jobs/imagine seen by the writeHead tap (cross-check of `refused`). */
	answers429: number;
	/** Every answer to jobs/imagine: [ms since the webhook call, status]. */
	imagineAnswers?: Array<[number, number]>;
	/** Image/video jobs still running at the emulator when the run started (they hold slots). */
	runningBefore?: number;
	/** GET jobs/{id} (polling), DELETE jobs/{id}, proxy downloads, GET accounts/jobs (capacity). */
	pollGets: number;
	deletes: number;
	downloads: number;
	capacityLookups: number;
	jobTimes?: JobTimes;
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : NaN;
}

function jobTimesOf(
	jobs: Job[],
	requests: RecordedRequest[],
	tapped: AnswerRecord[],
): JobTimes | undefined {
	if (!jobs.length) return undefined;
	const durations: number[] = [];
	const statuses: Record<string, number> = {};
	const gaps: number[] = [];
	const downloadWindows: number[] = [];
	const submits = requests
		.filter((r) => r.method === 'POST' && r.path === IMAGINE_PATH)
		.map((r) => r.time);
	let first = Infinity;
	let last = -Infinity;
	for (const job of jobs) {
		statuses[job.status] = (statuses[job.status] ?? 0) + 1;
		const created = Date.parse(job.created);
		const updated = Date.parse(job.updated ?? job.created);
		durations.push(updated - created);
		first = Math.min(first, created);
		last = Math.max(last, updated);
		const next = submits.find((time) => time >= updated);
		if (next !== undefined) gaps.push(next - updated);
		const urls = new Set((job.response?.imageUx ?? []).map((media) => media.url));
		const downloads = tapped
			.filter((a) => a.cdnUrl !== undefined && urls.has(a.cdnUrl))
			.map((a) => a.time);
		if (downloads.length) downloadWindows.push(Math.max(...downloads) - updated);
	}
	const spanMs = last - first;
	return {
		count: jobs.length,
		minMs: Math.min(...durations),
		medianMs: median(durations),
		maxMs: Math.max(...durations),
		spanMs,
		slotUtilisation: durations.reduce((a, b) => a + b, 0) / (spanMs * CAPACITY),
		medianGapToNextSubmitMs: gaps.length ? median(gaps) : undefined,
		medianDownloadWindowMs: downloadWindows.length ? median(downloadWindows) : undefined,
		statuses,
	};
}

class Bench {
	constructor(
		readonly n8n: N8nInstance,
		readonly emulator: Emulator,
		readonly credentials: { useApiNetApi: { id: string; name: string } },
	) {}

	private window(): EmulatorWindow {
		return {
			requests: this.emulator.requests.length,
			submissions: this.emulator.submissions(),
			answers: answers.length,
		};
	}

	/** Runs `prompts` through one Midjourney node with `parameters` (prompt = {{ $json.prompt }}). */
	async run(
		label: string,
		prompts: string[],
		parameters: Record<string, unknown>,
	): Promise<RunMeasurement> {
		const callback = parameters.waitFor === 'callback';
		const tag = `bench-${randomUUID().slice(0, 8)}`;
		const webhookPath = `${tag}-${label.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`;
		const nodeParameters = {
			resource: 'job',
			operation: 'imagine',
			prompt: '={{ $json.prompt }}',
			...parameters,
		};
		const workflow = await this.n8n.createWorkflow({
			...midjourneyWorkflow({
				path: webhookPath,
				parameters: nodeParameters,
				credentials: this.credentials,
				respond: callback ? 'onReceived' : 'firstEntryJson',
				splitItems: true,
			}),
			name: `Bench ${label}`,
		});
		await this.n8n.activateWorkflow(workflow.id);
		const body = { items: prompts.map((prompt) => ({ prompt: `${prompt} ${tag}` })) };
		try {
			// 2.x may answer 404 for a few seconds after activation: retried here, and only the
			// attempt that ran the workflow is timed.
			const before = this.window();
			const runningBefore = this.emulator
				.listJobs()
				.filter(
					(job) => job.jobType && !['completed', 'failed', 'moderated'].includes(job.status),
				).length;
			let wallMs = 0;
			let webhookStatus = 0;
			let calledAt = 0;
			const deadline = Date.now() + 30_000;
			for (;;) {
				calledAt = Date.now();
				const started = performance.now();
				const res = await this.n8n.http('POST', this.n8n.webhookUrl(webhookPath), body);
				wallMs = performance.now() - started;
				webhookStatus = res.status;
				if (res.status !== 404 || Date.now() > deadline) break;
				await sleep(200);
			}
			const execution = await this.n8n.waitForExecution(
				workflow.id,
				(e) => ['success', 'error', 'crashed', 'canceled'].includes(e.status),
				180_000,
			);
			const measured = this.measure(
				label,
				prompts.length,
				nodeParameters,
				execution,
				wallMs,
				webhookStatus,
				before,
			);
			measured.runningBefore = runningBefore;
			measured.imagineAnswers = answers
				.slice(before.answers)
				.filter((a) => a.method === 'POST' && a.path === IMAGINE_PATH)
				.map((a) => [a.time - calledAt, a.status]);
			if (callback) {
				const run = execution.data?.resultData?.runData?.Midjourney?.[0];
				measured.resumedRunMs = measured.nodeMs;
				measured.nodeMs =
					typeof run?.startTime === 'number' && typeof run?.executionTime === 'number'
						? run.startTime + run.executionTime - Date.parse(execution.startedAt)
						: undefined;
				measured.wallMs = execution.stoppedAt ? Date.parse(execution.stoppedAt) - calledAt : NaN;
			}
			return { ...measured, ...this.jobs(tag, before) };
		} finally {
			await this.n8n.deactivateWorkflow(workflow.id).catch(() => undefined);
		}
	}

	private measure(
		label: string,
		prompts: number,
		parameters: Record<string, unknown>,
		execution: ExecutionDetails,
		wallMs: number,
		webhookStatus: number,
		before: EmulatorWindow,
	): RunMeasurement {
		const run = execution.data?.resultData?.runData?.Midjourney?.[0];
		const items: Array<{ binary?: Record<string, unknown> }> = run?.data?.main?.[0] ?? [];
		const requests = this.emulator.requests.slice(before.requests);
		const tapped = answers.slice(before.answers);
		const imaginePosts = requests.filter(
			(r) => r.method === 'POST' && r.path === IMAGINE_PATH,
		).length;
		const submissions = this.emulator.submissions() - before.submissions;
		const error = run?.error ?? execution.data?.resultData?.error;
		return {
			label,
			prompts,
			parameters,
			executionId: execution.id,
			executionStatus: execution.status,
			nodeMs: typeof run?.executionTime === 'number' ? run.executionTime : undefined,
			wallMs,
			webhookStatus,
			outputItems: items.length,
			outputBinaries: items.reduce((sum, item) => sum + Object.keys(item.binary ?? {}).length, 0),
			error: error
				? `${error.message ?? error}${error.description ? ` — ${error.description}` : ''}`
				: undefined,
			imaginePosts,
			submissions,
			refused: imaginePosts - submissions,
			answers429: tapped.filter(
				(a) => a.method === 'POST' && a.path === IMAGINE_PATH && a.status === 429,
			).length,
			pollGets: requests.filter(
				(r) => r.method === 'GET' && /^\/v3\/midjourney\/jobs\/.+/.test(r.path),
			).length,
			deletes: requests.filter((r) => r.method === 'DELETE').length,
			downloads: requests.filter((r) => r.path.replace(/\/?$/, '/') === PROXY_PATH).length,
			capacityLookups: requests.filter(
				(r) =>
					r.method === 'GET' &&
					(r.path === '/v3/midjourney/accounts' || r.path === '/v3/midjourney/jobs'),
			).length,
		};
	}

	/** The emulator's jobs of this run (their prompt carries the run's tag). */
	private jobs(tag: string, before: EmulatorWindow): { jobTimes?: JobTimes } {
		const jobs = this.emulator
			.listJobs()
			.filter((job) => String(job.request?.prompt ?? '').includes(tag));
		return {
			jobTimes: jobTimesOf(
				jobs,
				this.emulator.requests.slice(before.requests),
				answers.slice(before.answers),
			),
		};
	}
}

// ---------------------------------------------------------------------------------------------
// Output

interface Row {
	metric: string;
	value: string;
	ideal: string;
	ratio: string;
	/** Raw numbers for the JSON. */
	raw: { value?: number | null; ideal?: number | null; ratio?: number | null; unit?: string };
}

const seconds = (ms: number | undefined) =>
	ms === undefined || Number.isNaN(ms) ? 'n/a' : `${(ms / 1000).toFixed(2)} s`;
const megabytes = (bytes: number | undefined) =>
	bytes === undefined ? 'n/a' : `${(bytes / MB).toFixed(0)} MB`;
const ratioText = (ratio: number | undefined) =>
	ratio === undefined || !Number.isFinite(ratio) ? '—' : ratio.toFixed(2);

function timeRow(metric: string, ms: number | undefined, idealMs: number, error?: string): Row {
	const ratio = ms === undefined ? undefined : ms / idealMs;
	return {
		metric,
		value: error && ms === undefined ? 'error' : seconds(ms),
		ideal: seconds(idealMs),
		ratio: ratioText(ratio),
		raw: { value: ms ?? null, ideal: idealMs, ratio: ratio ?? null, unit: 'ms' },
	};
}

/** A count against a budget (e.g. GETs per job against the job's seconds ÷ 2): the ratio is count ÷ budget. */
function countRow(metric: string, count: number | undefined, budget: number): Row {
	const ratio = count === undefined ? undefined : count / budget;
	return {
		metric,
		value: count === undefined ? 'error' : String(count),
		ideal: `≤ ${budget}`,
		ratio: ratioText(ratio),
		raw: { value: count ?? null, ideal: budget, ratio: ratio ?? null, unit: 'count' },
	};
}

function markdownTable(rows: Row[]): string {
	const header = ['metric', 'value', 'ideal', 'ratio'];
	const lines = [
		`| ${header.join(' | ')} |`,
		'|---|---:|---:|---:|',
		...rows.map((row) => `| ${row.metric} | ${row.value} | ${row.ideal} | ${row.ratio} |`),
	];
	return lines.join('\n');
}

function gitCommit(): string | undefined {
	try {
		return execFileSync('git', ['rev-parse', 'HEAD'], {
			cwd: PACKAGE_ROOT,
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'ignore'],
		}).trim();
	} catch {
		return undefined;
	}
}

function gitStatus(folder: string): string[] | undefined {
	try {
		return execFileSync('git', ['status', '--porcelain', '--', folder], {
			cwd: PACKAGE_ROOT,
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'ignore'],
		})
			.split('\n')
			.filter(Boolean);
	} catch {
		return undefined;
	}
}

function n8nVersion(runtimeDir: string): string | undefined {
	try {
		return JSON.parse(
			fs.readFileSync(path.join(runtimeDir, 'node_modules', 'n8n', 'package.json'), 'utf8'),
		).version;
	} catch {
		return undefined;
	}
}

// ---------------------------------------------------------------------------------------------

/**
 * Streamed media: ${PROMPTS} jobs, each downloading four 10 MB files (one item per job), in a fresh
 * n8n whose binary data lives on disk (N8N_DEFAULT_BINARY_DATA_MODE=filesystem) and a fresh
 * emulator serving 10 MB images. The figure is the peak RSS of n8n's process group over its idle RSS.
 */
async function measureStreamedMedia(
	log: (text: string) => void,
): Promise<{ row: Row; note: string; run: RunMeasurement; memory: object }> {
	const emulator = await startEmulator({
		token: TOKEN,
		jobDurationMs: THROUGHPUT_JOB_MS,
		imageBytes: LARGE_MEDIA_BYTES,
		accounts: [
			{
				channel: '1100000000000000001',
				maxJobs: CAPACITY,
				maxImageJobs: CAPACITY,
				maxVideoJobs: CAPACITY,
			},
		],
	});
	const n8n = await startN8n({ major: 2, env: { N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem' } });
	const t0 = Date.now();
	const sampler = new RssSampler(() => n8n.pid, t0);
	try {
		sampler.start();
		const credentialId = await n8n.createCredential('useapi.net (emulator)', 'useApiNetApi', {
			apiToken: TOKEN,
			baseUrl: emulator.url,
		});
		const bench = new Bench(n8n, emulator, {
			useApiNetApi: { id: credentialId, name: 'useapi.net (emulator)' },
		});
		await bench.run('streamed-warmup', ['bench warm-up download --emu-ms=200'], {
			waitFor: 'stream',
			options: { download: 'combined' },
		});
		await sleep(3000);
		const idleRss = median(
			sampler.between(Date.now() - 1500, Date.now()).map((sample) => sample.rss),
		);
		const group = sampler.group();
		const hwmReset = resetPeakRss(group.map((member) => member.pid));
		const started = Date.now();
		const prompts = Array.from({ length: PROMPTS }, (_, i) => `bench streamed ${i + 1} download`);
		const run = await bench.run('streamed-media', prompts, {
			waitFor: 'stream',
			options: { download: 'combined' },
		});
		const samples = sampler.between(started, Date.now());
		const sampledPeak = samples.reduce((peak, sample) => Math.max(peak, sample.rss), 0);
		const hwmSum = sampler
			.group()
			.reduce((sum, member) => sum + (statusBytes(member.pid, 'VmHWM') ?? 0), 0);
		const peakRss = Math.max(sampledPeak, hwmReset ? hwmSum : 0);
		const growth = peakRss - idleRss;
		const totalBytes = PROMPTS * IMAGES_PER_JOB * LARGE_MEDIA_BYTES;
		log(
			`streamed-media: idle ${megabytes(idleRss)}, peak ${megabytes(peakRss)}, growth ${megabytes(growth)}${run.error ? `, ERROR ${run.error}` : ''}`,
		);
		return {
			run,
			row: {
				metric: `memory · filesystem binary mode · peak RSS growth over idle (${PROMPTS} jobs × ${IMAGES_PER_JOB} × ${LARGE_MEDIA_BYTES / MB} MB downloads)`,
				value: run.error ? 'error' : megabytes(growth),
				ideal: `≤ ${megabytes(STREAMED_GROWTH_BUDGET)}`,
				ratio: ratioText(growth / STREAMED_GROWTH_BUDGET),
				raw: {
					value: growth,
					ideal: STREAMED_GROWTH_BUDGET,
					ratio: growth / STREAMED_GROWTH_BUDGET,
					unit: 'bytes',
				},
			},
			note:
				`streamed media (filesystem binary mode): idle RSS ${megabytes(idleRss)}, sampled peak ${megabytes(sampledPeak)}, ` +
				`VmHWM sum ${hwmReset ? megabytes(hwmSum) : 'n/a'}; ${run.downloads} downloads of ${LARGE_MEDIA_BYTES / MB} MB ` +
				`(${megabytes(totalBytes)} in all), ${run.outputBinaries ?? 0} binaries in ${run.outputItems ?? 0} items, node time ${seconds(run.nodeMs)}`,
			memory: {
				idleRss,
				sampledPeak,
				hwmSum,
				hwmReset,
				samples: samples.map((sample) => [sample.t, sample.rss]),
			},
		};
	} finally {
		sampler.stop();
		await n8n.stop();
		await emulator.close();
	}
}

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
		const credentialId = await n8n.createCredential('useapi.net (emulator)', 'useApiNetApi', {
			apiToken: TOKEN,
			baseUrl: emulator.url,
		});
		const bench = new Bench(n8n, emulator, {
			useApiNetApi: { id: credentialId, name: 'useapi.net (emulator)' },
		});
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
			credentials: { useApiNetApi: { id: credentialId, name: 'useapi.net (emulator)' } },
			capacity: CAPACITY,
			jobMs: THROUGHPUT_JOB_MS,
			token: TOKEN,
			log,
		});
		const finishedAt = new Date().toISOString();

		// ---- table ----------------------------------------------------------------------------
		const throughputIdealMs = Math.ceil(PROMPTS / CAPACITY) * THROUGHPUT_JOB_MS;
		const sequentialFloorMs = PROMPTS * THROUGHPUT_JOB_MS;
		const r = runs;
		const rows: Row[] = [
			timeRow(
				`latency · stream · node time (one ${LATENCY_JOB_MS / 1000} s job)`,
				r['latency-stream'].nodeMs,
				LATENCY_JOB_MS,
				r['latency-stream'].error,
			),
			timeRow('latency · stream · webhook wall time', r['latency-stream'].wallMs, LATENCY_JOB_MS),
			timeRow(
				'latency · poll (default settings) · node time',
				r['latency-poll'].nodeMs,
				LATENCY_JOB_MS,
				r['latency-poll'].error,
			),
			timeRow(
				'latency · poll (default settings) · webhook wall time',
				r['latency-poll'].wallMs,
				LATENCY_JOB_MS,
			),
			countRow(
				'latency · poll (default settings) · GETs per job',
				r['latency-poll'].pollGets,
				LATENCY_JOB_MS / 2000,
			),
			timeRow(
				'latency · poll (0.5 s floor) · node time',
				r['latency-poll-0.5s'].nodeMs,
				LATENCY_JOB_MS,
				r['latency-poll-0.5s'].error,
			),
			timeRow(
				`latency · poll (default settings) · node time (one ${LONG_POLL_JOB_MS / 1000} s job)`,
				r['latency-poll-20s'].nodeMs,
				LONG_POLL_JOB_MS,
				r['latency-poll-20s'].error,
			),
			countRow(
				`latency · poll (default settings) · GETs per ${LONG_POLL_JOB_MS / 1000} s job`,
				r['latency-poll-20s'].pollGets,
				LONG_POLL_JOB_MS / 2000,
			),
			...(callbackBuilt
				? [
						timeRow(
							'latency · callback · execution start → node output',
							r['latency-callback'].nodeMs,
							LATENCY_JOB_MS,
							r['latency-callback'].error,
						),
						timeRow(
							'latency · callback · webhook call → execution finished',
							r['latency-callback'].wallMs,
							LATENCY_JOB_MS,
						),
					]
				: [
						{
							metric: 'latency · callback (waitFor: callback) · node time',
							value: 'not built',
							ideal: seconds(LATENCY_JOB_MS),
							ratio: '—',
							raw: { value: null, ideal: LATENCY_JOB_MS, ratio: null, unit: 'ms' },
						},
					]),
			timeRow(
				`throughput · ${PROMPTS} prompts, capacity ${CAPACITY}, ${THROUGHPUT_JOB_MS / 1000} s jobs · node time`,
				r.throughput.nodeMs,
				throughputIdealMs,
				r.throughput.error,
			),
			timeRow('throughput · webhook wall time', r.throughput.wallMs, throughputIdealMs),
			{
				metric: 'throughput · 429 answers',
				value: String(r.throughput.refused),
				ideal: '0',
				ratio: '—',
				raw: { value: r.throughput.refused, ideal: 0, ratio: null, unit: 'count' },
			},
			{
				metric: 'throughput · submissions (accepted / POSTs)',
				value: `${r.throughput.submissions} / ${r.throughput.imaginePosts}`,
				ideal: String(PROMPTS),
				ratio: ratioText(r.throughput.submissions / PROMPTS),
				raw: {
					value: r.throughput.submissions,
					ideal: PROMPTS,
					ratio: r.throughput.submissions / PROMPTS,
					unit: 'count',
				},
			},
			timeRow(
				'one-after-another (maxParallelJobs = 1) · node time',
				r.sequential.nodeMs,
				throughputIdealMs,
				r.sequential.error,
			),
			timeRow('one-after-another · webhook wall time', r.sequential.wallMs, throughputIdealMs),
			{
				metric: 'one-after-another · 429 answers / submissions',
				value: `${r.sequential.refused} / ${r.sequential.submissions}`,
				ideal: `0 / ${PROMPTS}`,
				ratio: '—',
				raw: { value: r.sequential.refused, ideal: 0, ratio: null, unit: 'count' },
			},
			(() => {
				const speedup =
					r.throughput.nodeMs && r.sequential.nodeMs
						? r.sequential.nodeMs / r.throughput.nodeMs
						: undefined;
				return {
					metric: 'speed-up of the node over one-after-another',
					value: speedup === undefined ? 'n/a' : `${speedup.toFixed(2)}×`,
					ideal: `${CAPACITY.toFixed(2)}×`,
					ratio: ratioText(speedup === undefined ? undefined : speedup / CAPACITY),
					raw: {
						value: speedup ?? null,
						ideal: CAPACITY,
						ratio: speedup === undefined ? null : speedup / CAPACITY,
						unit: 'x',
					},
				};
			})(),
			{
				metric: `memory · peak RSS of n8n + task runner (${PROMPTS} jobs × ${IMAGES_PER_JOB} × 1 MB downloads)`,
				value: megabytes(peakRss),
				ideal: megabytes(memoryIdeal),
				ratio: ratioText(peakRss / memoryIdeal),
				raw: { value: peakRss, ideal: memoryIdeal, ratio: peakRss / memoryIdeal, unit: 'bytes' },
			},
			{
				metric: 'memory · peak RSS growth over idle',
				value: megabytes(peakRss - idleRss),
				ideal: megabytes(CAPACITY * IMAGES_PER_JOB * IMAGE_BYTES),
				ratio: ratioText((peakRss - idleRss) / (CAPACITY * IMAGES_PER_JOB * IMAGE_BYTES)),
				raw: {
					value: peakRss - idleRss,
					ideal: CAPACITY * IMAGES_PER_JOB * IMAGE_BYTES,
					ratio: (peakRss - idleRss) / (CAPACITY * IMAGES_PER_JOB * IMAGE_BYTES),
					unit: 'bytes',
				},
			},
			timeRow(
				'memory · node time (with downloads)',
				r.memory.nodeMs,
				throughputIdealMs,
				r.memory.error,
			),
		];

		const check = (key: string, configured: number) => {
			const times = r[key]?.jobTimes;
			return times
				? `${key}: ${times.count} job(s), configured ${configured} ms, emulator created→final ${times.minMs}–${times.maxMs} ms ` +
						`(median ${times.medianMs}), span ${seconds(times.spanMs)}, slots busy ${(times.slotUtilisation * 100).toFixed(0)} %` +
						(times.medianGapToNextSubmitMs !== undefined && times.count > 1
							? `, final → next submit median ${times.medianGapToNextSubmitMs} ms`
							: '') +
						(times.medianDownloadWindowMs !== undefined
							? `, final → last download answered median ${times.medianDownloadWindowMs} ms`
							: '') +
						`, ${JSON.stringify(times.statuses)}`
				: `${key}: no jobs found`;
		};
		const notes = [
			check('latency-stream', LATENCY_JOB_MS),
			check('latency-poll', LATENCY_JOB_MS),
			check('latency-poll-0.5s', LATENCY_JOB_MS),
			check('latency-poll-20s', LONG_POLL_JOB_MS),
			...(callbackBuilt ? [check('latency-callback', LATENCY_JOB_MS)] : []),
			check('throughput', THROUGHPUT_JOB_MS),
			check('sequential', THROUGHPUT_JOB_MS),
			check('memory', THROUGHPUT_JOB_MS),
			`429 cross-check (answers seen by a writeHead tap on the emulator): throughput ${r.throughput.answers429}, sequential ${r.sequential.answers429}, memory ${r.memory.answers429}`,
			`memory: idle RSS ${megabytes(idleRss)} (median of the 1.5 s before), sampled peak ${megabytes(peakSample?.rss)}, ` +
				`VmHWM sum ${hwmReset ? megabytes(hwmSum) : 'n/a (clear_refs not allowed)'}; ${r.memory.downloads} downloads, ` +
				`${r.memory.outputBinaries ?? 0} binaries in ${r.memory.outputItems ?? 0} items; group: ${group.map((p) => `${p.pid} ${p.comm}`).join(', ')}`,
			`one-after-another against its own floor (${PROMPTS} × ${THROUGHPUT_JOB_MS / 1000} s = ${seconds(sequentialFloorMs)}): ${ratioText((r.sequential.nodeMs ?? NaN) / sequentialFloorMs)}`,
		];

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
				throughputIdealMs,
				sequentialFloorMs,
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
