/**
 * The events a trigger has already started the workflow for, bounded: entries older than
 * `maxAgeMs` are dropped, and past `maxEntries` the oldest go first. Keys longer than `maxKeyLength`
 * are never stored (the trigger refuses such events before it gets here). The entries are a plain
 * object of key → time recorded, so n8n can keep them in the trigger's static data.
 */

/** Redeliveries come within minutes; a week covers any retry window with room to spare. */
export const DEDUP_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
/** Per trigger node: more events than a busy account's week of redeliveries needs. */
export const DEDUP_MAX_ENTRIES = 2000;
/** A job ID (at most 200 characters), a status and a percentage fit with room to spare. */
export const DEDUP_MAX_KEY_LENGTH = 256;

export interface DedupLimits {
	maxAgeMs: number;
	maxEntries: number;
	maxKeyLength: number;
}

export const DEDUP_LIMITS: DedupLimits = {
	maxAgeMs: DEDUP_MAX_AGE_MS,
	maxEntries: DEDUP_MAX_ENTRIES,
	maxKeyLength: DEDUP_MAX_KEY_LENGTH,
};

export type DedupEntries = Record<string, number>;

export class DedupStore {
	constructor(
		readonly entries: DedupEntries,
		private readonly limits: DedupLimits = DEDUP_LIMITS,
	) {}

	/** The entries an older version kept (a list of keys), taken as recorded now. */
	static fromLegacyList(keys: unknown, now: number): DedupEntries {
		const entries: DedupEntries = {};
		if (Array.isArray(keys))
			for (const key of keys) if (typeof key === 'string') entries[key] = now;
		return entries;
	}

	has(key: string, now = Date.now()): boolean {
		const at = this.entries[key];
		return typeof at === 'number' && now - at <= this.limits.maxAgeMs;
	}

	/** Records a key; false when it is too long to keep. Prunes by age and count. */
	add(key: string, now = Date.now()): boolean {
		if (key.length > this.limits.maxKeyLength) return false;
		delete this.entries[key];
		this.entries[key] = now;
		this.prune(now);
		return true;
	}

	delete(key: string): void {
		delete this.entries[key];
	}

	get size(): number {
		return Object.keys(this.entries).length;
	}

	prune(now = Date.now()): void {
		const keys = Object.keys(this.entries);
		let excess = keys.length - this.limits.maxEntries;
		// Insertion order is recording order (add() re-inserts), so the oldest come first.
		for (const key of keys) {
			const at = this.entries[key];
			if (excess > 0 || typeof at !== 'number' || now - at > this.limits.maxAgeMs) {
				delete this.entries[key];
				excess--;
			}
		}
	}
}
