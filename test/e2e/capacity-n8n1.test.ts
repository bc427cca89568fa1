/**
 * Users still run n8n 1.x (Node 20): the wait for a slot ends at the item's time limit and on the
 * user's Stop there too (slotWaitSuite.ts; capacity.test.ts runs the same on 2.x).
 */
import { slotWaitSuite } from './slotWaitSuite';

slotWaitSuite(1);
