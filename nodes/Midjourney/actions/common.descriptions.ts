import type { INodeProperties } from 'n8n-workflow';

import {
	downloadMediaField,
	jobOptionsField,
	maxFileSizeField,
	mediaBinaryPropertyField,
	triggerDownloadMediaField,
} from './jobOptions.description';

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
		'What the picture shows, in plain words, then any Midjourney parameters: e.g. "a red fox curled up in fresh snow, watercolor --ar 3:2", "a lighthouse at dusk, oil painting --ar 16:9 --stylize 400", or "waves on a rocky shore --video" for a video. At most 5000 characters.',
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

export {
	downloadMediaField,
	jobOptionsField,
	maxFileSizeField,
	mediaBinaryPropertyField,
	triggerDownloadMediaField,
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
	description:
		'ID of a Midjourney job, exactly as an earlier Midjourney step returned it in "jobid" (e.g. j1024181125701303160i-u12345-c1234567890987654321-bot:midjourney): drag that field here',
};
