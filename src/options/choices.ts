import type { Choice } from './define.js';

// The variants the generator knows, as data: flags, prompts, help and validation derive from these.

export const languages = [
  { value: 'typescript', label: 'TypeScript', hint: 'Node.js, the official MCP TypeScript SDK' },
  { value: 'python', label: 'Python', hint: 'Python 3.11+, the official MCP Python SDK, Starlette and uvicorn' },
] as const satisfies readonly Choice[];
export type Language = (typeof languages)[number]['value'];

/** Each framework belongs to one language: only that language's are offered, and another's is refused naming them. */
export const frameworks = [
  { value: 'express', label: 'Express', hint: 'Express 5 with the official MCP SDK adapter', language: 'typescript' },
  { value: 'hono', label: 'Hono', hint: 'Hono 4 on Node (@hono/node-server)', language: 'typescript' },
  {
    value: 'starlette',
    label: 'Starlette',
    hint: "the MCP Python SDK's ASGI app under Starlette, served by uvicorn",
    language: 'python',
  },
] as const satisfies ReadonlyArray<Choice & { language: Language }>;

export const transports = [
  { value: 'streamable-http', label: 'Streamable HTTP', hint: 'the current MCP transport (POST /mcp)' },
  {
    value: 'sse',
    label: 'HTTP+SSE (deprecated)',
    hint: 'deprecated: the 2024-11-05 transport (GET /sse, POST /messages), only for clients that still need it',
  },
  {
    value: 'both',
    label: 'Both',
    hint: 'Streamable HTTP at /mcp, and the deprecated HTTP+SSE below it at /mcp/sse for older clients; one Logto API resource for both',
  },
] as const satisfies readonly Choice[];

export const verifiers = [
  {
    value: 'jwt',
    label: 'JWT (verify locally with JWKS)',
    hint: "checks signature, issuer, audience and expiry against Logto's keys; no call to Logto per request",
  },
  {
    // The seed guide's design, refused with the reason (DESIGN.md §4, verified on a real Logto).
    value: 'userinfo',
    label: "Logto's userinfo endpoint (as in Logto's guide)",
    unavailable:
      "Logto's userinfo endpoint refuses access tokens issued for an API resource, and MCP clients always ask for one from a server " +
      'that publishes protected-resource metadata, as the MCP spec requires; without that metadata, current SDK clients instead want ' +
      "the authorization server's metadata at the MCP server's own origin, which Logto's is not. So no spec-following client could use it. " +
      "Use --verifier jwt: it verifies the same Logto tokens locally, audience included; Logto's custom token claims can add the " +
      "user's profile to them.",
  },
] as const satisfies readonly Choice[];

/** Like frameworks, each package manager belongs to one language. */
export const packageManagers = [
  { value: 'npm', label: 'npm', language: 'typescript' },
  { value: 'pnpm', label: 'pnpm', language: 'typescript' },
  { value: 'yarn', label: 'yarn', language: 'typescript' },
  { value: 'bun', label: 'bun', language: 'typescript' },
  { value: 'uv', label: 'uv', hint: 'uv sync into .venv', language: 'python' },
  { value: 'pip', label: 'pip', hint: 'python3 -m venv .venv, then pip install', language: 'python' },
] as const satisfies ReadonlyArray<Choice & { language: Language }>;

export type Framework = (typeof frameworks)[number]['value'];
export type Transport = (typeof transports)[number]['value'];
/**
 * Which transports each language's templates serve: `true`, or why not (refused with that text). Every
 * transport needs an entry for every language, so a new transport cannot be offered where it was never built.
 */
export const languageTransports: Record<Language, Record<Transport, true | string>> = {
  typescript: { 'streamable-http': true, sse: true, both: true },
  python: { 'streamable-http': true, sse: true, both: true },
};
/** The path of the MCP endpoint each transport's default resource ends in (`--resource`'s default). */
export const transportPaths: Record<Transport, string> = { 'streamable-http': '/mcp', sse: '/sse', both: '/mcp' };
/**
 * The transport template layers (templates/transport/, and templates/python/transport/ for Python) each choice
 * combines; the endpoints/<choice> layer says where each is served.
 */
export const transportLayers: Record<Transport, string[]> = {
  'streamable-http': ['streamable-http'],
  sse: ['sse'],
  both: ['streamable-http', 'sse'],
};
/**
 * The URL clients of each transport connect to, given the resource: what templates/endpoints/<choice>/src/transport.ts
 * serves (`endpointUrls()` there; `endpoint_urls()` in Python's), for the generated README and the CLI's next steps.
 */
export function endpointUrls(
  transport: Transport,
  resource: string,
): { streamableHttp?: string; sse?: string; sseMessagesPath?: string } {
  const sse = { 'streamable-http': undefined, sse: resource, both: `${resource}/sse` }[transport];
  return {
    ...(transport !== 'sse' && { streamableHttp: resource }),
    // The SSE transport posts messages next to its stream (templates/transport/sse/src/sse.ts).
    ...(sse && { sse, sseMessagesPath: new URL('messages', sse).pathname }),
  };
}
export type Verifier = (typeof verifiers)[number]['value'];
export type PackageManager = (typeof packageManagers)[number]['value'];
export type PythonPackageManager = Extract<(typeof packageManagers)[number], { language: 'python' }>['value'];
export type NodePackageManager = Exclude<PackageManager, PythonPackageManager>;

/**
 * Why a framework or package manager cannot go with the chosen language, naming the language's own; undefined when
 * it can.
 */
export function otherLanguageChoice(
  choices: ReadonlyArray<Choice & { language: Language }>,
  value: string,
  language: Language,
  what: string,
): string | undefined {
  const owner = choices.find((choice) => choice.value === value)?.language;
  if (owner === undefined || owner === language) return undefined;
  const own = choices.filter((choice) => choice.language === language).map((choice) => choice.value);
  return `it is a ${owner} ${what}; with --language ${language} choose ${own.join(', ')}.`;
}
