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

// Python (--language python): the version the generated project needs, and every requirement its
// pyproject.toml gets (PEP 508 specifiers), in one place.
/** `requires-python`, and what the install step checks before anything is written. */
export const pythonRequirement = { specifier: '>=3.11', minimum: [3, 11] } as const;
export const generatedPythonRequirements = {
  // runtime
  mcp: '>=2.3.0,<3', // the official SDK: MCPServer, its Streamable HTTP and SSE transports, its client
  starlette: '>=0.48,<2',
  // http_protocol.py subclasses uvicorn's h11 protocol, whose attributes are not a public API: from the version it is
  // tested with; the project's tests/test_http_limits.py fail, rather than the limits silently, on one that differs.
  uvicorn: '>=0.54,<1',
  'pyjwt[crypto]': '>=2.10.1,<3',
  httpx2: '>=2.10,<3', // the SDK's own HTTP client (httpx's API), for discovery and the issuer's keys
  'python-dotenv': '>=1.1,<2',
  // tooling
  pytest: '>=8.3,<10',
  ruff: '>=0.15,<0.18',
  // build backend
  hatchling: '>=1.26,<2',
} as const satisfies Record<string, string>;

export type GeneratedPythonRequirement = keyof typeof generatedPythonRequirements;
