/**
 * Moves `Date` forward while every timer keeps running in real time: ages timestamps (a job's
 * `updated` on the emulator's clock, the node's "minutes unchanged") without waiting for them.
 * Undo with `jest.useRealTimers()`.
 */
export function moveClock(ms: number): void {
	const now = Date.now();
	jest.useFakeTimers({
		doNotFake: [
			'hrtime',
			'nextTick',
			'performance',
			'queueMicrotask',
			'requestAnimationFrame',
			'cancelAnimationFrame',
			'requestIdleCallback',
			'cancelIdleCallback',
			'setImmediate',
			'clearImmediate',
			'setInterval',
			'clearInterval',
			'setTimeout',
			'clearTimeout',
		],
	});
	jest.setSystemTime(now + ms);
}
