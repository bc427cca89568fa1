import { NodeConnectionTypes, type INode } from 'n8n-workflow';

import { canonicalButton, parseButtonNames } from '../../nodes/Midjourney/actions/job/buttons';
import { simplifyJob } from '../../nodes/Midjourney/engine/output/jobOutput';
import {
	answersErrorsToAgent,
	COMPACT_PROMPT_MAX,
	compactJob,
	isToolExecution,
	toolOutputDefaults,
} from '../../nodes/Midjourney/engine/toolMode';
import type { Job } from '../../nodes/Midjourney/transport/types';

describe('parseButtonNames: the Button field from the dropdown, an expression or a model', () => {
	it.each([
		[['U1'], ['U1']],
		['U1', ['U1']],
		['u1', ['U1']],
		[' U1 , u2 ', ['U1', 'U2']],
		['["U1", "U2"]', ['U1', 'U2']],
		['[U1, v3]', ['U1', 'V3']],
		['"U1"', ['U1']],
		["'u4'", ['U4']],
		['vary (strong)', ['Vary (Strong)']],
		['🔄', ['🔄']],
		['U1, U1', ['U1']],
		['', []],
		[[], []],
		[undefined, []],
		[{ button: 'U1' }, []],
	])('%j → %j', (value, expected) => {
		expect(parseButtonNames(value)).toEqual(expected);
	});

	it('keeps a name it does not know as written, for the job (or the API) to judge', () => {
		expect(parseButtonNames('Upscale 1')).toEqual(['Upscale 1']);
		expect(canonicalButton('upscale (subtle)', ['Upscale (Subtle)', 'U1'])).toBe(
			'Upscale (Subtle)',
		);
		expect(canonicalButton('U9', ['U1'])).toBe('U9');
	});
});

describe('isToolExecution: read from n8n, not from the node name', () => {
	const node = (extra: Partial<INode> = {}): INode => ({
		id: '1',
		name: 'Midjourney Tool',
		type: 'n8n-nodes-useapi-midjourney.midjourneyTool',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		...extra,
	});

	it('n8n 2.x, AI Agent v3: the node n8n runs for the agent is marked rewireOutputLogTo = ai_tool', () => {
		expect(
			isToolExecution({
				getNode: () => node({ rewireOutputLogTo: NodeConnectionTypes.AiTool }),
				isToolExecution: () => false,
			}),
		).toBe(true);
	});

	it('older agents on n8n 2.x (supply-data path): the context says isToolExecution()', () => {
		expect(isToolExecution({ getNode: () => node(), isToolExecution: () => true })).toBe(true);
	});

	it('older agents on n8n 1.x: a supply-data context without isToolExecution(), connection type ai_tool', () => {
		const context = { getNode: () => node(), connectionType: NodeConnectionTypes.AiTool };
		expect(isToolExecution(context as never)).toBe(true);
		expect(isToolExecution({ ...context, connectionType: NodeConnectionTypes.Main } as never)).toBe(
			false,
		);
	});

	it('a regular run is not a tool run, whatever the node is called', () => {
		expect(isToolExecution({ getNode: () => node(), isToolExecution: () => false })).toBe(false);
		expect(isToolExecution({ getNode: () => node() })).toBe(false);
	});
});

describe('answersErrorsToAgent: a failed tool call is an answer unless On Error is Stop Workflow', () => {
	const ctx = (tool: boolean, onError?: INode['onError']) => ({
		getNode: () =>
			({ rewireOutputLogTo: tool ? NodeConnectionTypes.AiTool : undefined, onError }) as INode,
	});

	it('as a tool, by default and with Continue: answered to the agent', () => {
		expect(answersErrorsToAgent(ctx(true))).toBe(true);
		expect(answersErrorsToAgent(ctx(true, 'continueRegularOutput'))).toBe(true);
	});

	it('as a tool set to Stop Workflow, and outside an agent: an error, as before', () => {
		expect(answersErrorsToAgent(ctx(true, 'stopWorkflow'))).toBe(false);
		expect(answersErrorsToAgent(ctx(false))).toBe(false);
	});
});

describe('toolOutputDefaults', () => {
	const ctx = (tool: boolean, options: object = {}) =>
		({
			getNode: () => ({
				rewireOutputLogTo: tool ? NodeConnectionTypes.AiTool : undefined,
			}),
			getNodeParameter: () => options,
		}) as never;

	it('outside an agent: none, the node behaves as before', () => {
		expect(toolOutputDefaults(ctx(false), 0)).toEqual({});
	});

	it('as a tool: nothing downloaded and the compact answer, unless Full Job is chosen', () => {
		expect(toolOutputDefaults(ctx(true), 0)).toEqual({ download: 'none', compact: true });
		expect(toolOutputDefaults(ctx(true, { agentAnswer: 'full' }), 0)).toEqual({
			download: 'none',
			compact: false,
		});
	});
});

describe('compactJob', () => {
	const grid: Job = {
		jobid: 'j1206120000000123456i-u12345-c1100000000000000001-bot:midjourney',
		verb: 'imagine',
		jobType: 'image',
		status: 'completed',
		created: '2026-12-06T12:00:00.000Z',
		request: { prompt: 'a fox --ar 3:2', stream: true, replyRef: 'row 4' },
		response: {
			content: '**a fox --ar 3:2 --v 7.0 --s 250** - <@1> (fast)',
			buttons: ['U1', 'U2', 'U3', 'U4', '🔄', 'V1', 'V2', 'V3', 'V4'],
			components: [{ type: 1, components: [] }],
			attachments: [{ url: 'https://cdn.discordapp.com/attachments/1/2/grid.png' }],
			imageUx: [1, 2, 3, 4].map((id) => ({ id, url: `https://cdn.midjourney.com/u/0_${id}.png` })),
		},
		code: 200,
	};

	it('a grid: job ID, status, prompt, the four image links, the buttons and the reply ref, nothing else', () => {
		expect(compactJob(grid, simplifyJob(grid))).toEqual({
			jobid: grid.jobid,
			status: 'completed',
			prompt: 'a fox --ar 3:2',
			imageUrls: grid.response!.imageUx!.map((image) => image.url),
			buttons: grid.response!.buttons,
			replyRef: 'row 4',
		});
	});

	it('an upscale: its Discord picture as the image link, the button pressed and the parent job', () => {
		const child: Job = {
			...grid,
			jobid: 'j2',
			verb: 'button',
			request: { jobId: grid.jobid, button: 'U1' },
			response: {
				buttons: ['Upscale (Subtle)', 'Vary (Strong)'],
				attachments: [{ url: 'https://cdn.discordapp.com/attachments/1/3/u1.png' }],
			},
		};
		expect(compactJob(child, simplifyJob(child))).toEqual({
			jobid: 'j2',
			status: 'completed',
			button: 'U1',
			parentJobid: grid.jobid,
			imageUrls: ['https://cdn.discordapp.com/attachments/1/3/u1.png'],
			buttons: ['Upscale (Subtle)', 'Vary (Strong)'],
		});
	});

	it('a failed job: its error and details', () => {
		const failed: Job = {
			...grid,
			status: 'failed',
			error: 'Midjourney job failed',
			errorDetails: 'Emulated failure',
			response: { content: 'x' },
		};
		expect(compactJob(failed, simplifyJob(failed))).toEqual({
			jobid: grid.jobid,
			status: 'failed',
			prompt: 'a fox --ar 3:2',
			error: 'Midjourney job failed',
			errorDetails: 'Emulated failure',
			replyRef: 'row 4',
		});
	});

	it('cuts a very long prompt: the model wrote it and needs no full echo', () => {
		const long: Job = { ...grid, request: { prompt: 'x'.repeat(5000) } };
		const prompt = compactJob(long, simplifyJob(long)).prompt as string;
		expect(prompt).toHaveLength(COMPACT_PROMPT_MAX + 1);
		expect(prompt.endsWith('…')).toBe(true);
	});
});
