// What the transport-neutral tests (test/server.test.ts) need: the resource's path, and how to reach the server, over HTTP+SSE.
export { connectClient, mcpRequest } from './sse.js';
export type { McpAnswer } from './sse.js';

/** The path of the resource the tests serve. */
export const RESOURCE_PATH = '/sse';
