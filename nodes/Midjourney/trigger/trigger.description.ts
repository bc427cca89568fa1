import type { INodeProperties } from 'n8n-workflow';

import { ALL_EVENTS, VERBS } from './eventFilter';

/** The trigger's filter fields: which job events start the workflow (see eventFilter.ts). */

const titleCase = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

export const callbackFilterFields: INodeProperties[] = [
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		default: ['completed', 'failed', 'moderated'],
		description:
			"Job statuses that start the workflow. The job's Reply Level decides which events useapi.net sends at all.",
		options: ALL_EVENTS.map((event) => ({ name: titleCase(event), value: event })),
	},
	{
		displayName: 'Commands',
		name: 'verbs',
		type: 'multiOptions',
		default: [],
		description: 'Only jobs of these commands start the workflow. Leave empty for all.',
		options: VERBS.map((verb) => ({ name: titleCase(verb), value: verb })),
	},
	{
		displayName: 'Job Types',
		name: 'jobTypes',
		type: 'multiOptions',
		default: [],
		description: 'Only image jobs, only video jobs, or both when empty',
		options: [
			{ name: 'Image', value: 'image' },
			{ name: 'Video', value: 'video' },
		],
	},
	{
		displayName: 'Reply Ref Filter',
		name: 'replyRefMatch',
		type: 'options',
		default: 'any',
		options: [
			{ name: 'Any', value: 'any', description: 'Do not filter on the Reply Ref' },
			{ name: 'Is Equal To', value: 'exact' },
			{ name: 'Starts With', value: 'prefix' },
		],
	},
	{
		displayName: 'Reply Ref',
		name: 'replyRef',
		type: 'string',
		default: '',
		displayOptions: { hide: { replyRefMatch: ['any'] } },
		description: 'The Reply Ref given when the job was submitted',
	},
];
