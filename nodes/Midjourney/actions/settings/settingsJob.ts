import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { readJobSettings, submitAndWait } from '../../engine/jobOperation';
import type { JobRun } from '../../engine/jobRun';
import { pairedItems } from '../../engine/output/items';
import type { Job } from '../../transport/types';
import { channelField, jobWaitFields } from '../common.descriptions';

/** The settings commands: each is `POST /v3/midjourney/jobs/<verb>`, a job with no fields of its own. */
export type SettingsVerb =
	'settings' | 'info' | 'fast' | 'relax' | 'turbo' | 'remix' | 'variability';

/** Job options that mean nothing for a settings job: it has no media, no simplified form, and its items run one by one (no scheduler, so no stuck-job watch). */
const MEDIA_AND_PARALLEL_OPTIONS = [
	'agentAnswer',
	'binaryPropertyName',
	'cancelStuckAfter',
	'download',
	'maxParallelJobs',
	'simplify',
];

const settingsChannelField: INodeProperties = {
	...channelField,
	description:
		'The Midjourney account (its Discord channel) to run the command on. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	hint: 'Required when more than one account is configured in useapi.net; with a single account it can stay on "Any Channel"',
};

const properties: INodeProperties[] = [
	settingsChannelField,
	...jobWaitFields.map((field) =>
		field.name === 'options'
			? {
					...field,
					options: field.options?.filter(
						(option) => !MEDIA_AND_PARALLEL_OPTIONS.includes(option.name),
					),
				}
			: field,
	),
];

/** The account's Discord channel: named in the request, else in Midjourney's reply, else in the job ID (`-c<channel>-`). */
function channelOf(job: Job): string | undefined {
	const candidates = [
		job.request?.channel,
		job.response?.channel_id,
		/-c(\d+)-/.exec(job.jobid)?.[1],
	];
	return candidates.find((value): value is string => typeof value === 'string' && value !== '');
}

function camelCase(label: string): string {
	const words = label
		.replace(/[^A-Za-z0-9]+/g, ' ')
		.trim()
		.toLowerCase()
		.split(' ');
	return words
		.map((word, index) => (index === 0 ? word : word.charAt(0).toUpperCase() + word.slice(1)))
		.join('');
}

/** The /info answer's `**Label**: value` lines as fields: "**Fast Time Remaining**: 9.34/15.0 hours" → fastTimeRemaining. */
export function parseInfo(content: string): IDataObject {
	const info: IDataObject = {};
	for (const match of content.matchAll(/^\*\*([^*]+)\*\*:\s*(.*)$/gm)) {
		info[camelCase(match[1])] = match[2].trim();
	}
	return info;
}

/** A completed settings job as the user wants it: the parsed settings first, then where they came from. */
function settingsOutput(job: Job, verb: SettingsVerb): IDataObject {
	const response = job.response ?? {};
	const output: IDataObject = { ...(response.settings ?? {}), jobid: job.jobid };
	const channel = channelOf(job);
	if (channel) output.channel = channel;
	if (verb === 'info' && response.content) output.info = parseInfo(response.content);
	if (response.content) output.content = response.content;
	return output;
}

/**
 * One settings operation: its fields, and an execute that submits the job, waits as the user chose,
 * and outputs the settings Midjourney reported (the created job with "Don't Wait").
 */
export function settingsOperation(verb: SettingsVerb) {
	const finishedJob = (job: Job): Job =>
		job.status === 'completed' ? (settingsOutput(job, verb) as Job) : job;
	return {
		description: updateDisplayOptions(
			{ show: { resource: ['settings'], operation: [verb] } },
			properties,
		),
		/** The item's wait and routing settings, checked before any request (engine/preflight.ts). */
		readInputs(this: IExecuteFunctions, itemIndex: number): void {
			readJobSettings(this, itemIndex);
		},
		async execute(
			this: IExecuteFunctions,
			itemIndex: number,
			run: JobRun,
		): Promise<INodeExecutionData[]> {
			const job = await submitAndWait(run, itemIndex, verb, { fields: {} });
			return pairedItems(this, itemIndex, finishedJob(job));
		},
		finishedJob,
	};
}
