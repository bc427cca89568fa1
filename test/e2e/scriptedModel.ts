/**
 * A scripted OpenAI-compatible chat model on loopback, for n8n's own OpenAI Chat Model node
 * (`lmChatOpenAi` 1.2, Chat Completions) driving n8n's AI Agent in the end-to-end tests.
 *
 * It is not a language model: a test gives it a script, one step per model turn. The step of a
 * request is the number of assistant messages already in the conversation (each earlier turn left
 * one), so a retried request gets the same step again. A step sees the conversation (the user's
 * message and every tool answer so far) and either calls tools or answers in text; tests write
 * steps that call the tools in a fixed order and answer with what the tools returned.
 *
 * Every request is recorded (body, the tools offered, the tool answers it carried). Streaming
 * (`stream: true`) is answered as `chat.completion.chunk` events, the rest as one `chat.completion`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';

export interface ToolCall {
	name: string;
	args: Record<string, unknown>;
}

/** What a step returns: tool calls, or the final answer. */
export type ModelTurn = { toolCalls: ToolCall[] } | { content: string };

export interface Conversation {
	/** The turn this request is (0 for the first). */
	step: number;
	/** The last user message. */
	userText: string;
	/** The content of every `role: "tool"` message so far, in order. */
	toolAnswers: string[];
	/** The names of the tools offered with this request. */
	toolNames: string[];
}

export type ModelStep = (conversation: Conversation) => ModelTurn;

export interface ChatMessage {
	role: string;
	content?: unknown;
	tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
	tool_call_id?: string;
}

export interface ModelRequest {
	method: string;
	path: string;
	authorization?: string;
	body: {
		model?: string;
		stream?: boolean;
		messages?: ChatMessage[];
		tools?: Array<{
			type: string;
			function: { name: string; description?: string; parameters?: any };
		}>;
		[key: string]: unknown;
	};
	/** The step the request was answered with, or the error the script raised. */
	step?: number;
	error?: string;
}

export interface ScriptedModel {
	/** `http://127.0.0.1:PORT/v1`: the base URL for the OpenAI credential. */
	baseUrl: string;
	requests: ModelRequest[];
	/** Replaces the script and forgets the recorded requests. */
	useScript(steps: ModelStep[]): void;
	/** The `role: "tool"` messages of the last chat request: what the agent got from each tool call. */
	toolAnswers(): string[];
	close(): Promise<void>;
}

function textOf(content: unknown): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content))
		return content.map((part) => (typeof part?.text === 'string' ? part.text : '')).join('');
	return '';
}

function conversationOf(body: ModelRequest['body']): Conversation {
	const messages = body.messages ?? [];
	const users = messages.filter((message) => message.role === 'user');
	return {
		step: messages.filter((message) => message.role === 'assistant').length,
		userText: textOf(users[users.length - 1]?.content),
		toolAnswers: messages.filter((m) => m.role === 'tool').map((m) => textOf(m.content)),
		toolNames: (body.tools ?? []).map((tool) => tool.function.name),
	};
}

let callCounter = 0;

function completion(turn: ModelTurn, model: string) {
	const message =
		'content' in turn
			? { role: 'assistant', content: turn.content }
			: {
					role: 'assistant',
					content: null,
					tool_calls: turn.toolCalls.map((call) => ({
						id: `call_${++callCounter}`,
						type: 'function',
						function: { name: call.name, arguments: JSON.stringify(call.args) },
					})),
				};
	return {
		id: `chatcmpl-scripted-${++callCounter}`,
		object: 'chat.completion',
		created: Math.floor(Date.now() / 1000),
		model,
		choices: [
			{
				index: 0,
				message,
				logprobs: null,
				finish_reason: 'content' in turn ? 'stop' : 'tool_calls',
			},
		],
		usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
	};
}

/** The same answer as Chat Completions streams it: one chunk with the whole delta, then the finish. */
function chunks(turn: ModelTurn, model: string): object[] {
	const whole = completion(turn, model);
	const choice = whole.choices[0];
	const base = { id: whole.id, object: 'chat.completion.chunk', created: whole.created, model };
	const delta =
		'content' in turn
			? { role: 'assistant', content: turn.content }
			: {
					role: 'assistant',
					content: null,
					tool_calls: (choice.message as { tool_calls: object[] }).tool_calls.map(
						(call, index) => ({ index, ...call }),
					),
				};
	return [
		{ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: null }] },
		{
			...base,
			choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: choice.finish_reason }],
		},
		{ ...base, choices: [], usage: whole.usage },
	];
}

async function readBody(request: IncomingMessage): Promise<string> {
	const parts: Buffer[] = [];
	for await (const part of request) parts.push(part as Buffer);
	return Buffer.concat(parts).toString('utf8');
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
	const text = JSON.stringify(body);
	response.writeHead(status, {
		'content-type': 'application/json',
		'content-length': Buffer.byteLength(text),
	});
	response.end(text);
}

export async function startScriptedModel(): Promise<ScriptedModel> {
	let steps: ModelStep[] = [];
	const requests: ModelRequest[] = [];

	const handle = async (request: IncomingMessage, response: ServerResponse) => {
		const path = (request.url ?? '').split('?')[0];
		const text = await readBody(request);
		const record: ModelRequest = {
			method: request.method ?? '',
			path,
			authorization: request.headers.authorization,
			body: text ? JSON.parse(text) : {},
		};
		requests.push(record);
		if (request.method === 'GET' && path === '/v1/models') {
			sendJson(response, 200, { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model' }] });
			return;
		}
		if (request.method !== 'POST' || path !== '/v1/chat/completions') {
			sendJson(response, 404, { error: { message: `no route ${request.method} ${path}` } });
			return;
		}
		const conversation = conversationOf(record.body);
		record.step = conversation.step;
		let turn: ModelTurn;
		try {
			const step = steps[conversation.step];
			if (!step) throw new Error(`the script has no step ${conversation.step}`);
			turn = step(conversation);
			if ('toolCalls' in turn) {
				for (const call of turn.toolCalls) {
					if (!conversation.toolNames.includes(call.name))
						throw new Error(
							`no tool "${call.name}" offered; offered: ${conversation.toolNames.join(', ')}`,
						);
				}
			}
		} catch (error) {
			record.error = (error as Error).message;
			// 400: the client does not retry it, so a script mistake fails the run at once.
			sendJson(response, 400, { error: { message: record.error, type: 'invalid_request_error' } });
			return;
		}
		const model = String(record.body.model ?? 'gpt-4o-mini');
		if (record.body.stream) {
			response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
			for (const chunk of chunks(turn, model)) response.write(`data: ${JSON.stringify(chunk)}\n\n`);
			response.end('data: [DONE]\n\n');
			return;
		}
		sendJson(response, 200, completion(turn, model));
	};

	const server: Server = createServer((request, response) => {
		handle(request, response).catch((error) =>
			sendJson(response, 500, { error: { message: (error as Error).message } }),
		);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;

	return {
		baseUrl: `http://127.0.0.1:${port}/v1`,
		requests,
		useScript(next) {
			steps = next;
			requests.length = 0;
		},
		toolAnswers() {
			const chats = requests.filter((r) => r.path === '/v1/chat/completions');
			const last = chats[chats.length - 1];
			return last ? conversationOf(last.body).toolAnswers : [];
		},
		async close() {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
