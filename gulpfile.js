const path = require('path');
const { task, src, dest } = require('gulp');

task('build:icons', copyIcons);

/** tsc compiles the code; the SVG icons (light and dark) are copied beside the compiled nodes and credentials. */
function copyIcons() {
	const nodeSource = path.resolve('nodes', '**', '*.{png,svg}');
	const nodeDestination = path.resolve('dist', 'nodes');
	src(nodeSource).pipe(dest(nodeDestination));

	const credSource = path.resolve('credentials', '**', '*.{png,svg}');
	const credDestination = path.resolve('dist', 'credentials');
	return src(credSource).pipe(dest(credDestination));
}
