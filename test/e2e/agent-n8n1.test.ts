/**
 * Users still run n8n 1.x: the same AI Agent checks as agent.test.ts, on the pinned 1.x (its AI
 * Agent v3 runs tools as 2.x does).
 */
import { agentSuite } from './agentSuite';

agentSuite(1);
