import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { pairedItems } from '../../engine/output/items';
import {
	checkHttpUrl,
	checkIntegerRange,
	checkNotAbove,
	requireText,
} from '../../helpers/validation';
import { createOrUpdateAccount } from '../../transport/accounts';
import { jobOptionsField } from '../common.descriptions';

/** Limits from https://useapi.net/docs/api-midjourney-v3/post-midjourney-accounts */
const MAX_JOBS = 15;
const MAX_TYPE_JOBS = 12;
const REPLY_URL_MAX = 2048;

/** The job option Reply URL, here for every job of the account (a job's own Reply URL takes precedence). */
const jobReplyUrlOption = jobOptionsField.options?.find(
	(option) => option.name === 'replyUrl',
) as INodeProperties;

export const DISCORD_CREDENTIAL_TYPE = 'midjourneyDiscordApi';

const properties: INodeProperties[] = [
	{
		displayName:
			'The Discord token comes from the "Midjourney Discord Account API" credential above. useapi.net finds the account\'s Midjourney direct-message channel from it; the same token again updates that account.',
		name: 'discordNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Max Jobs',
		name: 'maxJobs',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: MAX_JOBS },
		default: 3,
		description:
			"How many jobs of any kind the account runs at once, 1 to 15. Match your Midjourney plan's maximum concurrent jobs: a higher number makes jobs fail.",
	},
	{
		displayName: 'Max Image Jobs',
		name: 'maxImageJobs',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: MAX_TYPE_JOBS },
		default: 3,
		description: 'How many image jobs the account runs at once, 1 to 12 and no more than Max Jobs',
	},
	{
		displayName: 'Max Video Jobs',
		name: 'maxVideoJobs',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: MAX_TYPE_JOBS },
		default: 3,
		description: 'How many video jobs the account runs at once, 1 to 12 and no more than Max Jobs',
	},
	{
		...jobReplyUrlOption,
		description:
			"The address useapi.net posts the events of this account's jobs to, at most 2048 characters. Paste the URL of a Midjourney Trigger node here to start a workflow whenever a job finishes. Leave empty for none.",
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['account'], operation: ['createOrUpdate'] } },
	properties,
);

/** The Discord token, from its credential: it never passes through a node parameter or an output. */
async function discordToken(ctx: IExecuteFunctions, itemIndex: number): Promise<string> {
	const credential = await ctx.getCredentials<{ discordToken?: string }>(
		DISCORD_CREDENTIAL_TYPE,
		itemIndex,
	);
	return requireText(
		ctx.getNode(),
		itemIndex,
		'Discord Token',
		String(credential.discordToken ?? ''),
	);
}

/** The request body, every limit checked before anything is sent. */
function accountBody(ctx: IExecuteFunctions, itemIndex: number, discord: string): IDataObject {
	const node = ctx.getNode();
	const maxJobs = ctx.getNodeParameter('maxJobs', itemIndex, 3) as number;
	checkIntegerRange(node, itemIndex, 'Max Jobs', maxJobs, 1, MAX_JOBS);
	const body: IDataObject = { discord, maxJobs };
	for (const [name, field] of [
		['maxImageJobs', 'Max Image Jobs'],
		['maxVideoJobs', 'Max Video Jobs'],
	] as const) {
		const value = ctx.getNodeParameter(name, itemIndex, 3) as number;
		checkIntegerRange(node, itemIndex, field, value, 1, MAX_TYPE_JOBS);
		checkNotAbove(node, itemIndex, field, value, 'Max Jobs', maxJobs);
		body[name] = value;
	}
	const replyUrl = (ctx.getNodeParameter('replyUrl', itemIndex, '') as string).trim();
	if (replyUrl) {
		checkHttpUrl(node, itemIndex, 'Reply URL', replyUrl, REPLY_URL_MAX);
		body.replyUrl = replyUrl;
	}
	return body;
}

/** `POST accounts`: 201 when the channel was added, 200 when an existing one was updated. */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const body = accountBody(this, itemIndex, await discordToken(this, itemIndex));
	const { account, created } = await createOrUpdateAccount(this, body, itemIndex);
	return pairedItems(this, itemIndex, { ...account, created });
}
