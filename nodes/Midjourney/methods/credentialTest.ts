import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { testUseApiCredential } from '../transport/credentialCheck';

/**
 * The Discord token credential's test. It is checked for its shape only, here in n8n: useapi.net
 * checks the token itself when Account → Create or Update sends it, and calling Discord from n8n
 * with a user token could make Discord flag the account. A Discord token is `<user id in base64>.
 * <timestamp>.<signature>` (older MFA tokens: `mfa.<signature>`).
 */
export async function discordTokenShape(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const token = String(credential.data?.discordToken ?? '');
	const problem = discordTokenProblem(token);
	return problem
		? { status: 'Error', message: problem }
		: { status: 'OK', message: 'The token has the shape of a Discord token' };
}

function discordTokenProblem(token: string): string | undefined {
	if (!token.trim()) return 'The Discord token is empty';
	if (/[\s"'`]/.test(token)) return 'The Discord token has spaces or quotes: paste the token alone';
	if (/^mfa\.[\w-]{20,}$/.test(token)) return undefined;
	const parts = token.split('.');
	if (parts.length !== 3 || parts.some((part) => !/^[\w+/=-]+$/.test(part))) {
		return 'This is not a Discord token: a Discord token has three parts separated by dots (see useapi.net → Setup Midjourney)';
	}
	return undefined;
}

/** The useapi.net credential's test: see transport/credentialCheck.ts. */
export async function useApiNetApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	return await testUseApiCredential(this, credential.data);
}
