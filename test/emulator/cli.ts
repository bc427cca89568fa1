/**
 * Standalone emulator: `npm run emulator -- --port N [--host 127.0.0.1] [--token T] [--job-ms N]
 * [--image-bytes N] [--keep-alive-ms N] [--readings least-friendly|friendly] [--reading name=value]…`.
 * Stops on SIGINT/SIGTERM.
 */
import { PRESETS, resolveReadings, type Readings, type ReadingsPreset } from './readings';
import { startEmulator, type EmulatorOptions } from './index';

function usage(message?: string): never {
	if (message) console.error(message);
	console.error(
		'usage: npm run emulator -- [--port N] [--host 127.0.0.1] [--token T] [--job-ms N] [--image-bytes N] [--keep-alive-ms N] [--readings least-friendly|friendly] [--reading name=value]…',
	);
	process.exit(2);
}

function parseArgs(argv: string[]): EmulatorOptions {
	const options: EmulatorOptions = {};
	let preset: ReadingsPreset | undefined;
	const changed: Record<string, unknown> = {};
	const number = (flag: string, value: string | undefined): number => {
		const parsed = Number(value);
		if (value === undefined || !Number.isFinite(parsed) || parsed < 0)
			usage(`${flag} needs a non-negative number`);
		return parsed;
	};
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split('=', 2) as [string, string | undefined];
		const value = () => inline ?? argv[++i];
		switch (flag) {
			case '--port':
				options.port = number(flag, value());
				break;
			case '--host':
				options.host = value() ?? usage('--host needs a value');
				break;
			case '--token':
				options.token = value() ?? usage('--token needs a value');
				break;
			case '--job-ms':
				options.jobDurationMs = number(flag, value());
				break;
			case '--image-bytes':
				options.imageBytes = number(flag, value());
				break;
			case '--keep-alive-ms':
				options.keepAliveMs = number(flag, value());
				break;
			case '--readings': {
				const name = value();
				if (!name || !(name in PRESETS)) usage('--readings needs least-friendly or friendly');
				preset = name as ReadingsPreset;
				break;
			}
			case '--reading': {
				// --reading name=value: one reading (README "Readings"); numbers and true/false are parsed.
				const text = inline !== undefined ? argv[i].slice('--reading='.length) : argv[++i];
				const match = /^(\w+)=(.*)$/.exec(text ?? '');
				if (!match || !(match[1] in resolveReadings(undefined)))
					usage(
						`--reading needs name=value with a name of: ${Object.keys(resolveReadings(undefined)).join(', ')}`,
					);
				const raw = match[2];
				changed[match[1]] =
					raw === 'true' ? true : raw === 'false' ? false : /^\d+$/.test(raw) ? Number(raw) : raw;
				break;
			}
			case '--help':
			case '-h':
				usage();
				break;
			default:
				usage(`unknown option ${flag}`);
		}
	}
	if (preset || Object.keys(changed).length)
		options.readings = { ...resolveReadings(preset), ...(changed as Partial<Readings>) };
	return options;
}

async function main(): Promise<void> {
	const options = parseArgs(process.argv.slice(2));
	const emulator = await startEmulator(options);
	console.log(
		`useapi.net emulator listening on ${emulator.url} (token: ${options.token ?? 'test-token'})`,
	);
	let stopping = false;
	const stop = (signal: string) => {
		if (stopping) return;
		stopping = true;
		console.log(`${signal}: stopping the emulator`);
		emulator.close().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: Error) => {
	console.error(`emulator failed to start: ${error.message}`);
	process.exit(1);
});
