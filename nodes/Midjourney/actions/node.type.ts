import type { AllEntities, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { JobRun, RunOperation } from '../engine/jobRun';
import type { Job } from '../transport/types';

/**
 * Resource → operations, as saved in workflows. The router is typed from this map, so a misspelt
 * operation does not compile. `v2` is the Legacy (V2) resource (actions/legacy/).
 */
export type NodeMap = {
	job:
		| 'blend'
		| 'button'
		| 'cancel'
		| 'cancelStuck'
		| 'describe'
		| 'get'
		| 'imagine'
		| 'listRunning'
		| 'seed';
	settings: 'settings' | 'info' | 'fast' | 'relax' | 'turbo' | 'remix' | 'variability';
	account: 'createOrUpdate' | 'getAll' | 'get' | 'deleteAccount' | 'reset';
	media: 'download';
	v2: 'imagine' | 'seed' | 'get';
};

export type MidjourneyType = AllEntities<NodeMap>;

export interface Operation extends RunOperation {
	/** One item: `run` is the execution's JobRun, shared by all its items. */
	execute(this: IExecuteFunctions, itemIndex: number, run: JobRun): Promise<INodeExecutionData[]>;
	/**
	 * How the operation presents its finished job (e.g. Describe lifts its prompts out); used by
	 * execute and when a Callback-mode execution is resumed with the job.
	 */
	finishedJob?: (job: Job) => Job;
}

export type OperationMap = { [R in keyof NodeMap]: { [O in NodeMap[R]]: Operation } };
