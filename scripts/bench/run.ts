/** One workflow run: Webhook → Split Out → Midjourney, one item per prompt. */
import { randomUUID } from 'crypto';

import type { Emulator, Job, RecordedRequest } from '../../test/emulator';
import { midjourneyWorkflow } from '../../test/e2e/midjourney';
import type { ExecutionDetails, N8nInstance } from '../../test/e2e/n8n';
import { answers, type AnswerRecord } from './answers';
import { CAPACITY, IMAGINE_PATH, PROXY_PATH, sleep } from './config';

export interface EmulatorWindow {
	requests: number;
	submissions: number;
	answers: number;
}

export interface JobTimes {
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

export interface RunMeasurement {
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

export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : NaN;
}

export function jobTimesOf(
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

export class Bench {
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
