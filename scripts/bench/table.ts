/** The bench's rows, their formatting and the markdown table. */
import { MB } from './config';

export interface Row {
	metric: string;
	value: string;
	ideal: string;
	ratio: string;
	/** Raw numbers for the JSON. */
	raw: { value?: number | null; ideal?: number | null; ratio?: number | null; unit?: string };
}

export const seconds = (ms: number | undefined) =>
	ms === undefined || Number.isNaN(ms) ? 'n/a' : `${(ms / 1000).toFixed(2)} s`;
export const megabytes = (bytes: number | undefined) =>
	bytes === undefined ? 'n/a' : `${(bytes / MB).toFixed(0)} MB`;
export const ratioText = (ratio: number | undefined) =>
	ratio === undefined || !Number.isFinite(ratio) ? '—' : ratio.toFixed(2);

export function timeRow(
	metric: string,
	ms: number | undefined,
	idealMs: number,
	error?: string,
): Row {
	const ratio = ms === undefined ? undefined : ms / idealMs;
	return {
		metric,
		value: error && ms === undefined ? 'error' : seconds(ms),
		ideal: seconds(idealMs),
		ratio: ratioText(ratio),
		raw: { value: ms ?? null, ideal: idealMs, ratio: ratio ?? null, unit: 'ms' },
	};
}

/** A count against a budget (e.g. GETs per job against the job's seconds ÷ 2): the ratio is count ÷ budget. */
export function countRow(metric: string, count: number | undefined, budget: number): Row {
	const ratio = count === undefined ? undefined : count / budget;
	return {
		metric,
		value: count === undefined ? 'error' : String(count),
		ideal: `≤ ${budget}`,
		ratio: ratioText(ratio),
		raw: { value: count ?? null, ideal: budget, ratio: ratio ?? null, unit: 'count' },
	};
}

export function markdownTable(rows: Row[]): string {
	const header = ['metric', 'value', 'ideal', 'ratio'];
	const lines = [
		`| ${header.join(' | ')} |`,
		'|---|---:|---:|---:|',
		...rows.map((row) => `| ${row.metric} | ${row.value} | ${row.ideal} | ${row.ratio} |`),
	];
	return lines.join('\n');
}
