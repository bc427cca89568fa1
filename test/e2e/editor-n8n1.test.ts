/**
 * Issue 13 in a real n8n 1.x editor (users still run it), driven in headless Chromium: the same
 * checks as editor.test.ts on 2.x.
 */
import { editorSuite } from './editorSuite';

editorSuite(1);
