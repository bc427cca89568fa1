/**
 * What Midjourney's Discord messages look like inside `job.response`: message text, button rows
 * (components), attachments, imageUx/videoUx, describe prompts, settings panels. Shapes follow the
 * SSE transcripts printed on the v3 pages; ids and names are invented but stable.
 */
import { createHash, randomInt } from 'crypto';

import type { ChannelSettings, MediaUx } from './types';

export const USER_ID = '9876543210123456789';
export const USERNAME = 'emulator_user';
export const BOT_ID = '936929561302675456';

export const GRID_BUTTONS = ['U1', 'U2', 'U3', 'U4', '🔄', 'V1', 'V2', 'V3', 'V4'];
/** The button page's U2 transcript lists exactly these for an upscaled image. */
export const UPSCALE_BUTTONS = [
	'Upscale (Subtle)',
	'Upscale (Creative)',
	'Vary (Subtle)',
	'Vary (Strong)',
	'Vary (Region)',
	'Zoom Out 2x',
	'Zoom Out 1.5x',
	'Custom Zoom',
	'⬅️',
	'➡️',
	'⬆️',
	'⬇️',
	'Animate (High motion)',
	'Animate (Low motion)',
];
/** After Upscale (Subtle|Creative) Midjourney offers to redo the upscale instead. */
export const UPSCALED_BUTTONS = [
	'Redo Upscale (Subtle)',
	'Redo Upscale (Creative)',
	...UPSCALE_BUTTONS.slice(2),
];
export const VIDEO_GRID_BUTTONS = ['U1', 'U2', 'U3', 'U4', '🔄'];
export const VIDEO_SINGLE_BUTTONS = ['Extend (High motion)', 'Extend (Low motion)'];

/** Buttons whose label is an emoji are sent by Discord as `emoji: { name }` without a label. */
const EMOJI_BUTTONS = new Set(['🔄', '⬅️', '➡️', '⬆️', '⬇️']);

/** Every button label of the job model, for validating `button`. */
export const ALL_BUTTONS = new Set([
	'U1',
	'U2',
	'U3',
	'U4',
	'V1',
	'V2',
	'V3',
	'V4',
	'⬅️',
	'➡️',
	'⬆️',
	'⬇️',
	'Vary (Region)',
	'Vary (Strong)',
	'Vary (Subtle)',
	'Zoom Out 1.5x',
	'Zoom Out 2x',
	'Upscale (2x)',
	'Upscale (4x)',
	'Upscale (Subtle)',
	'Upscale (Creative)',
	'Redo Upscale (2x)',
	'Redo Upscale (4x)',
	'Redo Upscale (Subtle)',
	'Redo Upscale (Creative)',
	'Make Square',
	'Make Variations',
	'Remaster',
	'Custom Zoom',
	'🔄',
	'Animate (Low motion)',
	'Animate (High motion)',
	'Extend (Low motion)',
	'Extend (High motion)',
]);

/** With Remix mode on, these accept a new `prompt` (button page). */
export const REMIX_BUTTONS = new Set([
	'V1',
	'V2',
	'V3',
	'V4',
	'Vary (Region)',
	'Vary (Strong)',
	'Vary (Subtle)',
	'⬅️',
	'➡️',
	'⬆️',
	'⬇️',
	'🔄',
]);

export function snowflake(): string {
	return `14${String(randomInt(10 ** 8)).padStart(8, '0')}${String(randomInt(10 ** 9)).padStart(9, '0')}`;
}

export function slug(prompt: string): string {
	return (
		prompt
			.replace(/--\S+(\s+[^-\s]\S*)?/g, ' ')
			.toLowerCase()
			.replace(/[^a-z0-9]+/g, '_')
			.replace(/^_+|_+$/g, '')
			.slice(0, 40) || 'None'
	);
}

/** The parameters Midjourney appends to the echoed prompt, from the channel's suffix ("--v 7" shows as "--v 7.0"). */
export function displaySuffix(settings: ChannelSettings, prompt: string): string {
	const parts: string[] = [];
	if (!/--(v|version|niji)\b/.test(prompt)) {
		if (settings.version.startsWith('niji')) parts.push(`--${settings.version}`);
		else if (settings.version !== 'default')
			parts.push(
				`--v ${settings.version.includes('.') ? settings.version : `${settings.version}.0`}`,
			);
	}
	if (settings.raw && !/--style\s+raw/.test(prompt)) parts.push('--style raw');
	if (!/--(s|stylize)\b/.test(prompt)) parts.push(`--s ${settings.stylize}`);
	return parts.join(' ');
}

export function speedLabel(settings: ChannelSettings): string {
	if (settings.turbo) return 'turbo';
	if (settings.relax) return 'relaxed';
	return 'fast';
}

export function customIdFor(label: string, uuid: string, index = 0): string {
	const map: Record<string, string> = {
		'🔄': `MJ::JOB::reroll::0::${uuid}::SOLO`,
		'Vary (Subtle)': `MJ::JOB::low_variation::1::${uuid}::SOLO`,
		'Vary (Strong)': `MJ::JOB::high_variation::1::${uuid}::SOLO`,
		'Vary (Region)': `MJ::Inpaint::1::${uuid}::SOLO`,
		'Zoom Out 2x': `MJ::Outpaint::50::1::${uuid}::SOLO`,
		'Zoom Out 1.5x': `MJ::Outpaint::75::1::${uuid}::SOLO`,
		'Custom Zoom': `MJ::CustomZoom::${uuid}`,
		'⬅️': `MJ::JOB::pan_left::1::${uuid}::SOLO`,
		'➡️': `MJ::JOB::pan_right::1::${uuid}::SOLO`,
		'⬆️': `MJ::JOB::pan_up::1::${uuid}::SOLO`,
		'⬇️': `MJ::JOB::pan_down::1::${uuid}::SOLO`,
		'Upscale (Subtle)': `MJ::JOB::upsample_v7_2x_subtle::1::${uuid}::SOLO`,
		'Upscale (Creative)': `MJ::JOB::upsample_v7_2x_creative::1::${uuid}::SOLO`,
		'Redo Upscale (Subtle)': `MJ::JOB::upsample_v7_2x_subtle::1::${uuid}::SOLO`,
		'Redo Upscale (Creative)': `MJ::JOB::upsample_v7_2x_creative::1::${uuid}::SOLO`,
		'Animate (High motion)': `MJ::JOB::animate_high::1::${uuid}::SOLO`,
		'Animate (Low motion)': `MJ::JOB::animate_low::1::${uuid}::SOLO`,
		'Extend (High motion)': `MJ::JOB::animate_high_extend::1::${uuid}::SOLO`,
		'Extend (Low motion)': `MJ::JOB::animate_low_extend::1::${uuid}::SOLO`,
	};
	const u = /^U([1-4])$/.exec(label);
	if (u) return `MJ::JOB::upsample::${u[1]}::${uuid}`;
	const v = /^V([1-4])$/.exec(label);
	if (v) return `MJ::JOB::variation::${v[1]}::${uuid}`;
	return (
		map[label] ??
		`MJ::JOB::${label.toLowerCase().replace(/[^a-z0-9]+/g, '_')}::${index}::${uuid}::SOLO`
	);
}

/** Discord action rows (max 5 buttons each) for a list of button labels, plus the web link button. */
export function buttonComponents(labels: string[], uuid: string): unknown[] {
	const rows: Array<{ type: number; id: number; components: unknown[] }> = [];
	let id = 1;
	for (let start = 0; start < labels.length; start += 5) {
		const row = { type: 1, id: id++, components: [] as unknown[] };
		for (const label of labels.slice(start, start + 5)) {
			const button: Record<string, unknown> = {
				type: 2,
				style: 2,
				id: id++,
				custom_id: customIdFor(label, uuid),
			};
			if (EMOJI_BUTTONS.has(label)) button.emoji = { name: label };
			else button.label = label;
			row.components.push(button);
		}
		rows.push(row);
	}
	const last = rows[rows.length - 1];
	const link = {
		type: 2,
		style: 5,
		label: '',
		id: id++,
		url: `https://www.midjourney.com/jobs/${uuid}`,
	};
	if (last && last.components.length < 5) last.components.push(link);
	else rows.push({ type: 1, id: id++, components: [link] });
	return rows;
}

export function discordAttachment(options: {
	channel: string;
	filename: string;
	width: number;
	height: number;
	size: number;
	contentType: string;
}): Record<string, unknown> {
	const id = snowflake();
	const path = `attachments/${options.channel}/${id}/${options.filename}`;
	return {
		id,
		filename: options.filename,
		url: `https://cdn.discordapp.com/${path}`,
		proxy_url: `https://media.discordapp.net/${path}`,
		size: options.size,
		width: options.width,
		height: options.height,
		content_type: options.contentType,
	};
}

/** imageUx: the four grid cells as separate files on Midjourney's CDN (kept .png, which the proxy serves as PNG). */
export function imageUx(uuid: string, count: number, firstIndex = 0): MediaUx[] {
	return Array.from({ length: count }, (_, i) => ({
		id: i + 1,
		url: `https://cdn.midjourney.com/${uuid}/0_${firstIndex + i}.png`,
	}));
}

export function videoUx(uuid: string, count: number, firstIndex = 0): MediaUx[] {
	return Array.from({ length: count }, (_, i) => ({
		id: i + 1,
		url: `https://cdn.midjourney.com/video/${uuid}/${firstIndex + i}.mp4`,
	}));
}

/** A stable 32-bit seed per Midjourney job uuid. */
export function seedOf(uuid: string): number {
	return createHash('sha256').update(`seed:${uuid}`).digest().readUInt32BE(0);
}

const DESCRIBE_STYLES = [
	'in the style of soft pastel illustration, gentle lighting, high detail',
	'cinematic photograph, shallow depth of field, shot on 35mm film, natural colors',
	'minimalist vector art, flat colors, clean lines, centered composition',
	'watercolor painting with loose brush strokes and warm tones, storybook mood',
];

/** Four prompts in the describe page's format: "1️⃣ …\n\n2️⃣ …" (keycap emoji, blank line between). */
export function describePrompts(source: string): string {
	const subjects = [
		'a small red fox',
		'a lighthouse on a cliff',
		'a bowl of ramen',
		'a vintage motorcycle',
		'a cat in a hat',
		'a mountain lake',
	];
	const subject = subjects[createHash('sha256').update(source).digest()[0] % subjects.length];
	const keycaps = ['1️⃣', '2️⃣', '3️⃣', '4️⃣'];
	return DESCRIBE_STYLES.map((style, i) => `${keycaps[i]} ${subject}, ${style} --ar 1:1`).join(
		'\n\n',
	);
}

export function describeComponents(): unknown[] {
	return [
		{
			type: 1,
			id: 1,
			components: [
				...[1, 2, 3, 4].map((n, i) => ({
					type: 2,
					style: 2,
					id: i + 2,
					label: String(n),
					custom_id: `MJ::Job::PicReader::${n}`,
				})),
				{ type: 2, style: 2, id: 6, emoji: { name: '🔄' }, custom_id: 'MJ::Picread::Retry' },
			],
		},
		{
			type: 1,
			id: 7,
			components: [
				{
					type: 2,
					style: 2,
					id: 8,
					label: 'Imagine all',
					emoji: { name: '🎉' },
					custom_id: 'MJ::Job::PicReader::all',
				},
			],
		},
	];
}

/** The /settings panel (settings page transcript): active choices have style 3. */
export function settingsComponents(settings: ChannelSettings): unknown[] {
	const active = (on: boolean) => (on ? 3 : 2);
	const versions: Array<[string, string]> = [
		['default', 'Use the default model (V7)'],
		['7', 'Midjourney Model V7'],
		['6.1', 'Midjourney Model V6.1'],
		['6', 'Midjourney Model V6.0'],
		['niji 6', 'Niji Model V6'],
		['5.2', 'Midjourney Model V5.2'],
	];
	return [
		{
			type: 1,
			id: 1,
			components: [
				{
					type: 3,
					placeholder: 'Select a version',
					options: versions.map(([value, label]) => ({
						value,
						label,
						...(value === settings.version ? { default: true } : {}),
					})),
					min_values: 1,
					max_values: 1,
					id: 2,
					custom_id: 'MJ::Settings::VersionSelector',
				},
			],
		},
		{
			type: 1,
			id: 3,
			components: [
				{
					type: 2,
					style: active(settings.raw),
					label: 'RAW Mode',
					id: 4,
					emoji: { name: '🔧' },
					custom_id: 'MJ::Settings::Style::raw',
				},
				...[
					[50, 'Stylize low'],
					[100, 'Stylize med'],
					[250, 'Stylize high'],
					[750, 'Stylize very high'],
				].map(([value, label], i) => ({
					type: 2,
					style: active(settings.stylize === value),
					label,
					id: 5 + i,
					emoji: { name: '🖌️' },
					custom_id: `MJ::Settings::Stylization::${value}`,
				})),
			],
		},
		{
			type: 1,
			id: 9,
			components: [
				{
					type: 2,
					style: active(settings.personalization),
					label: 'Personalization',
					id: 10,
					emoji: { name: '🙋' },
					custom_id: 'MJ::Settings::PersonalizedStyle',
				},
				{
					type: 2,
					style: 3,
					label: settings.public ? 'Public mode' : 'Stealth mode',
					id: 11,
					emoji: { name: '🧍' },
					custom_id: `MJ::Settings::PrivateMode::${settings.public ? 'off' : 'on'}`,
				},
				{
					type: 2,
					style: active(settings.remix),
					label: 'Remix mode',
					id: 12,
					emoji: { name: '🎛️' },
					custom_id: 'MJ::Settings::RemixMode',
				},
				{
					type: 2,
					style: active(settings.variability),
					label: 'Strong Variation Mode',
					id: 13,
					emoji: { name: '🎨' },
					custom_id: 'MJ::Settings::HighVariabilityMode::1',
				},
				{
					type: 2,
					style: active(!settings.variability),
					label: 'Subtle Variation Mode',
					id: 14,
					emoji: { name: '🎨' },
					custom_id: 'MJ::Settings::HighVariabilityMode::0',
				},
			],
		},
		{
			type: 1,
			id: 15,
			components: [
				{
					type: 2,
					style: active(settings.turbo),
					label: 'Turbo mode',
					id: 16,
					emoji: { name: '⚡' },
					custom_id: 'MJ::Settings::TurboMode',
				},
				{
					type: 2,
					style: active(settings.fast),
					label: 'Fast mode',
					id: 17,
					emoji: { name: '🐇' },
					custom_id: 'MJ::Settings::FastMode',
				},
				{
					type: 2,
					style: active(settings.relax),
					label: 'Relax mode',
					id: 18,
					emoji: { name: '🐢' },
					custom_id: 'MJ::Settings::RelaxMode',
				},
				{
					type: 2,
					style: 2,
					label: 'Reset Settings',
					id: 19,
					custom_id: 'MJ::Settings::ResetSettings',
				},
			],
		},
	];
}

/** The /info text (info page transcript), with the job mode and running jobs of this channel. */
export function infoText(settings: ChannelSettings, runningJobs: number): string {
	const mode = settings.turbo ? 'Turbo' : settings.relax ? 'Relaxed' : 'Fast';
	return [
		'**User ID**: 00000000-0000-4000-8000-emulator0001',
		'**Subscription**: Standard (Active monthly, renews next on )',
		`**Job Mode**: ${mode}`,
		`**Visibility Mode**: ${settings.public ? 'Public' : 'Stealth'}`,
		'**Fast Time Remaining**: 9.34/15.0 hours (62.27%)',
		'**Ranking Count**: 200',
		'**Lifetime Usage**: 970 images',
		'**Fast Usage**: 609 images',
		'**Turbo Usage**: 23 images',
		'**Relaxed Usage**: 338 images',
		'',
		'**Queued Jobs (fast)**: 0',
		'**Queued Jobs (relax)**: 0',
		`**Running Jobs**: ${runningJobs === 0 ? 'None' : runningJobs}`,
	].join('\n');
}

export const COMMAND_TEXT = {
	fast: 'Done! Note that once you exhaust your fast hours, you can purchase more on the website: . To conserve your fast hours, use `/relax` to switch back to relax mode.',
	relax:
		'Done! Your jobs now do not consume fast-hours, but might take a little longer. You can always switch back with `/fast`',
	turbo:
		'**Turbo mode enabled!** Your jobs will cost around 2x more than on `/fast` mode. Note that once you exhaust your fast hours, you can always purchase more on the website: . To conserve your fast hours, use `/relax` to switch back to relax mode.',
	remixOn:
		'Remix mode turned on! Clicking the variation buttons will now give you a chance to edit your prompt! You can always turn this off by running `/prefer remix` again.',
	// Not printed in the docs: the wording mirrors the "on" message.
	remixOff:
		'Remix mode turned off! You can always turn this back on by running `/prefer remix` again.',
	variabilityOn:
		'Strong variability mode turned on! Clicking the variation buttons will now make your variations stronger! You can always turn this off by running `/prefer variability` again.',
	// Not printed in the docs: the wording mirrors the "on" message.
	variabilityOff:
		'Subtle variability mode turned on! Clicking the variation buttons will now make your variations subtle! You can always turn this off by running `/prefer variability` again.',
};

export const MODERATION = {
	error: 'Banned prompt detected',
	details:
		'Sorry! Our AI moderator thinks this prompt is probably against our community standards. Please review our current community guidelines before submitting another job.',
};
