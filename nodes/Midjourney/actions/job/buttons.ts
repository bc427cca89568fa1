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
