import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

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
				'Change only to reach the API through a proxy, or a local emulator for testing. No trailing path.',
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

	// 404 from GET accounts means a valid token with no Midjourney account configured yet, so the
	// test must not fail on it. Status errors are therefore ignored and judged by the body instead.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/v3/midjourney/accounts',
			method: 'GET',
			ignoreHttpStatusErrors: true,
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error',
					value: 'Unauthorized',
					message: 'The API token was rejected (401). Copy it again from your useapi.net account.',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error',
					value: 'Account has no subscription or subscription expired',
					message:
						'The token is valid but the useapi.net subscription has expired (402). Renew it at useapi.net.',
				},
			},
		],
	};
}
