/**
 * Issue 6 in a real n8n 2.x: job-creating operations run their items in parallel up to the free
 * capacity the API reports (or Max Parallel Jobs), retry 429s without losing or repeating an item,
 * stop submitting to a channel that answered 596, and cancel running jobs when the user stops the
 * execution. The emulator counts every submission and the most jobs it ever ran at once.
 */
import { randomUUID } from 'crypto';

import {
	midjourneyWorkflow,
	requestsTo,
	runMidjourneyNode,
	useEnvironment,
	useReadings,
	READINGS_PRESETS,
	sleep,
	TOKEN,
	until,
} from './midjourney';

jest.setTimeout(5 * 60 * 1000);

/** The one account of these tests: five slots, so the capacity the node reads is 5. */
const CHANNEL_A = '1100000000000000001';
/** Added by the 596 test only (reset() removes it again). */
const CHANNEL_B = '1200000000000000002';
const IMAGINE_PATH = '/v3/midjourney/jobs/imagine';

const env = useEnvironment({
	emulator: {
		jobDurationMs: 300,
		accounts: [{ channel: CHANNEL_A, maxJobs: 5, maxImageJobs: 5, maxVideoJobs: 5 }],
	},
});

const imagineEach = (
	options: Record<string, unknown> = {},
	extra: Record<string, unknown> = {},
) => ({
	resource: 'job',
	operation: 'imagine',
	prompt: '={{ $json.prompt }}',
	...extra,
	options: { pollInterval: 0.3, ...options },
});

const prompts = (count: number, text: (i: number) => string = (i) => `batch prompt ${i}`) =>
	Array.from({ length: count }, (_, i) => ({ prompt: text(i) }));

describe.each(READINGS_PRESETS)('emulator readings: %s', (preset) => {
	useReadings(env, preset);

	describe('parallel items up to the free capacity', () => {
		it('200 prompts on an account with 5 slots: all complete, in input order, 5 at a time, no 429, each submitted once', async () => {
			// Durations of 200–600 ms in a scrambled pattern, so jobs finish in another order than they start.
			const items = prompts(200, (i) => `batch prompt ${i} --emu-ms=${200 + ((i * 7) % 5) * 100}`);
			const run = await runMidjourneyNode(env, imagineEach(), { items });

			expect(run.error).toBeFalsy();
			expect(run.items).toHaveLength(200);
			expect(run.items.map((item) => item.json.status)).toEqual(items.map(() => 'completed'));
			expect(run.items.map((item) => item.json.request.prompt)).toEqual(
				items.map((item) => item.prompt),
			);
			expect(run.items.map((item) => item.pairedItem)).toEqual(items.map((_, i) => ({ item: i })));

			expect(env.emulator.submissions()).toBe(200);
			// Every POST was accepted: none hit a full channel (a 429 would be a second POST for its item).
			expect(requestsTo(env, 'POST', IMAGINE_PATH)).toHaveLength(200);
			// Sized from GET accounts and GET jobs, and it really used all of it.
			expect(requestsTo(env, 'GET', '/v3/midjourney/accounts')).toHaveLength(1);
			expect(requestsTo(env, 'GET', '/v3/midjourney/jobs')).toHaveLength(1);
			expect(env.emulator.maxRunningJobs()).toBe(5);
		});

		it('jobs already running on the account leave fewer slots for the node', async () => {
			// Two long jobs started outside n8n take two of the five slots.
			for (let i = 0; i < 2; i++) {
				const res = await fetch(`${env.emulator.url}${IMAGINE_PATH}`, {
					method: 'POST',
					headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
					body: JSON.stringify({ prompt: 'someone else --emu-ms=60000', stream: false }),
				});
				expect(res.status).toBe(201);
			}
			const run = await runMidjourneyNode(env, imagineEach(), { items: prompts(12) });
			expect(run.items.map((item) => item.json.status)).toEqual(Array(12).fill('completed'));
			expect(requestsTo(env, 'POST', IMAGINE_PATH)).toHaveLength(2 + 12);
			expect(env.emulator.maxRunningJobs()).toBe(5);
		});

		it('a user-set Max Parallel Jobs of 2 is never exceeded', async () => {
			const run = await runMidjourneyNode(env, imagineEach({ maxParallelJobs: 2 }), {
				items: prompts(12),
			});
			expect(run.items.map((item) => item.json.status)).toEqual(Array(12).fill('completed'));
			expect(run.items.map((item) => item.pairedItem)).toEqual(
				Array.from({ length: 12 }, (_, i) => ({ item: i })),
			);
			expect(env.emulator.maxRunningJobs()).toBe(2);
			// A user limit needs no capacity lookup.
			expect(requestsTo(env, 'GET', '/v3/midjourney/jobs')).toHaveLength(0);
		});
	});

	describe('faults in the middle of a batch', () => {
		it('a storm of 429s is retried: every item completes and is accepted exactly once', async () => {
			env.emulator.faults.status429Next = 10;
			const items = prompts(20);
			const run = await runMidjourneyNode(env, imagineEach({ busyRetryDelay: 0.1 }), { items });

			expect(run.error).toBeFalsy();
			expect(run.items.map((item) => item.json.status)).toEqual(Array(20).fill('completed'));
			expect(run.items.map((item) => item.json.request.prompt)).toEqual(
				items.map((item) => item.prompt),
			);
			expect(env.emulator.faults.status429Next).toBe(0);
			expect(requestsTo(env, 'POST', IMAGINE_PATH)).toHaveLength(20 + 10);
			expect(env.emulator.submissions()).toBe(20);
			expect(env.emulator.jobsCreated()).toBe(20);
		});

		it('after a 596 on one channel its later items fail without being submitted; the other channel and earlier items complete', async () => {
			const added = await fetch(`${env.emulator.url}/v3/midjourney/accounts`, {
				method: 'POST',
				headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
				body: JSON.stringify({
					discord: `${Buffer.from(CHANNEL_B).toString('base64')}.x.y`,
					maxJobs: 5,
					maxImageJobs: 5,
				}),
			});
			expect(added.status).toBeLessThan(300);

			// Items alternate A, B; item 6 (channel A) hits the CAPTCHA. Three at a time, with staggered
			// durations, so item 6 is answered before any later item of channel A starts.
			const BLOCKED_ITEM = 6;
			const items = Array.from({ length: 12 }, (_, i) => ({
				prompt: `item ${i} --emu-ms=${300 + 60 * i}${i === BLOCKED_ITEM ? ' --emu-596' : ''}`,
				channel: i % 2 === 0 ? CHANNEL_A : CHANNEL_B,
			}));
			const run = await runMidjourneyNode(
				env,
				imagineEach({ maxParallelJobs: 3 }, { channel: '={{ $json.channel }}' }),
				{ items, continueOnFail: true },
			);

			expect(run.items).toHaveLength(12);
			expect(run.items.map((item) => item.pairedItem)).toEqual(items.map((_, i) => ({ item: i })));
			const blockedError = `Midjourney needs attention on channel ${CHANNEL_A} (596): moderation or CAPTCHA pending`;
			run.items.forEach((item, i) => {
				if (i < BLOCKED_ITEM || items[i].channel === CHANNEL_B) {
					expect({ i, status: item.json.status, prompt: item.json.request?.prompt }).toEqual({
						i,
						status: 'completed',
						prompt: items[i].prompt,
					});
				} else {
					expect({ i, error: item.json.error }).toEqual({ i, error: blockedError });
				}
			});

			const postsTo = (channel: string) =>
				requestsTo(env, 'POST', IMAGINE_PATH).filter(
					(request) => (request.body as { channel?: string }).channel === channel,
				);
			// Channel A: items 0, 2, 4 and the 596 of item 6; items 8 and 10 never reached useapi.net.
			expect(
				postsTo(CHANNEL_A).map((request) => (request.body as { prompt: string }).prompt),
			).toEqual([0, 2, 4, 6].map((i) => items[i].prompt));
			expect(postsTo(CHANNEL_B)).toHaveLength(6);
			expect(env.emulator.submissions()).toBe(3 + 6);
		});
	});

	describe('a failing batch stops spending', () => {
		it('6 items, Max Parallel Jobs 2: the first job fails without Continue On Fail; nothing more is submitted, the running job is cancelled and named', async () => {
			const items = [
				{ prompt: 'fails --emu-fail --emu-ms=800' },
				...prompts(5, (i) => `long ${i} --emu-ms=20000`),
			];
			const run = await runMidjourneyNode(env, imagineEach({ maxParallelJobs: 2 }), { items });

			// Two submitted (the limit), none after the failure.
			const posts = requestsTo(env, 'POST', IMAGINE_PATH);
			// The two run in parallel, so they may arrive in either order.
			expect(posts.map((request) => (request.body as { prompt: string }).prompt).sort()).toEqual(
				[items[0].prompt, items[1].prompt].sort(),
			);
			// The second job was running: it was cancelled (DELETE) rather than waited for (20 s).
			const running = env.emulator
				.listJobs()
				.find((job) => (job as any).request?.prompt === items[1].prompt)!;
			const deletes = requestsTo(env, 'DELETE', /^\/v3\/midjourney\/jobs\//);
			expect(deletes.map((request) => decodeURIComponent(request.path.split('/').pop()!))).toEqual([
				running.jobid,
			]);
			expect(env.emulator.getJob(running.jobid)).toMatchObject({
				status: 'failed',
				error: 'Job cancelled by user',
			});
			// The run's error is the first item's, and it says which jobs were cancelled.
			expect(run.error.message).toMatch(/Midjourney job failed/);
			expect(run.error.description).toContain(`cancelled (DELETE): ${running.jobid}`);
		});
	});

	describe('stopping the execution', () => {
		it('cancels (DELETE) the jobs that were running and submits no more items', async () => {
			const path = `mj-stop-${randomUUID()}`;
			const workflow = await env.n8n.createWorkflow(
				midjourneyWorkflow({
					path,
					parameters: imagineEach(),
					credentials: env.credentials,
					respond: 'onReceived',
					splitItems: true,
				}),
			);
			await env.n8n.activateWorkflow(workflow.id);
			try {
				// Eight long jobs on five slots: five run, three wait for a slot.
				const answer = await env.n8n.callWebhook(path, {
					items: prompts(8, (i) => `long ${i} --emu-ms=20000`),
				});
				expect(answer.status).toBe(200);
				const running = () =>
					env.emulator
						.listJobs()
						.filter((job) => !['completed', 'failed', 'moderated'].includes(job.status));
				await until('five running jobs', () => running().length === 5);
				const jobIds = running().map((job) => job.jobid);
				const [execution] = await env.n8n.waitForExecutions(workflow.id, (all) =>
					all.some((e) => e.status === 'running'),
				);

				await env.n8n.restPost(`/executions/${execution.id}/stop`);

				const deleted = await until(
					'a DELETE for each running job',
					() => {
						const deletes = requestsTo(env, 'DELETE', /^\/v3\/midjourney\/jobs\//);
						return deletes.length >= 5 && deletes;
					},
					10_000,
				);
				const deletedIds = deleted.map((request) =>
					decodeURIComponent(request.path.split('/').pop()!),
				);
				expect(deletedIds.sort()).toEqual([...jobIds].sort());
				for (const jobId of jobIds) {
					expect(env.emulator.getJob(jobId)).toMatchObject({
						status: 'failed',
						error: 'Job cancelled by user',
					});
				}
				// The three waiting items are never submitted, not even after the cancelled jobs freed their slots.
				await sleep(1500);
				expect(requestsTo(env, 'POST', IMAGINE_PATH)).toHaveLength(5);
				expect(requestsTo(env, 'DELETE', /^\/v3\/midjourney\/jobs\//)).toHaveLength(5);
				const stopped = await env.n8n.waitForExecution(
					workflow.id,
					(e) => e.status !== 'running' && e.status !== 'new',
				);
				expect(stopped.status).toBe('canceled');
			} finally {
				await env.n8n.deactivateWorkflow(workflow.id);
			}
		});
	});
});
