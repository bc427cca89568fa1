import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { readJobSettings, submitAndWait } from '../../engine/jobOperation';
import type { JobRun } from '../../engine/jobRun';
import { jobOutputItems } from '../../engine/output/jobOutput';
import {
	PROMPT_MAX_LENGTH,
	readJobId,
	readOutputOptions,
	readWaitMode,
} from '../../engine/itemParameters';
import { checkMaxLength, invalidInput } from '../../helpers/validation';
import type { Job } from '../../transport/types';
import { jobIdField, jobWaitFields } from '../common.descriptions';
import { isToolExecution } from '../../engine/toolMode';
import {
	checkButtonsOfParent,
	CUSTOM_ZOOM,
	parseButtonNames,
	PROMPT_BUTTONS,
	VARY_REGION,
} from './buttons';

const properties: INodeProperties[] = [
	jobIdField,
	{
		displayName: 'Button Names or IDs',
		name: 'button',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getButtons', loadOptionsDependsOn: ['jobId'] },
		default: [],
		required: true,
		description:
			'Buttons of the job to press, as the job lists them in "buttons": U1–U4 upscale one image of the grid, V1–V4 make variations of it, 🔄 reruns the prompt. Each press makes one child job and one output item. An expression may give "U1", "u1", "U1, U2" or ["U1", "U2"]. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		hint: 'U1–U4 run once per job: pressing one again returns the child job made the first time',
	},
	{
		displayName: 'Mask',
		name: 'mask',
		type: 'string',
		default: '',
		// Not `required`: n8n would then refuse to activate a workflow whose Button is an expression.
		// The operation checks it when Vary (Region) is pressed.
		description:
			'Required for Vary (Region). Region to vary, as made by the useapi.net Vary Region mask editor (base64 PNG).',
		displayOptions: { show: { button: [VARY_REGION] } },
	},
	{
		displayName: 'Prompt',
		name: 'buttonPrompt',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		description:
			'Required for Custom Zoom (e.g. "a cat --zoom 1.5"). With Remix mode on, variation, pan and reroll buttons use it instead of the original prompt.',
		displayOptions: { show: { button: PROMPT_BUTTONS } },
	},
	...jobWaitFields,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['job'], operation: ['button'] } },
	properties,
);

/** The Button field as a list, from the dropdown, an expression or a model (see parseButtonNames). */
function readButtons(ctx: IExecuteFunctions, itemIndex: number): string[] {
	return parseButtonNames(ctx.getNodeParameter('button', itemIndex, []));
}

/** What one item presses: checked as written, before any request (see engine/preflight.ts). */
interface ButtonPresses {
	jobId: string;
	buttons: string[];
	mask: string;
	prompt: string;
}

export function readInputs(this: IExecuteFunctions, itemIndex: number): ButtonPresses {
	readJobSettings(this, itemIndex);
	const node = this.getNode();
	const jobId = readJobId(this, itemIndex);
	const buttons = readButtons(this, itemIndex);
	if (!buttons.length) {
		throw invalidInput(
			node,
			itemIndex,
			'"Button" is empty',
			'Choose at least one button of the job.',
		);
	}
	if (buttons.length > 1 && readWaitMode(this, itemIndex) === 'callback') {
		throw invalidInput(
			node,
			itemIndex,
			`Wait for Result: Callback presses one button per run, got ${buttons.length}`,
			'Choose Stream or Poll to press several buttons in one step.',
		);
	}
	const mask = buttons.includes(VARY_REGION)
		? (this.getNodeParameter('mask', itemIndex, '') as string).trim()
		: '';
	if (buttons.includes(VARY_REGION) && !mask) {
		throw invalidInput(node, itemIndex, '"Mask" is required for the Vary (Region) button');
	}
	const prompt = buttons.some((button) => PROMPT_BUTTONS.includes(button))
		? (this.getNodeParameter('buttonPrompt', itemIndex, '') as string).trim()
		: '';
	if (buttons.includes(CUSTOM_ZOOM) && !prompt) {
		throw invalidInput(
			node,
			itemIndex,
			'"Prompt" is required for the Custom Zoom button',
			'For example: a cat --zoom 1.5',
		);
	}
	checkMaxLength(node, itemIndex, 'Prompt', prompt, PROMPT_MAX_LENGTH);
	return { jobId, buttons, mask, prompt };
}

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	run: JobRun,
): Promise<INodeExecutionData[]> {
	const { jobId, mask, prompt, ...presses } = readInputs.call(this, itemIndex);
	// Several presses, or a model's: every name is checked against the parent job before the first.
	const buttons =
		presses.buttons.length > 1 || isToolExecution(this)
			? await checkButtonsOfParent(this, itemIndex, jobId, presses.buttons)
			: presses.buttons;

	const children: Job[] = [];
	for (const button of buttons) {
		const fields: Record<string, string> = { jobId, button };
		if (button === VARY_REGION) fields.mask = mask;
		if (prompt && PROMPT_BUTTONS.includes(button)) fields.prompt = prompt;
		children.push(await submitAndWait(run, itemIndex, 'button', { fields }));
	}
	return await jobOutputItems(run, itemIndex, children, readOutputOptions(this, itemIndex));
}

/** Items run in parallel up to the account's free capacity (see engine/jobRun.ts). */
export const createsJobs = true;
