/**
 * Issue 22 in a real n8n 2.x: the node as a tool of n8n's own AI Agent, with n8n's OpenAI Chat Model
 * pointed at a scripted model on loopback (see agentSuite.ts).
 */
import { agentSuite } from './agentSuite';

agentSuite(2);
