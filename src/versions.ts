// Every dependency range a generated project gets, in one place.
// Each range must allow Node ^20.19 || >=22.12 (check with `npm view <pkg>@<range> engines`).
export const generatedVersions = {
  // MCP SDK v2
  '@modelcontextprotocol/server': '^2.4.0',
  '@modelcontextprotocol/node': '^2.1.2',
  '@modelcontextprotocol/express': '^2.0.2',
  '@modelcontextprotocol/client': '^2.4.0',
  // MCP SDK v1: only for its SSE server transport (--transport sse), which v2 does not have
  '@modelcontextprotocol/sdk': '^1.32.2',

  // runtime
  express: '^5.2.1',
  hono: '^4.13.19',
  '@hono/node-server': '^2.1.9',
  jose: '^6.2.18',

  // tooling
  '@types/express': '^5.0.6',
  '@types/node': '^20.19.43',
  tsx: '^4.23.15',
  typescript: '~5.9.3',
  vitest: '^4.1.12', // vitest 5 needs Node 22
} as const satisfies Record<string, string>;

export type GeneratedPackage = keyof typeof generatedVersions;
