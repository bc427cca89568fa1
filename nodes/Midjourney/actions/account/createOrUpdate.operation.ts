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
import { createOrUpdateAccount, listAccounts, type Account } from '../../transport/accounts';
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
		typeOptions: { minValue: 0, maxValue: MAX_JOBS },
		default: 0,
		description:
			"How many jobs of any kind the account runs at once, 1 to 15. Match your Midjourney plan's maximum concurrent jobs: a higher number makes jobs fail. 0 keeps the account's current limit (3 for a new account).",
	},
	{
		displayName: 'Max Image Jobs',
		name: 'maxImageJobs',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: MAX_TYPE_JOBS },
		default: 0,
		description:
			"How many image jobs the account runs at once, 1 to 12 and no more than Max Jobs. 0 keeps the account's current limit (3 for a new account).",
	},
	{
		displayName: 'Max Video Jobs',
		name: 'maxVideoJobs',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: MAX_TYPE_JOBS },
		default: 0,
		description:
			"How many video jobs the account runs at once, 1 to 12 and no more than Max Jobs. 0 keeps the account's current limit (3 for a new account).",
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

const LIMITS = [
	['maxJobs', 'Max Jobs', MAX_JOBS],
	['maxImageJobs', 'Max Image Jobs', MAX_TYPE_JOBS],
	['maxVideoJobs', 'Max Video Jobs', MAX_TYPE_JOBS],
] as const;
type LimitName = (typeof LIMITS)[number][0];
/** What useapi.net sets a limit it is not sent to on a new account (the page: "default: 3"). */
const API_DEFAULT_LIMIT = 3;

/** The limits the user set (0, the default, keeps the account's own), each checked. */
function readLimits(ctx: IExecuteFunctions, itemIndex: number): Partial<Record<LimitName, number>> {
	const limits: Partial<Record<LimitName, number>> = {};
	for (const [name, field, max] of LIMITS) {
		const value = ctx.getNodeParameter(name, itemIndex, 0);
		if (value === 0) continue;
		limits[name] = checkIntegerRange(ctx.getNode(), itemIndex, field, value, 1, max);
	}
	return limits;
}

/**
 * The account the Discord token configures, if useapi.net has it: GET accounts shows each token as
 * its first and last three characters, and a token configures one channel.
 */
async function existingAccount(
	ctx: IExecuteFunctions,
	itemIndex: number,
	discord: string,
): Promise<Account | undefined> {
	const shown = `${discord.slice(0, 3)}...${discord.slice(-3)}`;
	const accounts = Object.values(await listAccounts(ctx, itemIndex));
	const matching = accounts.filter((account) => account.discord === shown);
	return matching.length === 1 ? matching[0] : undefined;
}

/**
 * The request body, every limit checked before anything is sent. The page does not say whether a
 * limit left out of an update keeps its value or goes back to 3, so a limit the user did not set is
 * sent as the account has it now (read with GET accounts), and left to useapi.net's default only
 * for a new account.
 */
async function accountBody(
	ctx: IExecuteFunctions,
	itemIndex: number,
	discord: string,
): Promise<IDataObject> {
	const node = ctx.getNode();
	const limits = readLimits(ctx, itemIndex);
	const replyUrl = (ctx.getNodeParameter('replyUrl', itemIndex, '') as string).trim();
	if (replyUrl) checkHttpUrl(node, itemIndex, 'Reply URL', replyUrl, REPLY_URL_MAX);
	const checkAgainstMaxJobs = (maxJobs: number) => {
		for (const [name, field] of LIMITS.slice(1)) {
			const value = limits[name];
			if (value !== undefined) checkNotAbove(node, itemIndex, field, value, 'Max Jobs', maxJobs);
		}
	};
	// What the user set is checked before any request; the limits read from the account after.
	if (limits.maxJobs !== undefined) checkAgainstMaxJobs(limits.maxJobs);
	if (LIMITS.some(([name]) => limits[name] === undefined)) {
		const current = await existingAccount(ctx, itemIndex, discord);
		if (current) limits.maxJobs ??= current.maxJobs;
		for (const [name] of LIMITS.slice(1)) {
			if (limits[name] !== undefined) continue;
			// Kept as it is, or lowered to a lower Max Jobs (useapi.net refuses one above it).
			const kept =
				current?.[name] ?? (limits.maxJobs !== undefined ? API_DEFAULT_LIMIT : undefined);
			if (kept !== undefined) limits[name] = Math.min(kept, limits.maxJobs ?? kept);
		}
	}
	checkAgainstMaxJobs(limits.maxJobs ?? API_DEFAULT_LIMIT);
	return { discord, ...limits, ...(replyUrl ? { replyUrl } : {}) };
}

/** `POST accounts`: 201 when the channel was added, 200 when an existing one was updated. */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const body = await accountBody(this, itemIndex, await discordToken(this, itemIndex));
	const { account, created } = await createOrUpdateAccount(this, body, itemIndex);
	return pairedItems(this, itemIndex, { ...account, created });
}
