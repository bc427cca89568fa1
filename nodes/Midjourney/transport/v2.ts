import type { IDataObject } from 'n8n-workflow';

import { apiRequest, type ApiContext } from './request';

export const V2 = '/v2';

/** A v2 job: the request's fields sit at the top level (api-docs/v2 pages). */
export interface V2Job extends IDataObject {
	jobid: string;
	verb?: string;
	status: string;
	replyRef?: string;
}

/** GET /v2/jobs/?jobid= */
export async function getV2Job(ctx: ApiContext, jobId: string, itemIndex?: number): Promise<V2Job> {
	const { body } = await apiRequest<V2Job>(ctx, { method: 'GET', path: `${V2}/jobs/`, qs: { jobid: jobId }, itemIndex });
	return body;
}
