import type { IExecuteFunctions } from 'n8n-workflow';

import { getJob } from '../transport/jobs';
import { invalidInput } from './validation';

/**
 * Before several buttons are pressed, every name is checked against the buttons the parent job
 * offers (one GET): each press is a paid job, so a bad third name must fail the item before the
 * first press, not after two children that would then appear nowhere in the output. One button
 * needs no look-up: useapi.net refuses a name the job does not have before creating anything.
 */
export async function checkButtonsOfParent(
	ctx: IExecuteFunctions,
	itemIndex: number,
	jobId: string,
	buttons: string[],
): Promise<void> {
	if (buttons.length < 2) return;
	const parent = await getJob(ctx, jobId, { itemIndex });
	const offered = parent.response?.buttons ?? [];
	const unknown = buttons.filter((button) => !offered.includes(button));
	if (!unknown.length) return;
	throw invalidInput(
		ctx.getNode(),
		itemIndex,
		`"Button Names or IDs": job ${jobId} has no button ${unknown.map((name) => `"${name}"`).join(', ')}; nothing was pressed`,
		offered.length
			? `Its buttons are: ${offered.join(', ')}.`
			: `The job offers no buttons (status: ${parent.status}).`,
	);
}
