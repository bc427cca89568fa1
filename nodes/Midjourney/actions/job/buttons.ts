import type { IExecuteFunctions } from 'n8n-workflow';

import { invalidInput } from '../../helpers/validation';
import { getJob } from '../../transport/jobs';

/** The buttons of Midjourney jobs: what Press Button checks and what the editor offers. */

export const VARY_REGION = 'Vary (Region)';
export const CUSTOM_ZOOM = 'Custom Zoom';
/**
 * Buttons that take a prompt when Remix mode is on; Custom Zoom always needs one
 * (https://useapi.net/docs/api-midjourney-v3/post-midjourney-jobs-button).
 */
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

/** Every button the API documents, offered while the Job ID is an expression that only a run can resolve. */
export const ALL_BUTTONS = [
	'U1',
	'U2',
	'U3',
	'U4',
	'V1',
	'V2',
	'V3',
	'V4',
	'🔄',
	'Vary (Subtle)',
	'Vary (Strong)',
	'Vary (Region)',
	'Make Variations',
	'Remaster',
	'Make Square',
	'Zoom Out 2x',
	'Zoom Out 1.5x',
	'Custom Zoom',
	'⬅️',
	'➡️',
	'⬆️',
	'⬇️',
	'Upscale (2x)',
	'Upscale (4x)',
	'Upscale (Subtle)',
	'Upscale (Creative)',
	'Redo Upscale (2x)',
	'Redo Upscale (4x)',
	'Redo Upscale (Subtle)',
	'Redo Upscale (Creative)',
	'Animate (Low motion)',
	'Animate (High motion)',
	'Extend (Low motion)',
	'Extend (High motion)',
];

export const BUTTON_HINTS: Record<string, string> = {
	U1: 'Upscale image 1 (runs once per job)',
	U2: 'Upscale image 2 (runs once per job)',
	U3: 'Upscale image 3 (runs once per job)',
	U4: 'Upscale image 4 (runs once per job)',
	V1: 'Variations of image 1',
	V2: 'Variations of image 2',
	V3: 'Variations of image 3',
	V4: 'Variations of image 4',
	'🔄': 'Reroll: run the prompt again',
	'⬅️': 'Pan left',
	'➡️': 'Pan right',
	'⬆️': 'Pan up',
	'⬇️': 'Pan down',
	'Vary (Region)': 'Needs a mask',
	'Custom Zoom': 'Needs a prompt',
};

/*
 * The Button field as a list of button labels, whatever filled it: the editor's dropdown (an
 * array), an expression ("U1" or "U1, U2"), or a model through $fromAI, which also writes "u1",
 * a JSON array ('["U1", "U2"]') or a label in quotes.
 */

/** Quotes a model sometimes leaves around a label: "U1", 'U1', `U1`. */
const QUOTES = /^["'`]+|["'`]+$/g;

/** The raw entries of the field: an array as it is, a JSON array parsed, other text split on commas. */
function entriesOf(value: unknown): unknown[] {
	if (Array.isArray(value)) return value;
	if (typeof value !== 'string') return [];
	const text = value.trim();
	if (text.startsWith('[')) {
		try {
			const parsed: unknown = JSON.parse(text);
			if (Array.isArray(parsed)) return parsed;
		} catch {
			// Not JSON after all ("[U1, U2]"): read as a list below.
			return text.replace(/^\[|\]$/g, '').split(',');
		}
	}
	// No documented label contains a comma, so a comma always separates two of them.
	return text.split(',');
}

/**
 * The label as the API spells it when it is a documented one written in another case ("u1" → "U1",
 * "vary (strong)" → "Vary (Strong)"); any other text is kept as written, for the API (or the job's
 * own list of buttons) to judge.
 */
export function canonicalButton(name: string, known: readonly string[] = ALL_BUTTONS): string {
	const lower = name.toLowerCase();
	return known.find((label) => label.toLowerCase() === lower) ?? name;
}

/** The buttons named by the field, in order, each once. */
export function parseButtonNames(value: unknown): string[] {
	const names = entriesOf(value)
		.map((entry) => (typeof entry === 'string' || typeof entry === 'number' ? String(entry) : ''))
		.map((entry) => entry.trim().replace(QUOTES, '').trim())
		.filter(Boolean)
		.map((entry) => canonicalButton(entry));
	return [...new Set(names)];
}

/**
 * Before buttons are pressed, every name is checked against the buttons the parent job offers
 * (one GET), matched whatever their case. Each press is a paid job, so a bad third name fails the
 * item before the first press, not after two children that would appear nowhere in the output;
 * and a model, which names buttons from an earlier answer, is answered with the job's own buttons
 * so that its next call can pick a valid one (the error's message is all n8n passes to it). Used
 * for several buttons, and for any press by an AI Agent's tool: a single name is otherwise refused
 * by useapi.net before anything is created.
 */
export async function checkButtonsOfParent(
	ctx: IExecuteFunctions,
	itemIndex: number,
	jobId: string,
	buttons: string[],
): Promise<string[]> {
	const job = await getJob(ctx, jobId, { itemIndex });
	const available = job.response?.buttons ?? [];
	if (job.status !== 'completed') {
		throw invalidInput(
			ctx.getNode(),
			itemIndex,
			`Job ${jobId} is ${job.status}: buttons can be pressed only on a completed job${job.status === 'failed' || job.status === 'moderated' ? '' : '; get the job again once it has completed'}`,
		);
	}
	const pressed = buttons.map((button) => canonicalButton(button, available));
	const unknown = pressed.filter((button) => !available.includes(button));
	if (unknown.length) {
		throw invalidInput(
			ctx.getNode(),
			itemIndex,
			`${unknown.map((button) => `"${button}"`).join(', ')} ${unknown.length === 1 ? 'is not a button' : 'are not buttons'} of job ${jobId}. Valid buttons: ${available.length ? available.join(', ') : 'none'}`,
		);
	}
	return pressed;
}
