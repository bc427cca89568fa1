import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_MAX_FILE_SIZE_MB, MAX_FILE_SIZE_LIMIT_MB } from '../transport/mediaPolicy';

/**
 * The Options collection of the job operations: every option any of them offers (Get, Legacy and
 * Account → Create or Update take a subset). Read back by engine/itemParameters.ts (JobOptions).
 */
/** Download Media and its Binary Property: the action node's options and the trigger's fields. */
export const downloadMediaField: INodeProperties = {
	displayName: 'Download Media',
	name: 'download',
	type: 'options',
	// DEFAULT_DOWNLOAD of engine/output/jobOutput.ts (the linter wants the literal here)
	default: 'combined',
	description:
		"Whether to attach the images and videos of completed jobs as binary data (shown as pictures in the output panel). The job itself stays in the JSON either way. As an AI Agent's tool the node downloads nothing unless this is set: an agent cannot use binary data.",
	options: [
		{
			name: 'All in One Item',
			value: 'combined',
			description: 'One item per job, its files as data_1, data_2 and so on',
		},
		{
			name: 'One Item per Image or Video',
			value: 'separate',
			description: 'One item per file, each as data; a following step runs once per image',
		},
		{
			name: "Don't Download",
			value: 'none',
			description: 'Only the media URLs in the JSON, for large batches that pass the URLs on',
		},
	],
};

/**
 * The trigger attaches nothing unless asked: it answers useapi.net's call after building its items,
 * and every completed event would download again.
 */
export const triggerDownloadMediaField: INodeProperties = {
	...downloadMediaField,
	default: 'none',
};

export const mediaBinaryPropertyField: INodeProperties = {
	displayName: 'Binary Property',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	description:
		'Name of the binary property for downloaded media. With all media in one item, the properties are numbered data_1, data_2 and so on.',
	displayOptions: { hide: { download: ['none'] } },
};

/** Max File Size (MB): its default and limit are transport/mediaPolicy's, which the downloads enforce. */
export const maxFileSizeField: INodeProperties = {
	displayName: 'Max File Size (MB)',
	name: 'maxFileSizeMb',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: MAX_FILE_SIZE_LIMIT_MB },
	default: DEFAULT_MAX_FILE_SIZE_MB,
	description: `A downloaded image or video larger than this fails its item instead of filling the disk, 1 to ${MAX_FILE_SIZE_LIMIT_MB} MB. The default leaves room for long HD videos.`,
	displayOptions: { hide: { download: ['none'] } },
};

export const jobOptionsField: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Answer to the AI Agent',
			name: 'agentAnswer',
			type: 'options',
			default: 'compact',
			description:
				"Only when the node is an AI Agent's tool: what the agent gets back. Outside an agent the node outputs the job as set above.",
			options: [
				{
					name: 'Compact',
					value: 'compact',
					description:
						'Job ID, status, prompt, picture or video links, the buttons that can be pressed next, and the error of a failed job (a few hundred characters)',
				},
				{
					name: 'Full Job',
					value: 'full',
					description:
						'The job as useapi.net returns it (or simplified, with Simplify Output); several thousand characters the model pays for',
				},
			],
		},
		mediaBinaryPropertyField,
		{
			displayName: 'Busy Retry Delay (Seconds)',
			name: 'busyRetryDelay',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 30 },
			default: 10,
			description:
				'When every channel is busy (HTTP 429), wait this long before the first retry (0 to 30 seconds); later retries wait longer, up to 30 seconds',
		},
		{
			displayName: 'Cancel Stuck Jobs After (Minutes)',
			name: 'cancelStuckAfter',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 14, numberPrecision: 1 },
			// DEFAULT_STUCK_THRESHOLD_MINUTES of engine/stuckJobs.ts (the linter wants the literal here)
			default: 3,
			description:
				"When every slot is busy (HTTP 429), jobs on the channel that have stayed in progress unchanged this long, e.g. left by an n8n worker that stopped while streaming them, are cancelled so this run can use their slots. This run's own jobs and jobs created, started, waiting to start or still changing are never cancelled. 1 to 14 minutes (3 when this option is not added); 0 turns it off.",
		},
		downloadMediaField,
		{
			displayName: 'If the Stream Is Lost',
			name: 'streamLoss',
			type: 'options',
			default: 'resubmit',
			description:
				'A live stream that ends before the job finishes leaves the job stuck on useapi.net for 14 minutes, holding one of your slots. Either way the stuck job is cancelled first.',
			options: [
				{
					name: 'Cancel and Resubmit',
					value: 'resubmit',
					description:
						'Submit the job once more without a stream and poll it; the output names the cancelled job (the job is paid twice)',
				},
				{
					name: 'Cancel and Fail',
					value: 'fail',
					description: "Fail the item with the cancelled job's ID, so nothing is paid twice",
				},
			],
		},
		maxFileSizeField,
		{
			displayName: 'Max Parallel Jobs',
			name: 'maxParallelJobs',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 15 },
			default: 0,
			description:
				'How many items run at once. 0 sizes it to the free capacity of your useapi.net channels (their job limits, less jobs already running); items wait for a free slot.',
		},
		{
			displayName: 'Poll Interval (Seconds)',
			name: 'pollInterval',
			type: 'number',
			typeOptions: { minValue: 0.2, maxValue: 3600 },
			default: 2,
			description:
				"The shortest time between two reads of a job when polling. The reads are scheduled from the job's own progress, so a long job is not read every interval.",
		},
		{
			displayName: 'Reply Level',
			name: 'replyLevel',
			type: 'options',
			default: 'all',
			description: 'Which job events useapi.net posts to the Reply URL',
			options: [
				{ name: 'All', value: 'all', description: 'Every status change, including progress' },
				{ name: 'Standard', value: 'standard', description: 'Created and the final status' },
				{ name: 'Minimal', value: 'minimal', description: 'Only the final status' },
			],
		},
		{
			displayName: 'Reply Ref',
			name: 'replyRef',
			type: 'string',
			default: '',
			description:
				'Your own reference stored with the job and returned with it (for example a row ID), at most 1024 characters',
		},
		{
			displayName: 'Reply URL',
			name: 'replyUrl',
			type: 'string',
			default: '',
			placeholder: 'https://your-n8n/webhook/…',
			description:
				'The address useapi.net posts every job event to, at most 1024 characters. Paste the URL shown by a Midjourney Trigger node to start another workflow when the job finishes.',
		},
		{
			displayName: 'Simplify Output',
			name: 'simplify',
			type: 'boolean',
			default: false,
			description:
				'Whether to output only the job ID, status, prompt, media URLs, buttons and seed instead of the full job object',
		},
	],
};
