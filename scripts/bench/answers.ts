/**
 * Answer statuses of the emulator. It records requests but not its answers; it runs in this
 * process, so a tap on ServerResponse#writeHead (every answer passes through it, also the implicit
 * one of res.end) sees each status. Used to cross-check the 429 count derived from
 * "job-creating POSTs − accepted submissions".
 */
import * as http from 'http';

export interface AnswerRecord {
	method: string;
	path: string;
	status: number;
	time: number;
	/** The proxy's cdnUrl query parameter, for downloads. */
	cdnUrl?: string;
}

export const answers: AnswerRecord[] = [];

export function tapServerAnswers(): void {
	const proto = http.ServerResponse.prototype as unknown as {
		writeHead: (this: http.ServerResponse, statusCode: number, ...rest: unknown[]) => unknown;
	};
	const original = proto.writeHead;
	proto.writeHead = function (this: http.ServerResponse, statusCode: number, ...rest: unknown[]) {
		const req = (this as unknown as { req?: http.IncomingMessage }).req;
		if (req) {
			const url = new URL(req.url ?? '/', 'http://emulator.local');
			answers.push({
				method: (req.method ?? 'GET').toUpperCase(),
				path: url.pathname,
				status: statusCode,
				time: Date.now(),
				cdnUrl: url.searchParams.get('cdnUrl') ?? undefined,
			});
		}
		return original.call(this, statusCode, ...rest);
	};
}
