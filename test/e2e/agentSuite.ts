/**
 * Issue 22 in a real n8n (agent.test.ts: 2.x; agent-n8n1.test.ts: 1.x): the node as a tool of n8n's own AI Agent (v3), with n8n's own OpenAI
 * Chat Model (1.2, Chat Completions) pointed at a scripted model on loopback (scriptedModel.ts) and
 * the useapi.net emulator behind both Midjourney tools. The model calls the tools in a fixed order
 * and answers with what they returned; the test reads what the emulator received, what each tool
 * answered the agent, and the agent's final answer.
 */
import { randomUUID } from 'crypto';
import { readFileSync } from 'fs';
import * as path from 'path';

import { MIDJOURNEY_TYPE, requestsTo, useEnvironment } from './midjourney';
import { PACKAGE_ROOT, type N8nMajor } from './n8n';
import { startScriptedModel, type Conversation, type ScriptedModel } from './scriptedModel';

export function agentSuite(major: N8nMajor): void {
	jest.setTimeout(10 * 60 * 1000);

	const env = useEnvironment({ major });
	let model: ScriptedModel;
	let openAiCredential: { id: string; name: string };

	beforeAll(async () => {
		model = await startScriptedModel();
		const name = 'Scripted model (loopback)';
		const id = await env.n8n.createCredential(name, 'openAiApi', {
			apiKey: 'sk-scripted-test',
			url: model.baseUrl,
		});
		openAiCredential = { id, name };
	});

	afterAll(async () => {
		await model?.close();
	});

	const TOOL_TYPE = `${MIDJOURNEY_TYPE}Tool`;
	const PROMPT = 'a red fox curled up in fresh snow, watercolor --ar 3:2';

	/**
	 * Webhook → AI Agent with OpenAI Chat Model and two tools of this package, as a user builds it:
	 * Imagine (prompt from the model) and Upscale (Press Button, job ID and button from the model),
	 * everything else at its default. Poll Interval is shortened only to keep the test quick.
	 */
	function agentWorkflow(path: string, extraToolOptions: Record<string, unknown> = {}) {
		const credentials = env.credentials;
		const node = (
			name: string,
			type: string,
			typeVersion: number,
			parameters: object,
			x: number,
		) => ({
			id: randomUUID(),
			name,
			type,
			typeVersion,
			position: [x, 0],
			parameters,
		});
		return {
			name: `Agent ${path}`,
			nodes: [
				{
					...node(
						'Webhook',
						'n8n-nodes-base.webhook',
						2,
						{
							httpMethod: 'POST',
							path,
							responseMode: 'lastNode',
							responseData: 'firstEntryJson',
							options: {},
						},
						0,
					),
					webhookId: randomUUID(),
				},
				node(
					'AI Agent',
					'@n8n/n8n-nodes-langchain.agent',
					3,
					{ promptType: 'define', text: '={{ $json.body.message }}', options: {} },
					300,
				),
				{
					...node(
						'OpenAI Chat Model',
						'@n8n/n8n-nodes-langchain.lmChatOpenAi',
						1.2,
						{ model: { __rl: true, mode: 'id', value: 'gpt-4o-mini' }, options: { maxRetries: 0 } },
						200,
					),
					credentials: { openAiApi: openAiCredential },
				},
				{
					...node(
						'Imagine',
						TOOL_TYPE,
						1,
						{
							descriptionType: 'manual',
							toolDescription:
								'Generate four images with Midjourney from a prompt. Answers with the job ID, the image links and the buttons that can be pressed next.',
							resource: 'job',
							operation: 'imagine',
							prompt:
								"={{ $fromAI('prompt', 'The Midjourney prompt: what the picture shows, then any parameters, e.g. a lighthouse at dusk, oil painting --ar 16:9', 'string') }}",
							options: { pollInterval: 0.3, ...extraToolOptions },
						},
						400,
					),
					credentials,
				},
				{
					...node(
						'Upscale',
						TOOL_TYPE,
						1,
						{
							descriptionType: 'manual',
							toolDescription:
								'Press a button of a finished Midjourney job, e.g. U1 to upscale the first image. Answers with the new job and its image link.',
							resource: 'job',
							operation: 'button',
							jobId:
								"={{ $fromAI('jobId', 'The jobid of the Midjourney job whose button to press, as the Imagine tool answered it', 'string') }}",
							button:
								"={{ $fromAI('button', 'The button to press, one of the buttons the job lists, e.g. U1 to upscale image 1', 'string') }}",
							options: { pollInterval: 0.3, ...extraToolOptions },
						},
						600,
					),
					credentials,
				},
			],
			connections: {
				Webhook: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
				'OpenAI Chat Model': {
					ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]],
				},
				Imagine: { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
				Upscale: { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
			},
			settings: { executionOrder: 'v1' },
		};
	}

	interface AgentRun {
		/** The agent's final answer (`output`). */
		answer: string;
		execution: any;
	}

	async function runAgent(
		message: string,
		extraToolOptions?: Record<string, unknown>,
	): Promise<AgentRun> {
		const path = `agent-${randomUUID()}`;
		const workflow = await env.n8n.createWorkflow(agentWorkflow(path, extraToolOptions));
		await env.n8n.activateWorkflow(workflow.id);
		try {
			const response = await env.n8n.callWebhook(path, { message });
			const execution = await env.n8n.waitForExecution(
				workflow.id,
				(e) => e.status === 'success' || e.status === 'error' || e.status === 'crashed',
				120_000,
			);
			expect({
				status: execution.status,
				model: model.requests.map((r) => r.error).filter(Boolean),
			}).toEqual({
				status: 'success',
				model: [],
			});
			expect(response.status).toBe(200);
			return { answer: String(response.body?.output ?? ''), execution };
		} finally {
			await env.n8n.deactivateWorkflow(workflow.id);
		}
	}

	/** A tool's answer as the agent handed it to the model: the JSON of its output items. */
	function parseAnswer(text: string): any[] {
		const parsed = JSON.parse(text);
		return Array.isArray(parsed) ? parsed : [parsed];
	}

	/** Every run of a tool node in the execution, with its output items (what n8n keeps of them). */
	function toolRuns(execution: any, nodeName: string): any[] {
		return execution.data?.resultData?.runData?.[nodeName] ?? [];
	}

	function imagineCall(conversation: Conversation) {
		expect(conversation.toolNames).toEqual(expect.arrayContaining(['Imagine', 'Upscale']));
		return { toolCalls: [{ name: 'Imagine', args: { prompt: PROMPT } }] };
	}

	/** The picture link of the first answer that has one. */
	function firstImage(answer: string): string {
		return parseAnswer(answer)[0]?.imageUrls?.[0] ?? '';
	}

	describe(`the node as an AI Agent tool (n8n ${major}.x)`, () => {
		it('Imagine → Upscale U1: one submission each, compact answers, no media downloaded, the link in the final answer', async () => {
			model.useScript([
				imagineCall,
				({ toolAnswers }) => ({
					toolCalls: [
						{
							name: 'Upscale',
							args: { jobId: parseAnswer(toolAnswers[0])[0].jobid, button: 'U1' },
						},
					],
				}),
				({ toolAnswers }) => ({
					content: `Here is your upscaled picture: ${firstImage(toolAnswers[1])}`,
				}),
			]);
			const { answer, execution } = await runAgent(
				'Make me a picture of a fox in the snow and upscale the first one',
			);

			const imagines = requestsTo(env, 'POST', '/v3/midjourney/jobs/imagine');
			expect(imagines).toHaveLength(1);
			expect(imagines[0].body).toMatchObject({ prompt: PROMPT });
			const parent = env.emulator.listJobs().find((job: any) => job.verb === 'imagine') as any;

			const presses = requestsTo(env, 'POST', '/v3/midjourney/jobs/button');
			expect(presses).toHaveLength(1);
			expect(presses[0].body).toMatchObject({ jobId: parent.jobid, button: 'U1' });
			const child = env.emulator.listJobs().find((job: any) => job.verb === 'button') as any;
			expect(child.status).toBe('completed');

			// What the agent got back: the compact job, within 2,000 characters for a completed Imagine.
			const [imagineAnswer, upscaleAnswer] = model.toolAnswers();
			expect(imagineAnswer.length).toBeLessThanOrEqual(2000);
			expect(upscaleAnswer.length).toBeLessThanOrEqual(2000);
			expect(parseAnswer(imagineAnswer)).toEqual([
				{
					jobid: parent.jobid,
					status: 'completed',
					prompt: PROMPT,
					imageUrls: parent.response.imageUx.map((image: any) => image.url),
					buttons: parent.response.buttons,
				},
			]);
			const childPicture = child.response.attachments[0].url;
			expect(parseAnswer(upscaleAnswer)).toEqual([
				expect.objectContaining({
					jobid: child.jobid,
					status: 'completed',
					button: 'U1',
					parentJobid: parent.jobid,
					imageUrls: [childPicture],
					buttons: child.response.buttons,
				}),
			]);
			expect(answer).toContain(childPicture);

			// No media downloaded: nothing fetched through the CDN proxy, no binary data in any tool run
			// (the U1 child's picture is a Discord attachment: a download would have failed the call here).
			expect(requestsTo(env, 'GET', /^\/v1\/proxy\/cdn-midjourney\//)).toHaveLength(0);
			for (const name of ['Imagine', 'Upscale']) {
				const runs = toolRuns(execution, name);
				expect(runs.length).toBeGreaterThanOrEqual(1);
				for (const run of runs) {
					for (const item of run.data?.ai_tool?.[0] ?? []) expect(item.binary).toBeUndefined();
				}
			}
		});

		it("an invalid button is answered with the job's buttons; the corrected call makes the only child job", async () => {
			let rejection = '';
			model.useScript([
				imagineCall,
				({ toolAnswers }) => ({
					toolCalls: [
						{
							name: 'Upscale',
							args: { jobId: parseAnswer(toolAnswers[0])[0].jobid, button: 'Upscale 1' },
						},
					],
				}),
				({ toolAnswers }) => {
					rejection = toolAnswers[1];
					// The model picks from the buttons the error listed, in its own spelling.
					const listed = /Valid buttons: (.*)$/.exec(parseAnswer(rejection)[0].error)?.[1] ?? '';
					const choice = listed.split(', ').find((button) => button === 'U1');
					return {
						toolCalls: [
							{
								name: 'Upscale',
								args: {
									jobId: parseAnswer(toolAnswers[0])[0].jobid,
									button: choice?.toLowerCase() ?? 'none',
								},
							},
						],
					};
				},
				({ toolAnswers }) => ({ content: `Upscaled: ${firstImage(toolAnswers[2])}` }),
			]);
			const { answer } = await runAgent('A fox in the snow, upscaled');

			const parent = env.emulator.listJobs().find((job: any) => job.verb === 'imagine') as any;
			expect(parseAnswer(rejection)).toEqual([
				{
					error: `"Upscale 1" is not a button of job ${parent.jobid}. Valid buttons: ${parent.response.buttons.join(', ')}`,
				},
			]);
			// The invalid press never reached useapi.net; the corrected one ("u1") did, as U1, once.
			const presses = requestsTo(env, 'POST', '/v3/midjourney/jobs/button');
			expect(presses.map((press) => press.body)).toEqual([
				expect.objectContaining({ jobId: parent.jobid, button: 'U1' }),
			]);
			const children = env.emulator.listJobs().filter((job: any) => job.verb === 'button') as any[];
			expect(children).toHaveLength(1);
			expect(answer).toContain(children[0].response.attachments[0].url);
		});

		it('a failed job is reported to the agent with its ID, status and error', async () => {
			const failing = `${PROMPT} --emu-fail`;
			model.useScript([
				() => ({ toolCalls: [{ name: 'Imagine', args: { prompt: failing } }] }),
				({ toolAnswers }) => {
					const [job] = parseAnswer(toolAnswers[0]);
					return {
						content: `The job ${job.jobid} ${job.status}: ${job.error} (${job.errorDetails})`,
					};
				},
			]);
			const { answer } = await runAgent('A fox in the snow');

			const failed = env.emulator.listJobs().find((job: any) => job.verb === 'imagine') as any;
			expect(failed.status).toBe('failed');
			expect(requestsTo(env, 'POST', '/v3/midjourney/jobs/imagine')).toHaveLength(1);
			const [toolAnswer] = model.toolAnswers();
			expect(parseAnswer(toolAnswer)).toEqual([
				{
					jobid: failed.jobid,
					status: 'failed',
					prompt: failing,
					error: failed.error,
					errorDetails: failed.errorDetails,
				},
			]);
			expect(answer).toBe(
				`The job ${failed.jobid} failed: ${failed.error} (${failed.errorDetails})`,
			);
			expect(requestsTo(env, 'POST', '/v3/midjourney/jobs/button')).toHaveLength(0);
		});

		it('Wait for Result: Callback in a tool is refused before any request, with a clear error for the agent', async () => {
			model.useScript([
				imagineCall,
				({ toolAnswers }) => ({ content: `Tool said: ${parseAnswer(toolAnswers[0])[0].error}` }),
			]);
			const path = `agent-${randomUUID()}`;
			const spec = agentWorkflow(path);
			(spec.nodes[3].parameters as Record<string, unknown>).waitFor = 'callback';
			const workflow = await env.n8n.createWorkflow(spec);
			await env.n8n.activateWorkflow(workflow.id);
			try {
				const response = await env.n8n.callWebhook(path, { message: 'A fox' });
				expect(String(response.body?.output)).toContain(
					"Wait for Result: Callback cannot be used when the node is an AI Agent's tool",
				);
			} finally {
				await env.n8n.deactivateWorkflow(workflow.id);
			}
			expect(requestsTo(env, 'POST', /^\/v3\/midjourney\/jobs\//)).toHaveLength(0);
		});

		it('a download chosen in the tool is honoured, and Answer to the AI Agent = Full Job gives the whole job', async () => {
			model.useScript([
				imagineCall,
				({ toolAnswers }) => ({ content: `done ${parseAnswer(toolAnswers[0])[0].jobid}` }),
			]);
			await runAgent('A fox', { download: 'combined', agentAnswer: 'full' });
			// The four grid images were fetched through the proxy (n8n then drops binary data from the answer).
			expect(requestsTo(env, 'GET', /^\/v1\/proxy\/cdn-midjourney\//)).toHaveLength(4);
			const [job] = parseAnswer(model.toolAnswers()[0]);
			expect(job).toMatchObject({
				verb: 'imagine',
				status: 'completed',
				request: expect.any(Object),
			});
			expect(job.response.imageUx).toHaveLength(4);
		});

		it('the example workflow (examples/agent-imagine-upscale.json), imported as a user would, imagines and upscales', async () => {
			const example = JSON.parse(
				readFileSync(path.join(PACKAGE_ROOT, 'examples', 'agent-imagine-upscale.json'), 'utf8')
					.replace(/__CREDENTIAL_ID__/g, env.credentialId)
					.replace(/__OPENAI_CREDENTIAL_ID__/g, openAiCredential.id),
			);
			// Reached over HTTP here instead of the editor's chat: public, as an embedded chat.
			const trigger = example.nodes.find(
				(n: any) => n.type === '@n8n/n8n-nodes-langchain.chatTrigger',
			);
			trigger.webhookId = randomUUID();
			trigger.parameters = { ...trigger.parameters, public: true, mode: 'webhook' };
			model.useScript([
				imagineCall,
				({ toolAnswers }) => ({
					toolCalls: [
						{
							name: 'Upscale',
							args: { jobId: parseAnswer(toolAnswers[0])[0].jobid, button: 'U2' },
						},
					],
				}),
				({ toolAnswers }) => ({ content: `Your picture: ${firstImage(toolAnswers[1])}` }),
			]);
			const workflow = await env.n8n.createWorkflow({
				...example,
				name: `Example ${randomUUID()}`,
			});
			await env.n8n.activateWorkflow(workflow.id);
			try {
				const response = await env.n8n.callWebhook(`${trigger.webhookId}/chat`, {
					action: 'sendMessage',
					sessionId: randomUUID(),
					chatInput: 'A fox in the snow, the second one bigger please',
				});
				expect(response.status).toBe(200);
				const child = env.emulator.listJobs().find((job: any) => job.verb === 'button') as any;
				expect(child?.request).toMatchObject({ button: 'U2' });
				expect(String(response.body?.output)).toBe(
					`Your picture: ${child.response.attachments[0].url}`,
				);
				// The system message and the tools' descriptions are what the model was given.
				const offered = model.requests[0].body.tools?.map((tool) => tool.function.name);
				expect(offered?.sort()).toEqual(['Imagine', 'Upscale']);
			} finally {
				await env.n8n.deactivateWorkflow(workflow.id);
			}
			expect(requestsTo(env, 'POST', '/v3/midjourney/jobs/imagine')).toHaveLength(1);
			expect(requestsTo(env, 'GET', /^\/v1\/proxy\/cdn-midjourney\//)).toHaveLength(0);
		});
	});
}
