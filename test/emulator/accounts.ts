/**
 * Configured Midjourney channels (POST/GET/DELETE accounts), their limits, error state (596) and
 * the Midjourney settings each channel holds (settings/fast/relax/turbo/remix/variability).
 */
import { createHash } from 'crypto';

import type { AccountSeed, ChannelSettings } from './types';

export const DEFAULT_CHANNEL = '1100000000000000001';
/** The default v2 account: another Discord account, since one account is configured in v2 or in v3, never both (v3 quick-start). */
export const DEFAULT_V2_CHANNEL = '1100000000000000002';

/** Which API an account is configured in. */
export type AccountApi = 'v3' | 'v2';

export interface Account {
	api: AccountApi;
	channel: string;
	discord: string;
	maxJobs: number;
	maxImageJobs: number;
	maxVideoJobs: number;
	replyUrl?: string;
	error?: string;
	settings: ChannelSettings;
}

/** The account public shape of the accounts pages: the token shown as its first and last 3 characters. */
export interface AccountView {
	discord: string;
	channel: string;
	maxJobs: number;
	maxImageJobs: number;
	maxVideoJobs: number;
	replyUrl?: string;
	error?: string;
}

/**
 * A fresh account: Midjourney's defaults for the modes (fast, remix off, subtle variation) with the
 * model and suffix of the settings page's example (V7, stylize 250, "--v 7 --s 250"). That example
 * shows one user's toggles (remix on, relax…); the emulator starts from the defaults instead.
 * Seeds may override any field.
 */
export function defaultSettings(): ChannelSettings {
	return {
		version: '7',
		stylize: 250,
		raw: false,
		personalization: false,
		public: true,
		remix: false,
		variability: false,
		relax: false,
		fast: true,
		turbo: false,
		suffix: '--v 7 --s 250',
	};
}

export function redactDiscord(token: string): string {
	if (token.length <= 6) return `${token.slice(0, 1)}...${token.slice(-1)}`;
	return `${token.slice(0, 3)}...${token.slice(-3)}`;
}

/**
 * The real API discovers the Midjourney DM channel from the Discord token. The emulator derives it
 * deterministically: (1) a Discord-style token whose first dot-separated part is base64 of a 17–20
 * digit id gives that id; (2) otherwise the first run of 17–20 digits inside the token; (3)
 * otherwise 19 digits from a SHA-256 of the token.
 */
export function channelFromDiscordToken(token: string): string {
	const first = token.split('.')[0];
	try {
		const decoded = Buffer.from(first, 'base64').toString('utf8');
		if (/^\d{17,20}$/.test(decoded)) return decoded;
	} catch {
		// not base64: fall through
	}
	const digits = /\d{17,20}/.exec(token);
	if (digits) return digits[0];
	const hash = createHash('sha256').update(token).digest();
	let id = '1';
	for (let i = 0; id.length < 19; i++) id += String(hash[i % hash.length] % 10);
	return id;
}

export class AccountStore {
	private accounts = new Map<string, Account>();

	constructor(private readonly seeds: AccountSeed[]) {
		this.restore();
	}

	/** Back to the seed (reset()). */
	restore(): void {
		this.accounts.clear();
		for (const seed of this.seeds) {
			this.accounts.set(seed.channel, {
				api: seed.api ?? 'v3',
				channel: seed.channel,
				discord: seed.discord ?? `emulator-discord-token-${seed.channel}`,
				maxJobs: seed.maxJobs ?? 3,
				maxImageJobs: seed.maxImageJobs ?? 3,
				maxVideoJobs: seed.maxVideoJobs ?? 3,
				replyUrl: seed.replyUrl,
				error: seed.error,
				settings: { ...defaultSettings(), ...(seed.settings ?? {}) },
			});
		}
	}

	/** The account configured for `channel` in that API (a v3 channel does not serve v2 requests, nor the reverse). */
	get(channel: string, api: AccountApi = 'v3'): Account | undefined {
		const account = this.accounts.get(channel);
		return account?.api === api ? account : undefined;
	}

	/** The channel's account in whichever API it is configured (jobs keep their channel). */
	any(channel: string): Account | undefined {
		return this.accounts.get(channel);
	}

	list(api: AccountApi = 'v3'): Account[] {
		return [...this.accounts.values()].filter((account) => account.api === api);
	}

	/** Creates or replaces a channel's configuration; settings and error state survive an update. */
	upsert(config: Omit<Account, 'settings' | 'error' | 'api'>): {
		created: boolean;
		account: Account;
	} {
		const existing = this.get(config.channel, 'v3');
		const account: Account = {
			api: 'v3',
			...config,
			error: existing?.error,
			settings: existing?.settings ?? defaultSettings(),
		};
		this.accounts.set(config.channel, account);
		return { created: !existing, account };
	}

	delete(channel: string, api: AccountApi = 'v3'): boolean {
		return this.get(channel, api) !== undefined && this.accounts.delete(channel);
	}

	setError(channel: string, error: string | undefined): boolean {
		const account = this.accounts.get(channel);
		if (!account) return false;
		account.error = error;
		return true;
	}

	view(account: Account): AccountView {
		const view: AccountView = {
			discord: redactDiscord(account.discord),
			channel: account.channel,
			maxJobs: account.maxJobs,
			maxImageJobs: account.maxImageJobs,
			maxVideoJobs: account.maxVideoJobs,
		};
		if (account.replyUrl) view.replyUrl = account.replyUrl;
		if (account.error) view.error = account.error;
		return view;
	}
}
