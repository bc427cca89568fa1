/** Unit, emulator and end-to-end tests. E2E tests start their own emulator and n8n on loopback. */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json', diagnostics: false }],
	},
	// Tests run the TypeScript source, where the bundled parser has only its types; the build copies
	// this same devDependency's code into dist/ (gulpfile.js, build:vendor).
	moduleNameMapper: { '/vendor/eventsource-parser$': 'eventsource-parser' },
	testTimeout: 120000,
	// n8n-workflow keeps timers alive after a run; every server a test starts is stopped in afterAll.
	forceExit: true,
};
