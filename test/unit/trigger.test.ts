import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import { claimDelivery } from '../../nodes/Midjourney/trigger/deliveries';
import { eventKey, readDeliveredEvent } from '../../nodes/Midjourney/trigger/verifiedEvent';
import {
	jobTypeOf,
	matchesFilter,
	replyRefOf,
	type CallbackFilter,
} from '../../nodes/Midjourney/trigger/eventFilter';
import type { Job } from '../../nodes/Midjourney/transport/types';

/** The trigger's filter and de-duplication as plain functions, without n8n or a server. */

const filter = (overrides: Partial<CallbackFilter> = {}): CallbackFilter => ({
	events: ['completed', 'failed', 'moderated'],
	verbs: [],
	jobTypes: [],
	replyRefMatch: 'any',
	replyRef: '',
	...overrides,
});

const event = (overrides: Partial<Job> = {}): Job => ({
	jobid: 'j1',
	verb: 'imagine',
	status: 'completed',
	created: '2026-11-23T10:00:00.000Z',
	request: { replyRef: 'order-42' },
	...overrides,
});

describe('event filter', () => {
	it('lets through only the chosen statuses (final ones by default)', () => {
		expect(matchesFilter(event(), filter())).toBe(true);
		expect(matchesFilter(event({ status: 'progress' }), filter())).toBe(false);
		expect(matchesFilter(event({ status: 'progress' }), filter({ events: ['progress'] }))).toBe(
			true,
		);
	});

	it('filters on command and job type when they are set', () => {
		const image = event({ jobType: 'image' });
		expect(matchesFilter(image, filter({ verbs: ['button'] }))).toBe(false);
		expect(matchesFilter(event({ verb: 'button' }), filter({ verbs: ['button'] }))).toBe(true);
		expect(matchesFilter(image, filter({ jobTypes: ['video'] }))).toBe(false);
		expect(matchesFilter(image, filter({ jobTypes: ['image'] }))).toBe(true);
		expect(matchesFilter(event({ jobType: 'video' }), filter({ jobTypes: ['video'] }))).toBe(true);
	});

	it('a v3 job without a jobType (describe, seed, settings) passes no Job Types filter; a v2 job is typed by its verb', () => {
		for (const verb of ['describe', 'seed', 'settings']) {
			const untyped = event({ verb });
			expect(jobTypeOf(untyped)).toBeUndefined();
			expect(matchesFilter(untyped, filter({ jobTypes: ['image'] }))).toBe(false);
			expect(matchesFilter(untyped, filter({ jobTypes: ['image', 'video'] }))).toBe(false);
			// Without a Job Types filter it passes as before.
			expect(matchesFilter(untyped, filter())).toBe(true);
		}
		const v2 = (verb: string) => ({ jobid: 'j2', verb, status: 'completed' }) as unknown as Job;
		expect(jobTypeOf(v2('imagine'))).toBe('image');
		expect(matchesFilter(v2('blend'), filter({ jobTypes: ['image'] }))).toBe(true);
		expect(matchesFilter(v2('seed_async'), filter({ jobTypes: ['image'] }))).toBe(false);
	});

	it('matches the reply ref exactly or by prefix, from a v3 job (request) or a v2 job (top level)', () => {
		expect(matchesFilter(event(), filter({ replyRefMatch: 'exact', replyRef: 'order-42' }))).toBe(
			true,
		);
		expect(matchesFilter(event(), filter({ replyRefMatch: 'exact', replyRef: 'order-4' }))).toBe(
			false,
		);
		expect(matchesFilter(event(), filter({ replyRefMatch: 'prefix', replyRef: 'order-' }))).toBe(
			true,
		);
		const v2 = { ...event({ request: {} }), replyRef: 'batch-1' } as Job;
		expect(replyRefOf(v2)).toBe('batch-1');
		expect(matchesFilter(v2, filter({ replyRefMatch: 'prefix', replyRef: 'batch-' }))).toBe(true);
		expect(
			matchesFilter(event({ request: {} }), filter({ replyRefMatch: 'exact', replyRef: 'x' })),
		).toBe(false);
	});
});

describe('event key', () => {
	/** The key of a delivered body, as the trigger reads it. */
	const keyOf = (body: IDataObject): string => {
		const event = readDeliveredEvent(body);
		if (typeof event === 'string') throw new Error(event);
		return eventKey(event);
	};

	it('tells apart the statuses of a job, and its progress events by percentage', () => {
		expect(keyOf({ jobid: 'j1', status: 'completed' })).toBe('j1|completed');
		expect(keyOf({ jobId: 'j1', status: 'started' })).toBe('j1|started');
		const progress = (percent: number): IDataObject => ({
			jobid: 'j1',
			status: 'progress',
			response: { progress_percent: percent },
		});
		expect(keyOf(progress(15))).not.toBe(keyOf(progress(54)));
		expect(keyOf(progress(54))).toBe(keyOf(progress(54)));
	});

	it('tells apart progress events without a percentage by their updated time, else their content', () => {
		const at = (updated: string): IDataObject => ({
			jobid: 'j1',
			status: 'progress',
			updated,
			response: { content: 'a cat --v 7 (fast)' },
		});
		expect(keyOf(at('2026-12-06T10:00:01Z'))).not.toBe(keyOf(at('2026-12-06T10:00:07Z')));
		expect(keyOf(at('2026-12-06T10:00:01Z'))).toBe(keyOf(at('2026-12-06T10:00:01Z')));
		const showing = (content: string): IDataObject => ({
			jobid: 'j1',
			status: 'progress',
			response: { content },
		});
		expect(keyOf(showing('a cat (15%) (fast)'))).not.toBe(keyOf(showing('a cat (54%) (fast)')));
		// Bounded whatever the content's length.
		expect(keyOf(showing('x'.repeat(100_000))).length).toBeLessThan(40);
	});
});

/** The trigger's context as far as de-duplication uses it: its workflow, its node and its static data. */
function triggerContext(workflowId: string) {
	const staticData: IDataObject = {};
	const ctx = {
		getWorkflow: () => ({ id: workflowId, active: true }),
		getNode: () => ({ id: 'trigger-node', name: 'Midjourney Trigger' }),
		getWorkflowStaticData: () => staticData,
	} as unknown as IWebhookFunctions;
	return { ctx, staticData };
}

describe('delivery de-duplication', () => {
	it('starts the workflow once per event, also for a delivery that arrives while the first is processed', () => {
		const { ctx, staticData } = triggerContext('wf-dedup-1');
		const first = claimDelivery(ctx, 'j1|completed');
		expect(first).toBeDefined();
		// The same event again before the first finished: refused (both would otherwise read the same static data).
		expect(claimDelivery(ctx, 'j1|completed')).toBeUndefined();
		first!.done();
		expect(Object.keys(staticData.delivered as IDataObject)).toEqual(['j1|completed']);
		expect(claimDelivery(ctx, 'j1|completed')).toBeUndefined();
		// Another event of the same job is its own delivery.
		expect(claimDelivery(ctx, 'j1|failed')).toBeDefined();
	});

	it('lets an event whose processing failed be delivered again', () => {
		const { ctx, staticData } = triggerContext('wf-dedup-2');
		claimDelivery(ctx, 'j2|completed')!.failed();
		expect(staticData.delivered).toEqual({});
		expect(claimDelivery(ctx, 'j2|completed')).toBeDefined();
	});

	it('remembers delivered events in the static data, so they stay delivered after a restart', () => {
		const { ctx, staticData } = triggerContext('wf-dedup-3');
		staticData.deliveries = ['j3|completed'];
		expect(claimDelivery(ctx, 'j3|completed')).toBeUndefined();
	});

	it('keeps the events of two triggers apart', () => {
		const one = triggerContext('wf-dedup-4');
		const two = triggerContext('wf-dedup-5');
		expect(claimDelivery(one.ctx, 'j4|completed')).toBeDefined();
		expect(claimDelivery(two.ctx, 'j4|completed')).toBeDefined();
	});
});
