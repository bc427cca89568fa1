import type { IBinaryData, IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

import { openMedia, type MediaLimits } from '../../transport/media';
import { ApiSession } from '../../transport/session';
import { Limiter } from '../capacity/concurrency';

/** The contexts that turn jobs into items: the action node, and the webhooks (trigger, Callback resume). */
type ItemContext = IExecuteFunctions | IWebhookFunctions;

/**
 * Files downloading at once in one execution (or one trigger call), whatever the number of items
 * and of files per job: each holds a connection and a file being written.
 */
export const MAX_PARALLEL_DOWNLOADS = 8;

/** What downloads a run's media: n8n's context, its API session and its bound on parallel downloads. */
export interface MediaRun {
	readonly ctx: ItemContext;
	readonly api: ApiSession;
	readonly downloads: Limiter;
}

/** The media run of one webhook call (a trigger event, a Callback resume): it has no job run. */
export function webhookRun(ctx: IWebhookFunctions): MediaRun {
	return { ctx, api: new ApiSession(ctx), downloads: new Limiter(MAX_PARALLEL_DOWNLOADS) };
}

/**
 * Downloads one media file into n8n's binary data store as a stream: memory does not grow with the
 * file's size (n8n's filesystem or S3 binary mode writes it as it arrives).
 */
export async function downloadToBinary(
	run: MediaRun,
	url: string,
	itemIndex: number,
	limits: MediaLimits,
): Promise<IBinaryData> {
	return await run.downloads.use(async () => {
		// Only from the hosts the docs name, https, bounded in size and in silence (transport/media.ts).
		const media = await openMedia(run.api, url, itemIndex, limits);
		try {
			return await run.ctx.helpers.prepareBinaryData(
				media.stream,
				media.fileName,
				media.mimeType || undefined,
			);
		} finally {
			media.stream.destroy();
		}
	});
}
