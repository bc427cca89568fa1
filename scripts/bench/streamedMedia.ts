import { startEmulator } from '../../test/emulator';
import { emulatorCredential } from '../../test/e2e/midjourney';
import { startN8n } from '../../test/e2e/n8n';
import {
	CAPACITY,
	IMAGES_PER_JOB,
	LARGE_MEDIA_BYTES,
	MB,
	PROMPTS,
	sleep,
	STREAMED_GROWTH_BUDGET,
	THROUGHPUT_JOB_MS,
	TOKEN,
} from './config';
import { resetPeakRss, RssSampler, statusBytes } from './memory';
import { Bench, median, type RunMeasurement } from './run';
import { megabytes, ratioText, seconds, type Row } from './table';

/**
 * Streamed media: ${PROMPTS} jobs, each downloading four 10 MB files (one item per job), in a fresh
 * n8n whose binary data lives on disk (N8N_DEFAULT_BINARY_DATA_MODE=filesystem) and a fresh
 * emulator serving 10 MB images. The figure is the peak RSS of n8n's process group over its idle RSS.
 */
export async function measureStreamedMedia(
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
		const { credentials } = await emulatorCredential(n8n, emulator.url, TOKEN);
		const bench = new Bench(n8n, emulator, credentials);
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
