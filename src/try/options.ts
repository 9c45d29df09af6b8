import { parseHttpUrl } from '../options/create-options.js';
import type { OptionSpec } from '../options/define.js';
import { SCOPE_TOKEN } from '../options/create-options.js';
import { parseDuration } from './duration.js';

/** The argument of try and doctor (read by try/target.ts's resolveTarget). */
export const targetArgument = {
  name: 'mcp-url',
  description:
    "The MCP server's URL, or a project folder (default: the current folder's project, MCP_RESOURCE in its .env)",
};

/** The flags of `try`; the app's ID and secret default to what `register` wrote to the project's private .env. */
export const tryOptionSpecs = {
  appId: {
    flag: '--app-id <id>',
    optional: true,
    description: 'ID of the Logto app to sign in with',
    defaultDescription: "LOGTO_APP_ID in the project's .env, written by register",
    parse: (raw) => nonEmpty(raw, 'the app ID'),
  } satisfies OptionSpec<string>,
  appSecret: {
    flag: '--app-secret <secret>',
    optional: true,
    description: 'Secret of that app, for a Traditional web app (prefer the .env: flags end up in shell history)',
    defaultDescription: "LOGTO_APP_SECRET in the project's .env",
    parse: (raw) => nonEmpty(raw, 'the app secret'),
  } satisfies OptionSpec<string>,
  scope: {
    flag: '--scope <scopes>',
    optional: true,
    description: "Scopes to request, space- or comma-separated, instead of those the server's challenge names",
    parse: (raw) => {
      const scopes = [...new Set(raw.split(/[\s,]+/).filter(Boolean))];
      if (scopes.length === 0) throw new Error('give at least one scope.');
      const bad = scopes.find((scope) => !SCOPE_TOKEN.test(scope));
      if (bad !== undefined)
        throw new Error(`"${bad}" is not a valid OAuth scope (printable ASCII, no quotes or backslashes).`);
      return scopes.join(' ');
    },
  } satisfies OptionSpec<string>,
  tool: {
    flag: '--tool <name>',
    description: 'The tool to call once signed in',
    default: 'whoami',
    parse: (raw) => {
      if (!/^[A-Za-z0-9_.-]{1,128}$/.test(raw))
        throw new Error(`"${raw}" is not a tool name (letters, digits, _ . -).`);
      return raw;
    },
  } satisfies OptionSpec<string>,
  args: {
    flag: '--args <json>',
    description: "The tool's arguments, as a JSON object",
    default: {},
    defaultDescription: '{}',
    parse: (raw) => {
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        throw new Error(`${raw} is not JSON; give an object such as '{"name":"Ada"}'.`);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw new Error('the arguments must be a JSON object.');
      return value as Record<string, unknown>;
    },
  } satisfies OptionSpec<Record<string, unknown>>,
  stepUp: {
    flag: '--step-up',
    description:
      'When the server answers 403 insufficient_scope, sign in again for the scopes it names (in a terminal, try asks)',
    default: false,
  } satisfies OptionSpec<boolean>,
  open: {
    flag: '--no-open',
    description: 'Do not open the system browser; only print the authorization URL',
    default: true,
  } satisfies OptionSpec<boolean>,
  port: {
    flag: '--port <number>',
    optional: true,
    description:
      'Port of the loopback redirect http://127.0.0.1:<port>/callback, for an app whose redirect URIs Logto matches exactly (Traditional, SPA)',
    defaultDescription: 'any free port (a Native app matches loopback redirects on any port)',
    parse: (raw) => {
      const port = Number(raw);
      if (!Number.isInteger(port) || port < 1 || port > 65535)
        throw new Error(`"${raw}" is not a port number (1-65535).`);
      return port;
    },
  } satisfies OptionSpec<number>,
  timeout: {
    flag: '--timeout <duration>',
    description: 'How long to wait for the sign-in: seconds, or with s or m (90s, 5m)',
    default: 300_000,
    defaultDescription: '5m',
    parse: parseDuration,
  } satisfies OptionSpec<number>,
};

export function parseMcpUrl(raw: string): string {
  return parseHttpUrl(raw, 'MCP server URL');
}

function nonEmpty(raw: string, what: string): string {
  const text = raw.trim();
  if (!text) throw new Error(`${what} cannot be empty.`);
  return text;
}
