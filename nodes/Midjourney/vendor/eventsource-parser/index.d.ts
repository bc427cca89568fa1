/**
 * Types of the bundled eventsource-parser. Its code is not here: gulpfile.js (`build:vendor`)
 * copies the pinned devDependency's CommonJS build and LICENSE to
 * dist/nodes/Midjourney/vendor/eventsource-parser/, which transport/sse.ts requires by a relative
 * path, so the published package has no runtime dependency. The types are the devDependency's own.
 */
export * from 'eventsource-parser';
