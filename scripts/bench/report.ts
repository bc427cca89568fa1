/** The bench's main table and its notes, from the measured runs. */
import {
	CAPACITY,
	IMAGE_BYTES,
	IMAGES_PER_JOB,
	LATENCY_JOB_MS,
	LONG_POLL_JOB_MS,
	PROMPTS,
	SEQUENTIAL_FLOOR_MS,
	THROUGHPUT_IDEAL_MS,
	THROUGHPUT_JOB_MS,
} from './config';
import type { ProcInfo, RssSample } from './memory';
import type { RunMeasurement } from './run';
import { countRow, megabytes, ratioText, seconds, timeRow, type Row } from './table';

/** The memory run's figures (60 jobs, each downloading its four ~1 MB images). */
export interface MemoryFigures {
	/** Median RSS of the group in the 1.5 s before the run. */
	idleRss: number;
	/** The higher of the sampled peak and the group's VmHWM sum (when it could be reset). */
	peakRss: number;
	/** What the group would need at best: idle, plus the media of the jobs that run at once. */
	memoryIdeal: number;
	peakSample?: RssSample;
	hwmReset: boolean;
	hwmSum: number;
	group: ProcInfo[];
}

/** One row per metric, in the order the table prints them. */
export function benchRows(
	r: Record<string, RunMeasurement>,
	callbackBuilt: boolean,
	memory: MemoryFigures,
): Row[] {
	const { idleRss, peakRss, memoryIdeal } = memory;
	return [
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
			THROUGHPUT_IDEAL_MS,
			r.throughput.error,
		),
		timeRow('throughput · webhook wall time', r.throughput.wallMs, THROUGHPUT_IDEAL_MS),
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
			THROUGHPUT_IDEAL_MS,
			r.sequential.error,
		),
		timeRow('one-after-another · webhook wall time', r.sequential.wallMs, THROUGHPUT_IDEAL_MS),
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
			THROUGHPUT_IDEAL_MS,
			r.memory.error,
		),
	];
}

/** The lines printed under the table: each run's job times as the emulator saw them, and cross-checks. */
export function benchNotes(
	r: Record<string, RunMeasurement>,
	callbackBuilt: boolean,
	memory: MemoryFigures,
): string[] {
	const { idleRss, peakSample, hwmReset, hwmSum, group } = memory;
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
	return [
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
		`one-after-another against its own floor (${PROMPTS} × ${THROUGHPUT_JOB_MS / 1000} s = ${seconds(SEQUENTIAL_FLOOR_MS)}): ${ratioText((r.sequential.nodeMs ?? NaN) / SEQUENTIAL_FLOOR_MS)}`,
	];
}
