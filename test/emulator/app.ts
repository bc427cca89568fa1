/** State shared by the route handlers, and the capacity rules both API versions use. */
import type { IncomingMessage, ServerResponse } from 'http';

import type { Account, AccountStore } from './accounts';
import type { Params } from './http-util';
import type { JobEngine, JobRecord } from './jobs';
import type { Readings } from './readings';
import type { Faults, JobType } from './types';

export interface ResolvedOptions {
	host: string;
	port: number;
	token: string;
	jobDurationMs: number;
	imageBytes: number;
	keepAliveMs: number;
	stuckTimeoutMs: number;
	callbackTimeoutMs: number;
	/** The readings in force; one object shared by every part, changed in place. */
	readings: Readings;
}

export interface App {
	options: ResolvedOptions;
	accounts: AccountStore;
	engine: JobEngine;
	faults: Faults;
	/** Answer `stream: true` for a job just created. */
	openStream(res: ServerResponse, job: JobRecord): void;
	/** A job-creating POST was accepted (2xx). */
	countSubmission(): void;
}

export interface RequestContext {
	req: IncomingMessage;
	res: ServerResponse;
	url: URL;
	params: Params;
	/** Set when the body could not be parsed. */
	bodyError?: string;
}

/** The error text GET accounts shows for a channel after a 596 (the accounts page's example). */
export const CHANNEL_ERROR_TEXT = 'Pending mod message';

/** Decrements a fault counter; true when it fired. */
export function takeFault(faults: Faults, name: keyof Faults): boolean {
	const left = faults[name];
	if (typeof left === 'number' && left > 0) {
		faults[name] = left - 1;
		return true;
	}
	return false;
}

export function hasCapacity(
	app: App,
	account: Account,
	jobType: JobType | undefined,
	maxJobs = account.maxJobs,
): boolean {
	if (!jobType) return true;
	const load = app.engine.load(account.channel);
	if (load.total >= maxJobs) return false;
	if (jobType === 'image' && load.images >= account.maxImageJobs) return false;
	if (jobType === 'video' && load.videos >= account.maxVideoJobs) return false;
	return true;
}

/** "Channel 1234567890123456789 is busy executing 3 image jobs" (imagine page, 429). */
export function busyMessage(app: App, account: Account, jobType: JobType | undefined): string {
	const load = app.engine.load(account.channel);
	if (jobType === 'video' && load.videos >= account.maxVideoJobs) {
		return `Channel ${account.channel} is busy executing ${load.videos} video jobs`;
	}
	if (jobType === 'image' && load.images >= account.maxImageJobs) {
		return `Channel ${account.channel} is busy executing ${load.images} image jobs`;
	}
	return `Channel ${account.channel} is busy executing ${load.total} jobs`;
}

/** Least busy first, then configuration order: the emulator's deterministic stand-in for "randomly select an available account". */
export function byLoad(app: App, accounts: Account[]): Account[] {
	return accounts
		.map((account, order) => ({ account, order, load: app.engine.load(account.channel).total }))
		.sort((a, b) => a.load - b.load || a.order - b.order)
		.map((entry) => entry.account);
}
