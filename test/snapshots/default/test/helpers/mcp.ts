// What the transport-neutral tests (test/server.test.ts) need: the resource's path, and how to reach the server, over Streamable HTTP.
export { connectClient, mcpRequest } from './streamable-http.js';
export type { McpAnswer } from './streamable-http.js';

/** The path of the resource the tests serve. */
export const RESOURCE_PATH = '/mcp';
