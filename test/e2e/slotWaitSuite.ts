/**
 * Issue 19, "every wait is bounded", in a real n8n (capacity.test.ts: 2.x; capacity-n8n1.test.ts:
 * 1.x): an item answered 429 while another client of the account holds every slot past its time
 * limit fails at that limit, its prompt named and no job created; the user's Stop ends the same
 * wait at once. The emulator takes the least friendly readings (GET jobs lists no idle channel).
 */
import { randomUUID } from 'crypto';

import {
	midjourneyWorkflow,
	requestsTo,
	runMidjourneyNode,
	sleep,
	until,
	useEnvironment,
	type E2eEnvironment,
} from './midjourney';
import type { N8nMajor } from './n8n';

export const IMAGINE_PATH = '/v3/midjourney/jobs/imagine';

/** How long an execution ran, by n8n's own record. */
export function executionMs(execution: { startedAt: string; stoppedAt?: string | null }): number {
	return Date.parse(execution.stoppedAt!) - Date.parse(execution.startedAt);
}

/** Runs the slot-wait tests on n8n `major` and hands back their environment for more tests. */
export function slotWaitSuite(major: N8nMajor): E2eEnvironment {
	jest.setTimeout(10 * 60 * 1000);

	const env = useEnvironment({ major, emulator: { readings: 'least-friendly' } });

	describe(`n8n ${major}.x: the wait for a slot is bounded`, () => {
		it('an item waiting for a slot that never frees fails at its time limit, its prompt named, nothing submitted', async () => {
			// Another client holds every slot for longer than the item may wait.
			env.emulator.occupy({ forMs: 120_000 });
			const prompt = 'a lighthouse that waits for a slot';
			const run = await runMidjourneyNode(env, {
				resource: 'job',
				operation: 'imagine',
				prompt,
				waitFor: 'poll',
				timeLimit: 15,
				options: { pollInterval: 0.5 },
			});

			expect(run.error?.message).toBe(
				`No slot of the account came free within the time limit of 15 seconds for prompt "${prompt}"`,
			);
			expect(run.error?.description).toMatch(/No job was created/);
			const took = executionMs(run.execution);
			expect(took).toBeGreaterThanOrEqual(15_000);
			expect(took).toBeLessThan(20_000);
			// Every submission was answered 429: no job exists for the item.
			expect(requestsTo(env, 'POST', IMAGINE_PATH).length).toBeGreaterThanOrEqual(1);
			expect(env.emulator.jobsCreated()).toBe(0);
		});

		it("the user's Stop ends the wait for a slot at once", async () => {
			env.emulator.occupy({ forMs: 120_000 });
			const path = `mj-slot-stop-${randomUUID()}`;
			const workflow = await env.n8n.createWorkflow(
				midjourneyWorkflow({
					path,
					parameters: {
						resource: 'job',
						operation: 'imagine',
						prompt: 'stopped while it waits for a slot',
						waitFor: 'poll',
						options: { pollInterval: 0.5 },
					},
					credentials: env.credentials,
					respond: 'onReceived',
				}),
			);
			await env.n8n.activateWorkflow(workflow.id);
			try {
				expect((await env.n8n.callWebhook(path, {})).status).toBe(200);
				// Answered 429, and then waiting a while (the default time limit is 900 s).
				await until(
					'a submission answered 429',
					() => requestsTo(env, 'POST', IMAGINE_PATH).length,
				);
				await sleep(2_000);
				const [execution] = await env.n8n.waitForExecutions(workflow.id, (all) =>
					all.some((e) => e.status === 'running'),
				);

				const stoppedAt = Date.now();
				await env.n8n.restPost(`/executions/${execution.id}/stop`);
				const stopped = await env.n8n.waitForExecution(
					workflow.id,
					(e) => e.status !== 'running' && e.status !== 'new',
					10_000,
				);
				expect(Date.now() - stoppedAt).toBeLessThan(3_000);
				expect(stopped.status).toBe('canceled');
				expect(env.emulator.jobsCreated()).toBe(0);
				// Nothing is submitted after the stop.
				const posts = requestsTo(env, 'POST', IMAGINE_PATH).length;
				await sleep(1_500);
				expect(requestsTo(env, 'POST', IMAGINE_PATH)).toHaveLength(posts);
			} finally {
				await env.n8n.deactivateWorkflow(workflow.id);
			}
		});
	});

	return env;
}
