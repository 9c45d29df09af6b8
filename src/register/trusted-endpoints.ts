// Where M2M credentials may be sent without asking. A project's .env is private, but it is often a
// copy of the committed .env.example (a fresh clone's README says to make one), so an issuer read from
// it may be whatever someone put in a pull request. Like SSH's known_hosts, this machine remembers the
// Logto endpoints its user named themselves (a flag, an environment variable, a prompt, `create`), and
// asks before sending the credentials anywhere else; without a terminal it refuses.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as v from 'valibot';
import { UsageError } from '../errors.js';
import type { ManagementTarget } from '../logto/endpoints.js';
import type { Ui } from '../ui.js';

const TrustedFile = v.object({ endpoints: v.array(v.string()) });

/** `$XDG_CONFIG_HOME/create-logto-mcp/trusted-endpoints.json` (when absolute), else under `~/.config`. */
export function trustedEndpointsFile(env: NodeJS.ProcessEnv = process.env): string {
  // The XDG spec: a relative XDG_CONFIG_HOME is ignored (it could point into the project at hand).
  const xdg = env.XDG_CONFIG_HOME;
  const configHome = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.config');
  return path.join(configHome, 'create-logto-mcp', 'trusted-endpoints.json');
}

// The file is small and read on every create: synchronous calls, each of which would otherwise be a trip
// through libuv's thread pool that the run waits for (as render.ts does with the templates).
function readTrusted(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  try {
    const parsed = v.safeParse(TrustedFile, JSON.parse(text));
    return parsed.success ? parsed.output.endpoints : [];
  } catch {
    return [];
  }
}

export async function isTrustedEndpoint(endpoint: string, file = trustedEndpointsFile()): Promise<boolean> {
  return readTrusted(file).includes(endpoint);
}

/** Remembers an endpoint. Best effort: if the file cannot be written, the next run simply asks again. */
export async function trustEndpoint(endpoint: string, file = trustedEndpointsFile()): Promise<void> {
  const endpoints = readTrusted(file);
  if (endpoints.includes(endpoint)) return;
  // A name no other run picks (and `wx` refuses to reuse one), without loading node:crypto for it.
  const temporary = `${file}.${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}.tmp`;
  let written = false;
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(temporary, `${JSON.stringify({ endpoints: [...endpoints, endpoint].sort() }, null, 2)}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
    written = true;
    renameSync(temporary, file);
  } catch {
    if (written) rmSync(temporary, { force: true }); // never another run's file of the same name
  }
}

/** Where the issuer, and so the Logto that would receive the credentials, came from in this run. */
export type EndpointSource = 'given' | 'project-env';

/**
 * Lets the credentials go to `target` when the user named it in this run (then it is remembered), or
 * named it before on this machine; otherwise asks in a terminal (default no), or refuses naming the flag.
 */
export async function checkCredentialsTarget(
  target: ManagementTarget,
  source: EndpointSource,
  { issuer, ui, confirm }: { issuer: string; ui: Ui; confirm?: (question: string) => Promise<boolean> },
): Promise<void> {
  const endpoint = target.managementEndpoint;
  if (source === 'given') return trustEndpoint(endpoint);
  if (await isTrustedEndpoint(endpoint)) return;
  const why =
    `LOGTO_ISSUER in the project's .env is ${issuer}: the M2M credentials would go to ${endpoint}, where they have not ` +
    `been sent from this machine before. A .env is often a copy of the committed .env.example, which anyone who can change the repository controls.`;
  if (confirm) {
    ui.warn(why);
    if (await confirm(`Send the M2M credentials to ${endpoint}?`)) return trustEndpoint(endpoint);
    throw new UsageError('Not confirmed; nothing was sent.');
  }
  throw new UsageError(
    `${why} If that is your Logto, say so: pass --issuer ${issuer} (or set LOGTO_ISSUER). Nothing was sent.`,
  );
}

/**
 * 'given' when this run named the Logto itself: --issuer, LOGTO_ISSUER in the environment, --tenant-id,
 * --management-endpoint, or a prompt (the .env had no issuer); 'project-env' when the issuer is the .env's.
 */
export function endpointSource(
  flags: Record<string, unknown>,
  projectEnv: Record<string, string>,
  env: NodeJS.ProcessEnv = process.env,
): EndpointSource {
  // The same value as .env's is most likely .env exported into the shell (direnv, `set -a; . ./.env`), not a choice.
  const fromEnvironment = Boolean(env.LOGTO_ISSUER) && env.LOGTO_ISSUER !== projectEnv.LOGTO_ISSUER;
  const named = ['issuer', 'tenantId', 'managementEndpoint'].some((key) => flags[key] !== undefined) || fromEnvironment;
  return named || !projectEnv.LOGTO_ISSUER ? 'given' : 'project-env';
}
