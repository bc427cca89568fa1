import type { INodeProperties } from 'n8n-workflow';

import type { Operation } from '../node.type';
import { settingsOperation, type SettingsVerb } from './settingsJob';

/**
 * Each settings command is one job with no fields of its own: one operation each, built alike.
 * Only its fields, checks and execute are the operation's: a Callback resume outputs the job as it is
 * (as it did when each command had a file of its own).
 */
function operation(verb: SettingsVerb): Operation & { description: INodeProperties[] } {
	const { description, execute, readInputs } = settingsOperation(verb);
	return { description, execute, readInputs };
}

export const fast = operation('fast');
export const info = operation('info');
export const relax = operation('relax');
export const remix = operation('remix');
export const settings = operation('settings');
export const turbo = operation('turbo');
export const variability = operation('variability');

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['settings'] } },
		options: [
			{
				name: 'Fast Mode',
				value: 'fast',
				description: 'Switch the account to Fast mode (uses fast GPU hours)',
				action: 'Switch to fast mode',
			},
			{
				name: 'Get Info',
				value: 'info',
				description: 'Get the subscription, job mode, fast time remaining and usage of the account',
				action: 'Get account info',
			},
			{
				name: 'Get Settings',
				value: 'settings',
				description:
					'Get the current model version, stylize value, RAW, remix, variation and speed modes, and prompt suffix',
				action: 'Get settings',
			},
			{
				name: 'Relax Mode',
				value: 'relax',
				description: 'Switch the account to Relax mode (slower, does not use fast GPU hours)',
				action: 'Switch to relax mode',
			},
			{
				name: 'Toggle Remix',
				value: 'remix',
				description:
					'Turn Remix mode on if it is off, or off if it is on. With Remix on, variations can change the prompt.',
				action: 'Toggle remix mode',
			},
			{
				name: 'Toggle Variability',
				value: 'variability',
				description: 'Switch variations between strong and subtle, whichever is not set now',
				action: 'Toggle variability mode',
			},
			{
				name: 'Turbo Mode',
				value: 'turbo',
				description:
					'Switch the account to Turbo mode (fastest, uses about twice the fast GPU time)',
				action: 'Switch to turbo mode',
			},
		],
		default: 'settings',
	},
	...fast.description,
	...info.description,
	...relax.description,
	...remix.description,
	...settings.description,
	...turbo.description,
	...variability.description,
];
