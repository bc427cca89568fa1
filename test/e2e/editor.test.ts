/**
 * Issue 13 in a real n8n 2.x editor, driven in headless Chromium: the node creator finds both nodes,
 * the Button dropdown lists a real job's buttons, an executed Imagine shows its pictures.
 */
import { editorSuite } from './editorSuite';

editorSuite(2);
