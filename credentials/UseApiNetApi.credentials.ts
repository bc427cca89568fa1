import type { IAuthenticateGeneric, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

export class UseApiNetApi implements ICredentialType {
	name = 'useApiNetApi';

	displayName = 'useapi.net API';

	icon: Icon = {
		light: 'file:../nodes/Midjourney/midjourney.svg',
		dark: 'file:../nodes/Midjourney/midjourney.dark.svg',
	};

	documentationUrl = 'https://useapi.net/docs/start-here/setup-useapi';

	properties: INodeProperties[] = [
		{
			displayName: 'API Token',
			name: 'apiToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Your useapi.net API token (useapi.net → Account → API token)',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.useapi.net',
			description:
				'Change only to reach the API through a proxy, or a local emulator for testing. https:// only (http:// only for an address on this machine), without a user name or password.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiToken}}',
			},
		},
	};

	// No declarative `test`: the Midjourney node's `useApiNetApiTest` (testedBy) tests it, accepting
	// only the two good answers the docs give for GET accounts and never following a redirect.
}
