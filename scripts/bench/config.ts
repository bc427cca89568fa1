/** The bench's fixed set-up: the emulator's token and paths, job times, sizes, where results go. */
import * as path from 'path';

import { PACKAGE_ROOT } from '../../test/e2e/n8n';

export const TOKEN = 'bench-token';
export const IMAGINE_PATH = '/v3/midjourney/jobs/imagine';
export const PROXY_PATH = '/v1/proxy/cdn-midjourney/';

/** One channel with the emulator's default limits: maxJobs = maxImageJobs = 3. */
export const CAPACITY = 3;
export const LATENCY_JOB_MS = 2000;
/** A longer job for Poll mode: its reads should follow the job's progress, not a fixed interval. */
export const LONG_POLL_JOB_MS = 20_000;
export const THROUGHPUT_JOB_MS = 1000;
export const PROMPTS = 60;
export const IMAGES_PER_JOB = 4;
export const IMAGE_BYTES = 1024 * 1024;
export const SAMPLE_EVERY_MS = 100;
export const RESULTS_DIR = path.join(PACKAGE_ROOT, 'bench-results');

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const MB = 1024 * 1024;
/** Streamed media: each file's size, and the growth of n8n's memory over idle allowed for the run. */
export const LARGE_MEDIA_BYTES = 10 * MB;
export const STREAMED_GROWTH_BUDGET = 150 * MB;
/** The throughput runs' ideal: the account's own limit, ceil(60 / 3) × 1 s. */
export const THROUGHPUT_IDEAL_MS = Math.ceil(PROMPTS / CAPACITY) * THROUGHPUT_JOB_MS;
/** One-after-another can do no better than every job's time in a row. */
export const SEQUENTIAL_FLOOR_MS = PROMPTS * THROUGHPUT_JOB_MS;
