/** This agent's version, sent in HELLO; kept equal to packages/agent/package.json (a test checks it). */
export const AGENT_VERSION = '0.1.0';
