import { mkdirSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';

import {
	ExecuteContext,
	ExecutionLifecycleHooks,
	ExternalSecretsProxy,
	WorkflowExecute,
} from 'n8n-core';
import {
	ICredentialsHelper,
	NodeConnectionTypes,
	Workflow,
	createRunExecutionData,
	type ICredentialDataDecryptedObject,
	type ICredentials,
	type IDataObject,
	type IExecuteData,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IWorkflowExecuteAdditionalData,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { UseApiNetApi } from '../../credentials/UseApiNetApi.credentials';
import { Midjourney } from '../../nodes/Midjourney/Midjourney.node';

/**
 * The unit tier's execution context: n8n-core itself (pinned to the n8n version under test), not an
 * imitation. The node's `execute()` runs inside n8n-core's WorkflowExecute, and its requests go
 * through n8n-core's httpRequestWithAuthentication (axios, the execution's cancel signal, the
 * credential's `authenticate` block). What n8n's server adds around that (the database, the
 * credential store, the UI push) is replaced by the few pieces below:
 * - a credentials helper holding one useapi.net credential in memory, applying its generic
 *   `authenticate` block the way n8n's CredentialsHelper does (expressions resolved with `$credentials`);
 * - a node-type lookup with the Midjourney node and a source node that emits the test's input items;
 * - additionalData with lifecycle hooks.
 * n8n-core's InstanceSettings reads (and on first use writes) <N8N_USER_FOLDER>/.n8n/config, so it
 * is pointed at a folder under the system's temp directory, never the user's ~/.n8n.
 */

if (!process.env.N8N_USER_FOLDER) {
	process.env.N8N_USER_FOLDER = path.join(tmpdir(), 'n8n-nodes-useapi-midjourney-unit');
	mkdirSync(process.env.N8N_USER_FOLDER, { recursive: true });
}
// Node errors are the tests' to assert, not n8n's logger's to print.
process.env.N8N_LOG_LEVEL ??= 'silent';

export const MIDJOURNEY_NODE_TYPE = 'n8n-nodes-useapi-midjourney.midjourney';
const ITEMS_NODE_TYPE = 'unit-test.items';
const ITEMS_NODE_NAME = 'Input Items';
const MIDJOURNEY_NODE_NAME = 'Midjourney';

export interface UseApiCredential {
	baseUrl: string;
	token: string;
}

/** Emits the items of its `items` parameter: the input of the node under test, as a trigger would. */
class InputItems implements INodeType {
	description: INodeType['description'] = {
		displayName: 'Input Items',
		name: 'items',
		group: ['input'],
		version: 1,
		description: 'The test input',
		defaults: { name: ITEMS_NODE_NAME },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = JSON.parse(this.getNodeParameter('items', 0) as string) as IDataObject[];
		return [items.map((json) => ({ json }))];
	}
}

const nodeTypes: INodeTypes = (() => {
	const types: Record<string, INodeType> = {
		[MIDJOURNEY_NODE_TYPE]: new Midjourney(),
		[ITEMS_NODE_TYPE]: new InputItems(),
	};
	const byName = (name: string) => {
		const type = types[name];
		if (!type) throw new Error(`unknown node type ${name}`);
		return type;
	};
	return {
		getByName: byName,
		getByNameAndVersion: (name) => byName(name),
		getKnownTypes: () => ({}),
	};
})();

const credentialType = new UseApiNetApi();

/** One useapi.net credential kept in memory; everything else n8n's CredentialsHelper does is not needed here. */
class CredentialsHelper extends ICredentialsHelper {
	constructor(private readonly credential: UseApiCredential) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	/** As n8n's CredentialsHelper applies a generic `authenticate` block: each value an expression over `$credentials`. */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow: Workflow,
		node: INode,
	): Promise<IHttpRequestOptions> {
		if (typeName !== credentialType.name) throw new Error(`unexpected credential type ${typeName}`);
		const { authenticate } = credentialType;
		const resolve = (value: string) =>
			value.startsWith('=')
				? String(
						workflow.expression.getSimpleParameterValue(
							node,
							value,
							'internal',
							{ $credentials: credentials },
							undefined,
							'',
						),
					)
				: value;
		for (const [where, entries] of Object.entries(authenticate.properties) as Array<
			[keyof IHttpRequestOptions, IDataObject]
		>) {
			const target = ((requestOptions as unknown as Record<string, IDataObject>)[where] ??= {});
			for (const [key, value] of Object.entries(entries))
				target[resolve(key)] = resolve(String(value));
		}
		return requestOptions;
	}

	async preAuthentication(): Promise<undefined> {
		return undefined;
	}

	async runPreAuthentication(): Promise<undefined> {
		return undefined;
	}

	async getCredentials(): Promise<ICredentials> {
		throw new Error('not used: getDecrypted answers');
	}

	async getDecrypted(): Promise<ICredentialDataDecryptedObject> {
		return { apiToken: this.credential.token, baseUrl: this.credential.baseUrl };
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties() {
		return credentialType.properties;
	}
}

function additionalDataFor(
	credential: UseApiCredential,
	hooks?: ExecutionLifecycleHooks,
): IWorkflowExecuteAdditionalData {
	// Sub-workflows, Code-node runners and runtime credentials: nothing the Midjourney node calls.
	const unused = async (): Promise<never> => {
		throw new Error('not available in unit tests');
	};
	return {
		credentialsHelper: new CredentialsHelper(credential),
		hooks,
		executionId: 'unit-execution',
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		formBaseUrl: 'http://127.0.0.1:5678/form',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		formTestBaseUrl: 'http://127.0.0.1:5678/form-test',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		mcpBaseUrl: 'http://127.0.0.1:5678/mcp',
		mcpTestBaseUrl: 'http://127.0.0.1:5678/mcp-test',
		variables: {},
		executeWorkflow: unused,
		getRunExecutionData: unused,
		getRuntimeCredential: unused,
		startRunnerTask: unused,
		externalSecretsProxy: new ExternalSecretsProxy(),
		logAiEvent: () => {},
	};
}

interface WorkflowOptions {
	credential: UseApiCredential;
	/** The Midjourney node's parameters as the editor saves them; unset ones take their defaults. */
	parameters: INodeParameters;
	items?: IDataObject[];
	/** The node's Settings → On Error: Continue (`onError: continueRegularOutput`), which makes continueOnFail() true. */
	continueOnFail?: boolean;
}

function workflowOf(options: WorkflowOptions): Workflow {
	const nodes: INode[] = [
		{
			id: 'items',
			name: ITEMS_NODE_NAME,
			type: ITEMS_NODE_TYPE,
			typeVersion: 1,
			position: [0, 0],
			parameters: { items: JSON.stringify(options.items ?? [{}]) },
		},
		{
			id: 'midjourney',
			name: MIDJOURNEY_NODE_NAME,
			type: MIDJOURNEY_NODE_TYPE,
			typeVersion: 1,
			position: [200, 0],
			parameters: options.parameters,
			credentials: { useApiNetApi: { id: 'unit-credential', name: 'useapi.net' } },
			...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
		},
	];
	return new Workflow({
		id: 'unit-workflow',
		name: 'unit test',
		nodes,
		connections: {
			[ITEMS_NODE_NAME]: {
				main: [[{ node: MIDJOURNEY_NODE_NAME, type: NodeConnectionTypes.Main, index: 0 }]],
			},
		},
		active: false,
		nodeTypes,
		settings: { executionOrder: 'v1' },
	});
}

export interface NodeRun {
	/** The Midjourney node's first output, as the next node would receive it. */
	items: INodeExecutionData[];
	/** The error that failed the execution, if one did (as n8n shows it on the node). */
	error?: IRun['data']['resultData']['error'];
	run: IRun;
}

/**
 * Runs Input Items → Midjourney through n8n-core's WorkflowExecute, as n8n runs a manual execution.
 * `stop` aborting is the user pressing Stop: the running execution is cancelled as n8n's
 * ActiveExecutions does, which aborts the execution's cancel signal the node listens to.
 */
export async function runMidjourney(
	options: WorkflowOptions & { stop?: AbortSignal },
): Promise<NodeRun> {
	const workflow = workflowOf(options);
	const mode: WorkflowExecuteMode = 'manual';
	const hooks = new ExecutionLifecycleHooks(mode, 'unit-execution', {
		id: workflow.id,
		name: workflow.name ?? '',
		active: false,
		activeVersionId: null,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
		nodes: Object.values(workflow.nodes),
		connections: workflow.connectionsBySourceNode,
		settings: workflow.settings,
	});
	const execution = new WorkflowExecute(additionalDataFor(options.credential, hooks), mode).run({
		workflow,
		startNode: workflow.getNode(ITEMS_NODE_NAME) ?? undefined,
	});
	options.stop?.addEventListener('abort', () => execution.cancel(), { once: true });
	const run = await execution;
	const output = run.data.resultData.runData[MIDJOURNEY_NODE_NAME]?.[0]?.data?.main?.[0] ?? [];
	return { items: output, error: run.data.resultData.error, run };
}

/**
 * A bare n8n-core ExecuteContext of the Midjourney node, for tests that call the transport or the
 * wait loop (runJob, apiRequest) directly. `cancelSignal` is the execution's cancel signal: aborting
 * it is the user stopping the execution.
 */
export function executeContext(options: {
	credential: UseApiCredential;
	parameters?: INodeParameters;
	items?: IDataObject[];
	cancelSignal?: AbortSignal;
}): IExecuteFunctions {
	const workflow = workflowOf({
		credential: options.credential,
		parameters: options.parameters ?? {},
		items: options.items,
	});
	const node = workflow.getNode(MIDJOURNEY_NODE_NAME) as INode;
	const items: INodeExecutionData[] = (options.items ?? [{}]).map((json, index) => ({
		json,
		pairedItem: { item: index },
	}));
	const inputData = { main: [items] };
	const executeData: IExecuteData = {
		node,
		data: inputData,
		source: { main: [{ previousNode: ITEMS_NODE_NAME }] },
	};
	const runExecutionData = createRunExecutionData({
		executionData: { nodeExecutionStack: [executeData] },
	});
	return new ExecuteContext(
		workflow,
		node,
		additionalDataFor(options.credential),
		'manual',
		runExecutionData,
		0,
		items,
		inputData,
		executeData,
		[],
		// n8n always hands a node the execution's cancel signal (WorkflowExecute's AbortController).
		options.cancelSignal ?? new AbortController().signal,
	);
}
