import type { INodeProperties } from 'n8n-workflow';

/**
 * Fields shared by every job-creating operation, defined once and spread into each operation's
 * description (their displayOptions are added there by updateDisplayOptions).
 */

export const imaginePromptField: INodeProperties = {
	displayName: 'Prompt',
	name: 'prompt',
	type: 'string',
	typeOptions: { rows: 3 },
	default: '',
	required: true,
	placeholder: 'a cat in a hat --ar 16:9',
	description:
		'The Midjourney /imagine prompt, with any parameters such as --ar or --video. At most 5000 characters.',
};

export const channelField: INodeProperties = {
	displayName: 'Channel Name or ID',
	name: 'channel',
	type: 'options',
	typeOptions: { loadOptionsMethod: 'getChannels' },
	default: '',
	description:
		'Discord channel configured in useapi.net to run the job on. Leave empty to let useapi.net pick a channel with free capacity. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
};

export const waitForField: INodeProperties = {
	displayName: 'Wait for Result',
	name: 'waitFor',
	type: 'options',
	noDataExpression: true,
	default: 'stream',
	options: [
		{
			name: 'Stream (Live Progress)',
			value: 'stream',
			description:
				'Follow the job over a live connection and output the finished job. A quiet stream is fine; if the connection is lost, see "If the Stream Is Lost" in the options.',
		},
		{
			name: 'Poll',
			value: 'poll',
			description:
				'Ask useapi.net for the job until it finishes, as often as its progress suggests',
		},
		{
			name: 'Callback (Execution Sleeps)',
			value: 'callback',
			description:
				'The execution pauses without holding a connection (it survives a restart of n8n) and useapi.net wakes it up when the job ends. One item per run.',
		},
		{
			name: "Don't Wait",
			value: 'none',
			description:
				'Output the job as created, right away. Pair with a Reply URL and the Midjourney Trigger node to react when it finishes.',
		},
	],
};

export const timeLimitField: INodeProperties = {
	displayName: 'Time Limit (Seconds)',
	name: 'timeLimit',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 2147483 },
	default: 900,
	description:
		'How long to wait for the job, 1 to 2147483 seconds (about 24.8 days). Stream and Poll: when it passes, the job is cancelled (so it stops holding one of your account slots) and the item fails. Callback: when it passes, n8n resumes the execution without running this node again: the input item passes through, the item does not fail and the job is not cancelled.',
	displayOptions: { hide: { waitFor: ['none'] } },
};

/** Download Media and its Binary Property: the action node's options and the trigger's fields. */
export const downloadMediaField: INodeProperties = {
	displayName: 'Download Media',
	name: 'download',
	type: 'options',
	// DEFAULT_DOWNLOAD of helpers/jobOutput (the linter wants the literal here)
	default: 'combined',
	description:
		'Whether to attach the images and videos of completed jobs as binary data (shown as pictures in the output panel). The job itself stays in the JSON either way.',
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

/** Max File Size (MB): DEFAULT_MAX_FILE_SIZE_MB and MAX_FILE_SIZE_LIMIT_MB of transport/mediaPolicy. */
export const maxFileSizeField: INodeProperties = {
	displayName: 'Max File Size (MB)',
	name: 'maxFileSizeMb',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 10240 },
	default: 250,
	description:
		'A downloaded image or video larger than this fails its item instead of filling the disk, 1 to 10240 MB. The default leaves room for long HD videos.',
	displayOptions: { hide: { download: ['none'] } },
};

export const jobOptionsField: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
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

/** Everything a job-creating operation adds after its own fields. */
export const jobWaitFields: INodeProperties[] = [waitForField, timeLimitField, jobOptionsField];

export const jobIdField: INodeProperties = {
	displayName: 'Job ID',
	name: 'jobId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'j1024181125701303160i-u12345-c1234567890987654321-bot:midjourney',
	description: 'ID of a Midjourney job: drag the "jobid" field of an earlier Midjourney step here',
};
