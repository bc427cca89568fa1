import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * The Discord token of a Midjourney account, for Account → Create or Update only. Kept in a
 * credential of its own (encrypted by n8n, never in a workflow's JSON) and apart from the
 * useapi.net token: one useapi.net account may configure several Discord accounts.
 */
export class MidjourneyDiscordApi implements ICredentialType {
	name = 'midjourneyDiscordApi';

	displayName = 'Midjourney Discord Account API';

	icon: Icon = {
		light: 'file:../nodes/Midjourney/midjourney.svg',
		dark: 'file:../nodes/Midjourney/midjourney.dark.svg',
	};

	documentationUrl = 'https://useapi.net/docs/start-here/setup-midjourney';

	properties: INodeProperties[] = [
		{
			displayName: 'Discord Token',
			name: 'discordToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Token of the Discord account subscribed to Midjourney (see useapi.net → Setup Midjourney). Sent only to useapi.net by Account → Create or Update.',
		},
	];
}
