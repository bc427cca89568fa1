import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { PROMPT_MAX_LENGTH, readJobId } from '../../helpers/jobParameters';
import { jobOutputItems, readOutputOptions } from '../../helpers/output/jobOutput';
import { checkButtonsOfParent } from '../../helpers/buttonNames';
import { submitAndWait } from '../../helpers/jobOperation';
import { checkMaxLength, invalidInput } from '../../helpers/validation';
import type { Job } from '../../transport/types';
import { jobIdField, jobWaitFields } from '../common.descriptions';

export const VARY_REGION = 'Vary (Region)';
export const CUSTOM_ZOOM = 'Custom Zoom';
/** Buttons that take a prompt when Remix mode is on (api-docs button page); Custom Zoom always needs one. */
export const PROMPT_BUTTONS = [
	CUSTOM_ZOOM,
	'V1',
	'V2',
	'V3',
	'V4',
	VARY_REGION,
	'Vary (Strong)',
	'Vary (Subtle)',
	'⬅️',
	'➡️',
	'⬆️',
	'⬇️',
	'🔄',
];

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
			'Buttons of the job to press; each press makes one child job and one output item. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
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

/** The Button field as a list, whether it came from the dropdown or from an expression ("U1" or "U1, U2"). */
function readButtons(ctx: IExecuteFunctions, itemIndex: number): string[] {
	const value = ctx.getNodeParameter('button', itemIndex, []) as unknown;
	const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
	return list.map((button) => String(button).trim()).filter(Boolean);
}

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
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
	if (buttons.length > 1 && this.getNodeParameter('waitFor', itemIndex, 'stream') === 'callback') {
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
	await checkButtonsOfParent(this, itemIndex, jobId, buttons);

	const children: Job[] = [];
	for (const button of buttons) {
		const fields: Record<string, string> = { jobId, button };
		if (button === VARY_REGION) fields.mask = mask;
		if (prompt && PROMPT_BUTTONS.includes(button)) fields.prompt = prompt;
		children.push(await submitAndWait(this, itemIndex, 'button', { fields }));
	}
	return await jobOutputItems(this, itemIndex, children, readOutputOptions(this, itemIndex));
}

/** Items run in parallel up to the account's free capacity (see the router). */
export const createsJobs = true;
