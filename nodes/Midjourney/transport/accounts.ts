import type { IDataObject } from 'n8n-workflow';

import { V3 } from './jobs';
import { apiRequest } from './request';
import type { ApiCaller } from './session';

const ACCOUNTS_PATH = `${V3}/accounts`;

export interface Account {
	discord?: string;
	channel: string;
	maxJobs: number;
	maxImageJobs: number;
	maxVideoJobs: number;
	replyUrl?: string;
	error?: string;
}

/** GET accounts; a 404 means "no channel configured yet", which is an empty map, not an error. */
export async function listAccounts(
	api: ApiCaller,
	itemIndex?: number,
): Promise<Record<string, Account>> {
	const response = await apiRequest<Record<string, Account> | string | undefined>(api, {
		method: 'GET',
		path: ACCOUNTS_PATH,
		acceptStatuses: [404],
		itemIndex,
	});
	if (response.statusCode === 404 || !response.body || typeof response.body !== 'object') return {};
	return response.body;
}

/** `POST accounts`: 201 when the channel was added, 200 when an existing one was updated. */
export async function createOrUpdateAccount(
	api: ApiCaller,
	body: IDataObject,
	itemIndex?: number,
): Promise<{ account: Account; created: boolean }> {
	const response = await apiRequest<Account>(api, {
		method: 'POST',
		path: ACCOUNTS_PATH,
		body,
		itemIndex,
	});
	return { account: response.body, created: response.statusCode === 201 };
}

/** `GET accounts/<channel>` */
export async function getAccount(
	api: ApiCaller,
	channel: string,
	itemIndex?: number,
): Promise<Account> {
	const path = `${ACCOUNTS_PATH}/${channel}`;
	return (await apiRequest<Account>(api, { method: 'GET', path, itemIndex })).body;
}

/** `DELETE accounts/<channel>` */
export async function deleteAccount(
	api: ApiCaller,
	channel: string,
	itemIndex?: number,
): Promise<void> {
	await apiRequest(api, { method: 'DELETE', path: `${ACCOUNTS_PATH}/${channel}`, itemIndex });
}

/** `POST accounts/reset/<channel>`: clears the error state after a moderation message or CAPTCHA. */
export async function resetAccount(
	api: ApiCaller,
	channel: string,
	itemIndex?: number,
): Promise<void> {
	await apiRequest(api, { method: 'POST', path: `${ACCOUNTS_PATH}/reset/${channel}`, itemIndex });
}
