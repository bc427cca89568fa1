/** Unit, emulator and end-to-end tests. E2E tests start their own emulator and n8n on loopback. */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json', diagnostics: false }],
	},
	testTimeout: 120000,
	// n8n-workflow keeps timers alive after a run; every server a test starts is stopped in afterAll.
	forceExit: true,
};
