/** Memory of n8n's process group, from /proc. */
import * as fs from 'fs';

import { SAMPLE_EVERY_MS } from './config';

export interface ProcInfo {
	pid: number;
	ppid: number;
	pgrp: number;
	comm: string;
}

export function readStat(pid: number): ProcInfo | undefined {
	try {
		const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const open = text.indexOf('(');
		const close = text.lastIndexOf(')');
		const fields = text.slice(close + 2).split(' '); // state ppid pgrp …
		return {
			pid,
			ppid: Number(fields[1]),
			pgrp: Number(fields[2]),
			comm: text.slice(open + 1, close),
		};
	} catch {
		return undefined;
	}
}

/** n8n's pid, every process of its process group (it is started detached) and their descendants. */
export function processGroup(rootPid: number): ProcInfo[] {
	const all = fs
		.readdirSync('/proc')
		.filter((name) => /^\d+$/.test(name))
		.map((name) => readStat(Number(name)))
		.filter((info): info is ProcInfo => info !== undefined);
	const members = new Set<number>([rootPid]);
	for (const info of all) if (info.pgrp === rootPid) members.add(info.pid);
	for (let grew = true; grew;) {
		grew = false;
		for (const info of all) {
			if (!members.has(info.pid) && members.has(info.ppid)) {
				members.add(info.pid);
				grew = true;
			}
		}
	}
	return all.filter((info) => members.has(info.pid));
}

/** A `… kB` field of /proc/<pid>/status in bytes (VmRSS, VmHWM). */
export function statusBytes(pid: number, field: string): number | undefined {
	try {
		const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
		return match ? Number(match[1]) * 1024 : undefined;
	} catch {
		return undefined;
	}
}

export interface RssSample {
	/** ms since the bench started */
	t: number;
	/** Sum of VmRSS over the group, bytes. */
	rss: number;
	byPid: Record<number, number>;
}

/** Samples the group's VmRSS every 100 ms (members re-read every second). */
export class RssSampler {
	readonly samples: RssSample[] = [];
	private members: ProcInfo[] = [];
	private timer?: NodeJS.Timeout;
	private ticks = 0;

	constructor(
		private readonly rootPid: () => number,
		private readonly t0: number,
	) {}

	start(): void {
		this.sample();
		this.timer = setInterval(() => this.sample(), SAMPLE_EVERY_MS);
	}

	stop(): void {
		if (this.timer) clearInterval(this.timer);
	}

	group(): ProcInfo[] {
		this.members = processGroup(this.rootPid());
		return this.members;
	}

	private sample(): void {
		if (this.ticks++ % 10 === 0 || this.members.length === 0) this.group();
		const byPid: Record<number, number> = {};
		let rss = 0;
		for (const member of this.members) {
			const bytes = statusBytes(member.pid, 'VmRSS');
			if (bytes === undefined) continue;
			byPid[member.pid] = bytes;
			rss += bytes;
		}
		this.samples.push({ t: Date.now() - this.t0, rss, byPid });
	}

	between(from: number, to: number): RssSample[] {
		return this.samples.filter((s) => s.t >= from - this.t0 && s.t <= to - this.t0);
	}
}

/** Resets VmHWM of the group to the current RSS (`echo 5 > /proc/<pid>/clear_refs`); false if not allowed. */
export function resetPeakRss(pids: number[]): boolean {
	let ok = true;
	for (const pid of pids) {
		try {
			fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
		} catch {
			ok = false;
		}
	}
	return ok;
}
