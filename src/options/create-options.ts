import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import validatePackageName from 'validate-npm-package-name';
import {
  frameworks,
  languages,
  languageTransports,
  otherLanguageChoice,
  packageManagers,
  transportPaths,
  transports,
  verifiers,
  type Language,
  type NodePackageManager,
  type PythonPackageManager,
  type Transport,
} from './choices.js';
import { pythonProjectName } from './python-names.js';
import type { OptionSpec, OptionSpecs, ResolvedOptions } from './define.js';
import { UsageError } from '../errors.js';
import { firstUnprintable, printable } from '../printable.js';
import { checkTarget } from './target.js';

export const DEFAULT_PORT = 3001;
const DEFAULT_DIRECTORY = 'logto-mcp-server';
/** OpenID Connect scopes: Logto grants these itself, so they are not scopes of the MCP server's API resource. */
export const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'phone', 'address', 'offline_access']);

/** The options of `create-logto-mcp [directory]`, in the order they are resolved and asked. */
export const createOptionSpecs = {
  language: {
    flag: '--language <name>',
    description: 'Language of the generated server',
    choices: languages,
    default: 'typescript',
    // --framework starlette alone means Python: there is nothing else to ask.
    implied: (flags) => frameworks.find((framework) => framework.value === flags.framework)?.language,
    prompt: { message: 'Language:' },
  } satisfies OptionSpec<string>,
  directory: {
    flag: '[directory]',
    description: 'Folder to create the project in; its name becomes the package name',
    default: DEFAULT_DIRECTORY,
    parse: parseDirectory,
    prompt: { message: 'Project folder:' },
  } satisfies OptionSpec<string>,
  issuer: {
    flag: '--issuer <url>',
    description:
      'Logto issuer endpoint, e.g. https://<tenant>.logto.app/oidc (Logto Console > Applications > an app > Issuer endpoint)',
    parse: parseIssuer,
    prompt: { message: 'Logto issuer endpoint (https://<tenant>.logto.app/oidc):' },
  } satisfies OptionSpec<string>,
  framework: {
    flag: '--framework <name>',
    description: 'Web framework (express, hono: TypeScript; starlette: Python)',
    choices: frameworks,
    // The chosen language's first framework: express, or starlette for Python.
    default: (answers) => frameworks.find((framework) => framework.language === answers.language)?.value,
    defaultDescription: "the language's first: express, starlette",
    refuse: (value, answers) => otherLanguageChoice(frameworks, value, answers.language as Language, 'framework'),
    prompt: { message: 'Web framework:' },
  } satisfies OptionSpec<string>,
  transport: {
    flag: '--transport <name>',
    description:
      'MCP transport (sse: the deprecated HTTP+SSE transport, only for clients without Streamable HTTP; both: Streamable HTTP, and HTTP+SSE at <resource>/sse)',
    choices: transports,
    default: 'streamable-http',
    refuse: (value, answers) => {
      const supported = languageTransports[answers.language as Language]?.[value as Transport];
      return supported === true
        ? undefined
        : `not with --language ${String(answers.language)}: ${supported ?? 'unknown transport'}`;
    },
    prompt: { message: 'MCP transport:' },
  } satisfies OptionSpec<string>,
  verifier: {
    flag: '--verifier <name>',
    description: 'How the server verifies access tokens',
    choices: verifiers,
    default: 'jwt',
    prompt: { message: 'Token verification:' },
  } satisfies OptionSpec<string>,
  resource: {
    flag: '--resource <url>',
    description: "The MCP server's public URL, also its API resource indicator in Logto",
    // An invalid --port falls back here and is reported when --port itself is resolved.
    // Built with URL, so that port 80 is left out as it must be (see parseResource).
    // The path follows the transport (resolved before): /mcp, or /sse for --transport sse (both: /mcp, SSE below it).
    default: (answers, flags) =>
      new URL(
        `http://localhost:${portOrUndefined(flags.port) ?? defaultPortFor(String(answers.issuer))}${transportPaths[answers.transport as Transport]}`,
      ).href,
    defaultDescription: 'http://localhost:<port>/mcp, or /sse with --transport sse',
    parse: parseResource,
    prompt: { message: 'Public URL of the MCP server (also the API resource indicator in Logto):' },
  } satisfies OptionSpec<string>,
  port: {
    flag: '--port <number>',
    description: 'Port the server listens on',
    default: (answers) => loopbackPort(String(answers.resource)) ?? defaultPortFor(String(answers.issuer)),
    defaultDescription: `the port in --resource, else ${DEFAULT_PORT} (${DEFAULT_PORT + 1} when the issuer is a loopback Logto on ${DEFAULT_PORT})`,
    parse: parsePort,
  } satisfies OptionSpec<number>,
  scopes: {
    flag: '--scopes <list>',
    description: 'Scopes every MCP request requires, space- or comma-separated (none: any valid token)',
    default: [],
    defaultDescription: 'none',
    parse: parseScopes,
    prompt: { message: 'Scopes every request requires (space-separated, empty for none):' },
  } satisfies OptionSpec<string[]>,
  packageManager: {
    flag: '--package-manager <name>',
    description: 'Package manager to install with',
    choices: packageManagers,
    default: (answers) =>
      answers.language === 'python'
        ? defaultPythonInstaller()
        : detectPackageManager(process.env.npm_config_user_agent),
    defaultDescription: 'the one running this command, else npm; for Python uv when it is on PATH, else pip',
    refuse: (value, answers) =>
      otherLanguageChoice(packageManagers, value, answers.language as Language, 'package manager'),
  } satisfies OptionSpec<string>,
  install: {
    flag: '--no-install',
    description: 'Do not install dependencies',
    default: true,
  } satisfies OptionSpec<boolean>,
  git: {
    flag: '--no-git',
    description: 'Do not initialise a git repository',
    default: true,
  } satisfies OptionSpec<boolean>,
  skipIssuerCheck: {
    flag: '--skip-issuer-check',
    description: "Do not fetch the issuer's discovery document (offline scaffolding)",
    default: false,
  } satisfies OptionSpec<boolean>,
  register: {
    flag: '--register',
    description:
      'Also register the server and an app for MCP clients in Logto (needs M2M credentials: see the Registration options)',
    default: false,
    prompt: {
      message: 'Register the server in Logto now (needs a machine-to-machine app with the Management API access role)?',
    },
  } satisfies OptionSpec<boolean>,
  force: {
    flag: '--force',
    description: "Write into a non-empty directory, replacing files of the same name (keeps what 'register' wrote)",
    default: false,
  } satisfies OptionSpec<boolean>,
} satisfies OptionSpecs;

export type CreateOptions = ResolvedOptions<typeof createOptionSpecs>;

/**
 * The target folder. Refuses characters that would reach the terminal raw (control characters, escape
 * sequences, bidi overrides) or mean a separator elsewhere (a backslash), `..` segments, so a typo cannot
 * write outside the intended place, and a folder that has files in it unless --force is given; checks
 * that it can be written (see checkTarget). Checked here so that nothing else is asked first.
 */
export function parseDirectory(
  raw: string,
  flags: Record<string, unknown>,
  answers: Record<string, unknown> = {},
): string {
  const unsafe = firstUnprintable(raw) ?? (raw.includes('\\') ? '\\' : undefined);
  if (unsafe !== undefined) {
    const what =
      unsafe === '\\'
        ? 'a backslash (\\), a folder separator on Windows and an escape in shells'
        : `the invisible or control character ${printable(unsafe)}`;
    throw new Error(`the project folder "${printable(raw)}" contains ${what}. Choose a name without it.`);
  }
  const trimmed = raw.trim();
  if (!trimmed) throw new Error('the project folder cannot be empty.');
  if (trimmed.split('/').includes('..'))
    throw new Error(`"${trimmed}" goes up with "..": give a folder below the current one or an absolute path.`);
  projectNameFor(trimmed, (answers.language as Language | undefined) ?? 'typescript');
  checkTarget(path.resolve(trimmed), Boolean(flags.force));
  return trimmed;
}

/** The project's package name: npm's for TypeScript, Python packaging's for Python. */
export function projectNameFor(directory: string, language: Language): string {
  return language === 'python' ? pythonProjectName(path.basename(path.resolve(directory))) : packageNameFor(directory);
}

/**
 * The npm package name for a project folder: its base name, lower-cased, with characters npm does not
 * allow turned into dashes. Throws with npm's reason when no valid name can be made from it.
 */
export function packageNameFor(directory: string): string {
  const base = path.basename(path.resolve(directory));
  const name = base
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, '-')
    .replace(/^[._-]+/, '')
    .replace(/-+$/, '');
  const verdict = validatePackageName(name);
  if (!name || !verdict.validForNewPackages) {
    const reasons = [...(verdict.errors ?? []), ...(verdict.warnings ?? [])];
    throw new Error(`"${base}" cannot be an npm package name${reasons.length ? `: ${reasons.join('; ')}` : ''}.`);
  }
  return name;
}

/** The loopback names the generated server binds and answers to. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname);
}

/** An absolute http(s) URL without credentials, query or fragment; https unless the host is loopback. */
export function parseHttpUrl(raw: string, what: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Error(`"${printable(raw)}" is not an absolute URL; the ${what} looks like https://example.com/path.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error(`the ${what} must be an http(s) URL, not ${url.protocol}.`);
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new Error(`the ${what} must use https unless its host is localhost, 127.0.0.1 or [::1]; got ${url.origin}.`);
  }
  if (url.username || url.password) throw new Error(`the ${what} must not contain a user name or password.`);
  if (url.search || url.hash) throw new Error(`the ${what} must not have a query or fragment.`);
  return url.href;
}

/**
 * Access tokens carry the issuer of the discovery document in `iss`, compared byte for byte, so the
 * issuer is kept as typed: a trailing slash is kept, and a spelling URL parsers would rewrite (a
 * capital in the host, a default port) is refused, naming the form to write, rather than rewritten.
 */
export function parseIssuer(raw: string): string {
  const href = parseHttpUrl(raw, 'issuer');
  const typed = raw.trim();
  // A bare origin is the one exception: URL writes https://x as https://x/, and either may be an issuer.
  if (typed === href || `${typed}/` === href) return typed;
  const form = !typed.endsWith('/') && new URL(href).pathname === '/' ? href.slice(0, -1) : href;
  throw new Error(`write it as ${form}: that is how URLs are written, and tokens carry the issuer byte for byte.`);
}

/**
 * The resource is compared byte for byte by MCP clients (with the metadata's `resource`) and by Logto
 * (with the API resource's indicator), so it is refused unless already written the way URL parsers
 * write it (lower-case host, no default port, percent-encoded path), rather than silently rewritten.
 */
function parseResource(raw: string): string {
  const href = parseHttpUrl(raw, 'resource');
  const { pathname } = new URL(href);
  if (pathname === '/') throw new Error(`include the MCP endpoint path, e.g. ${new URL('/mcp', href).href}.`);
  if (pathname.endsWith('/'))
    throw new Error(`drop the trailing slash (${href.replace(/\/+$/, '')}): MCP resource identifiers have none.`);
  if (href !== raw.trim())
    throw new Error(`write it as ${href}: that is the form clients and Logto compare, byte for byte.`);
  return href;
}

/**
 * The port of a plain-http loopback resource, which is then where the server itself must listen.
 * (An https or public resource is served through a proxy, so the server's port is free.)
 */
export function loopbackPort(resource: string): number | undefined {
  const url = new URL(resource);
  if (url.protocol !== 'http:' || !isLoopbackHost(url.hostname)) return undefined;
  return Number(url.port || 80);
}

function parsePort(raw: string): number {
  const port = portOrUndefined(raw);
  if (port === undefined) throw new Error(`"${raw}" is not a port number (1-65535).`);
  return port;
}

function portOrUndefined(raw: unknown): number | undefined {
  const port = Number(raw);
  return /^\d+$/.test(String(raw).trim()) && port >= 1 && port <= 65535 ? port : undefined;
}

/**
 * The server's default port: 3001, unless the issuer is a loopback Logto listening there (self-hosted Logto's
 * default port), in which case the server could not start beside it: then the next one.
 */
export function defaultPortFor(issuer: string): number {
  let issuerPort: number | undefined;
  try {
    issuerPort = loopbackPort(issuer);
  } catch {
    // Not a URL yet: the issuer's own check says so.
  }
  return issuerPort === DEFAULT_PORT ? DEFAULT_PORT + 1 : DEFAULT_PORT;
}

/** Said when the default port was moved off the issuer's (defaultPortFor); undefined otherwise. */
export function defaultPortNote(
  options: Pick<CreateOptions, 'issuer' | 'port'>,
  flags: Record<string, unknown>,
): string | undefined {
  if (
    flags.port !== undefined ||
    flags.resource !== undefined ||
    defaultPortFor(options.issuer) === DEFAULT_PORT ||
    options.port !== DEFAULT_PORT + 1
  )
    return undefined;
  return `The issuer ${options.issuer} listens on port ${DEFAULT_PORT} (self-hosted Logto's default), so the server gets port ${DEFAULT_PORT + 1}; pass --port to choose another.`;
}

/** Checks between options: a loopback resource is served by this very process, so its port must be ours. */
export function checkCreateOptions(options: CreateOptions): void {
  // The SSE transport posts messages to `messages` beside the stream (templates/transport/sse): it cannot be the stream.
  if (options.transport === 'sse' && new URL('messages', options.resource).href === options.resource) {
    throw new UsageError(
      `--resource ${options.resource} cannot be an SSE stream: its messages are posted there. Give the stream another path, such as ${new URL('sse', options.resource).href}.`,
    );
  }
  const resourcePort = loopbackPort(options.resource);
  if (resourcePort !== undefined && resourcePort !== options.port) {
    throw new UsageError(
      `--port ${options.port} does not match the port of --resource ${options.resource} (${resourcePort}); the server would not answer at its own resource URL. Drop --port or make them agree.`,
    );
  }
}

// RFC 6749 §3.3 scope-token: printable ASCII except space, double quote and backslash.
export const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export function parseScopes(raw: string): string[] {
  const scopes = [...new Set(raw.split(/[\s,]+/).filter(Boolean))];
  for (const scope of scopes) {
    if (!SCOPE_TOKEN.test(scope))
      throw new Error(`"${scope}" is not a valid OAuth scope (printable ASCII, no quotes or backslashes).`);
    if (OIDC_SCOPES.has(scope)) {
      throw new Error(
        `"${scope}" is an OpenID Connect scope that Logto handles itself; list only your MCP server's own scopes, such as read:whoami.`,
      );
    }
  }
  return scopes;
}

/** The package manager that runs us, from the user agent npm, pnpm, yarn and bun set for `create` commands. */
export function detectPackageManager(userAgent: string | undefined): NodePackageManager {
  const name = userAgent?.split(' ')[0]?.split('/')[0];
  return packageManagers.some((pm) => pm.value === name && pm.language === 'typescript')
    ? (name as NodePackageManager)
    : 'npm';
}

/** uv when an executable `uv` is on PATH (looked up without running it), else pip. */
export function defaultPythonInstaller(searchPath = process.env.PATH ?? ''): PythonPackageManager {
  const onPath = searchPath
    .split(path.delimiter)
    .filter(Boolean)
    .some((dir) => {
      try {
        accessSync(path.join(dir, 'uv'), constants.X_OK);
        return statSync(path.join(dir, 'uv')).isFile();
      } catch {
        return false;
      }
    });
  return onPath ? 'uv' : 'pip';
}
