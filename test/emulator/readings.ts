/**
 * The emulator's readings: one answer for each place where the API pages are silent (README
 * "Readings"). The docs are the judge and the emulator only a witness, so the default is
 * the least friendly reading of every silence; a test that needs a friendlier one asks for it.
 */

export interface Readings {
	/**
	 * GET jobs lists every configured channel, also one that runs nothing. The page says it "returns
	 * only jobs with status created, started, or progress" and never that an idle channel is listed.
	 */
	listIdleChannels: boolean;
	/**
	 * GET jobs also lists running jobs without a `jobType` (describe, seed and the settings commands:
	 * the job model's table), counted in `total` but in neither `images` nor `videos`. The page: "only
	 * jobs with status created, started, or progress", without excluding any command. They still hold
	 * no slot (their pages list no 429; the model's table: "no jobType tracking").
	 */
	listUntypedJobs: boolean;
	/**
	 * Progress events and GET carry `response.progress_percent` on every step whose content shows a
	 * percent (as the transcripts do). false: never (SSE guide: "if provided - not always present");
	 * the percent stays in `content` ("(15%)").
	 */
	progressPercent: boolean;
	/**
	 * A stream that has written nothing for this long (ms) meets `silentStreamFate`; 0 = a stream stays
	 * open however long its job is silent. The docs describe no keep-alives and call network
	 * interruptions a common cause of cut streams. Streams with an explicit stream marker
	 * (--emu-quiet, --emu-stall, --emu-close…) follow their marker instead.
	 */
	silentStreamMs: number;
	/**
	 * 'end': the server ends the response cleanly without a final event and the job is left stuck, as
	 * for every cut (SSE guide; whether a server-side end leaves the job stuck is not said: the least
	 * friendly reading). 'stall': the connection stays open, nothing more is ever written (a half-open
	 * connection, a buffering proxy), while the job runs on and completes for GET.
	 */
	silentStreamFate: 'end' | 'stall';
	/**
	 * A stream the server ends without a final event (--emu-close, silentStreamFate 'end') leaves its
	 * job stuck, as a client's cut does (SSE guide). Whether a server-side end strands the job is not
	 * said: true is the least friendly reading; false: the job runs on and completes for GET.
	 */
	endedStreamStrandsJob: boolean;
	/** Extra attempts after a refused replyUrl POST (non-2xx, no answer, timeout); 0 = never retried. */
	callbackRetries: number;
	/** Delay before each extra attempt, ms. */
	callbackRetryDelayMs: number;
	/**
	 * The CAPTCHA solver unlocks a channel locked by a CAPTCHA after this long (ms; the captcha-solver
	 * page: "60-90 seconds", or it asks you to solve it by hand); 0 = never: the channel answers 596
	 * until POST accounts/reset/{channel}.
	 */
	captchaSolvedAfterMs: number;
}

/** The least friendly reading of every silence: the default (README "Readings"). */
export const LEAST_FRIENDLY: Readonly<Readings> = Object.freeze({
	listIdleChannels: false,
	listUntypedJobs: true,
	progressPercent: false,
	silentStreamMs: 100_000,
	silentStreamFate: 'end',
	endedStreamStrandsJob: true,
	callbackRetries: 0,
	callbackRetryDelayMs: 0,
	captchaSolvedAfterMs: 0,
});

/**
 * The emulator's behaviour before the readings existed, which the node's tests still rely on. For
 * callback retries and the CAPTCHA solver it is the least friendly reading too; their friendlier
 * readings are switches only.
 */
export const FRIENDLY: Readonly<Readings> = Object.freeze({
	listIdleChannels: true,
	listUntypedJobs: false,
	progressPercent: true,
	silentStreamMs: 0,
	silentStreamFate: 'end',
	endedStreamStrandsJob: true,
	callbackRetries: 0,
	callbackRetryDelayMs: 0,
	captchaSolvedAfterMs: 0,
});

/**
 * The default readings: the least friendly, so that a test proves something about the real API
 * unless it asks for a friendlier reading of a silence.
 */
export const DEFAULT_READINGS: Readonly<Readings> = LEAST_FRIENDLY;

export type ReadingsPreset = 'least-friendly' | 'friendly';

export const PRESETS: Record<ReadingsPreset, Readonly<Readings>> = {
	'least-friendly': LEAST_FRIENDLY,
	friendly: FRIENDLY,
};

/**
 * The readings of an emulator: the default (undefined), a named preset, or readings changed on top
 * of the default (`{ ...LEAST_FRIENDLY, listIdleChannels: true }` to change them on top of a preset).
 */
export function resolveReadings(given: Partial<Readings> | ReadingsPreset | undefined): Readings {
	if (typeof given === 'string') {
		const preset = PRESETS[given];
		if (!preset) throw new Error(`unknown readings preset "${String(given)}"`);
		return { ...preset };
	}
	return { ...DEFAULT_READINGS, ...(given ?? {}) };
}
