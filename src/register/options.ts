import { UsageError } from '../errors.js';
import { TENANT_ID } from '../logto/endpoints.js';
import { createOptionSpecs, parseHttpUrl, parseScopes } from '../options/create-options.js';
import type { Choice, OptionSpec, OptionSpecs, ResolvedOptions } from '../options/define.js';
import type { Project } from './project.js';

export const appTypes = [
  { value: 'native', label: 'Native', hint: 'desktop and CLI MCP clients; loopback redirects on any port, no secret' },
  { value: 'traditional', label: 'Traditional web', hint: 'web agents that keep a client secret; exact redirect URIs' },
  { value: 'spa', label: 'Single-page app', hint: 'browser-based clients; exact redirect URIs, no secret' },
] as const satisfies readonly Choice[];

export type AppTypeChoice = (typeof appTypes)[number]['value'];

/**
 * The options of registering with Logto, shared by `create --register` and `register`, so both take the same flags.
 * Only the M2M credentials are asked for; everything else has a default or is derived from the project.
 */
export const registerOptionSpecs = {
  m2mAppId: {
    flag: '--m2m-app-id <id>',
    description: 'App ID of a Logto machine-to-machine app that has the Management API access role',
    env: 'LOGTO_M2M_APP_ID',
    parse: (raw) => nonEmpty(raw, 'the M2M app ID'),
    prompt: { message: 'M2M app ID (Logto Console > Applications > your machine-to-machine app):' },
  } satisfies OptionSpec<string>,
  m2mAppSecret: {
    flag: '--m2m-app-secret <secret>',
    description: 'Secret of that M2M app (prefer the environment variable: flags end up in shell history)',
    env: 'LOGTO_M2M_APP_SECRET',
    parse: (raw) => nonEmpty(raw, 'the M2M app secret'),
    prompt: { message: 'M2M app secret:', secret: true },
  } satisfies OptionSpec<string>,
  tenantId: {
    flag: '--tenant-id <id>',
    optional: true,
    description:
      'Logto Cloud tenant ID, needed when the issuer uses a custom domain (custom domains cannot serve the Management API)',
    parse: (raw) => {
      if (!TENANT_ID.test(raw.trim()))
        throw new Error(`"${raw}" is not a Logto Cloud tenant ID (lower-case letters and digits).`);
      return raw.trim();
    },
  } satisfies OptionSpec<string>,
  managementEndpoint: {
    flag: '--management-endpoint <url>',
    optional: true,
    description: 'Where to call the Management API',
    defaultDescription: 'https://<tenant>.logto.app with --tenant-id, else the issuer without /oidc',
    parse: (raw) => parseHttpUrl(raw, 'management endpoint'),
  } satisfies OptionSpec<string>,
  managementResource: {
    flag: '--management-resource <url>',
    optional: true,
    description: 'Management API resource indicator',
    defaultDescription: 'https://<tenant>.logto.app/api on Logto Cloud, https://default.logto.app/api self-hosted',
    parse: (raw) => parseHttpUrl(raw, 'management resource'),
  } satisfies OptionSpec<string>,
  appName: {
    flag: '--app-name <name>',
    optional: true,
    description: 'Name of the app MCP clients sign in with (shown on the consent screen)',
    defaultDescription: '"<project name> MCP client"',
    parse: (raw) => nonEmpty(raw, 'the app name'),
  } satisfies OptionSpec<string>,
  // appType, firstParty and redirectUri have no default here: left out, a re-run keeps what the registered
  // app has in Logto, and a new app gets a native third-party app with the loopback redirect URIs (register/app.ts).
  appType: {
    flag: '--app-type <type>',
    description: 'Type of that app',
    choices: appTypes,
    optional: true,
    defaultDescription: 'what the registered app is, else native',
  } satisfies OptionSpec<AppTypeChoice>,
  firstParty: {
    flag: '--first-party',
    description: 'Register a first-party app (your own client) instead of a third-party one with a consent screen',
    optional: true,
    defaultDescription: 'what the registered app is, else third-party',
  } satisfies OptionSpec<boolean>,
  redirectUri: {
    flag: '--redirect-uri <uri>',
    description:
      "A redirect URI of the app, repeatable (web agents); native apps also get the loopback URIs of desktop and CLI clients. Given on a re-run, it replaces the app's list",
    repeatable: true,
    optional: true,
    // Checked by parseRedirectUri when registering: a parse here would have to return string[] for one value.
    defaultDescription: "the registered app's, else none",
  } satisfies OptionSpec<string[]>,
  roleName: {
    flag: '--role-name <name>',
    optional: true,
    description: "Role that grants the server's scopes to users",
    defaultDescription: '"<project name> user"',
    parse: (raw) => nonEmpty(raw, 'the role name'),
  } satisfies OptionSpec<string>,
  assignUser: {
    flag: '--assign-user <username|email>',
    description: 'Give this existing Logto user the role (repeatable): a user without it gets tokens with no scope',
    repeatable: true,
    default: [],
  } satisfies OptionSpec<string[]>,
  defaultRole: {
    flag: '--default-role',
    description: 'Make that role a default role, given to every new user',
    default: false,
  } satisfies OptionSpec<boolean>,
  adopt: {
    flag: '--adopt',
    description:
      'Reuse an existing app/role of the same name that this project did not create (unregister leaves it in place)',
    default: false,
  } satisfies OptionSpec<boolean>,
  appLogo: {
    flag: '--app-logo <url>',
    optional: true,
    description: 'Logo URL shown on the consent screen',
    parse: (raw) => parseHttpUrl(raw, 'logo URL'),
  } satisfies OptionSpec<string>,
  termsUrl: {
    flag: '--terms-url <url>',
    optional: true,
    description: 'Terms of use URL shown on the consent screen',
    parse: (raw) => parseHttpUrl(raw, 'terms URL'),
  } satisfies OptionSpec<string>,
  privacyUrl: {
    flag: '--privacy-url <url>',
    optional: true,
    description: 'Privacy policy URL shown on the consent screen',
    parse: (raw) => parseHttpUrl(raw, 'privacy policy URL'),
  } satisfies OptionSpec<string>,
  displayName: {
    flag: '--display-name <name>',
    optional: true,
    description: 'Name shown on the consent screen instead of the app name',
    parse: (raw) => nonEmpty(raw, 'the display name'),
  } satisfies OptionSpec<string>,
  enableDynamicApps: {
    flag: '--enable-dynamic-apps',
    description: 'Also accept MCP clients that identify with a Client ID Metadata Document (tenant-wide; Logto 1.43+)',
    default: false,
  } satisfies OptionSpec<boolean>,
  profileClaims: {
    flag: '--no-profile-claims',
    description:
      "Do not add the user's username, name and email to this server's access tokens (register installs a block of the tenant's custom access-token claims script; Logto Cloud offers it on some plans only)",
    default: true,
  } satisfies OptionSpec<boolean>,
  showSecret: {
    flag: '--show-secret',
    description: "Include the app's secret in --json output (it is always written to .env)",
    default: false,
  } satisfies OptionSpec<boolean>,
} satisfies OptionSpecs;

/** The resolved register flags, as their declarations above say. */
export type RegisterFlagOptions = ResolvedOptions<typeof registerOptionSpecs>;

/** What registerProject needs: the resolved flags plus what the project itself says (projectOptionSpecs). */
export type RegisterOptions = RegisterFlagOptions &
  Pick<ResolvedOptions<ReturnType<typeof projectOptionSpecs>>, 'issuer' | 'resource' | 'scopes'> & {
    /** The package name, else the folder name (readProject). */
    projectName: string;
  };

function nonEmpty(raw: string, what: string): string {
  const text = raw.trim();
  if (!text) throw new Error(`${what} cannot be empty.`);
  return text;
}

/** http(s) (https unless loopback) or a private-use scheme such as cursor://, which native clients use. */
export function parseRedirectUri(raw: string): string {
  const text = raw.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`"${raw}" is not an absolute URI.`);
  }
  if (url.hash) throw new Error(`a redirect URI cannot have a fragment: ${text}`);
  // Kept as typed: Logto compares redirect URIs as strings.
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    parseHttpUrl(`${url.origin}${url.pathname}`, 'redirect URI');
    return text;
  }
  if (!/^[a-z][a-z0-9+.-]*:$/.test(url.protocol) || ['javascript:', 'data:', 'file:'].includes(url.protocol)) {
    throw new Error(`"${url.protocol}" cannot be a redirect URI scheme.`);
  }
  return text;
}

/** The argument of register and unregister. */
export const projectArgument = { name: 'directory', description: 'The project folder', default: '.' };

/**
 * --issuer, --resource, --scopes for a command run on an existing project: read from the project's
 * private .env, a flag overriding it. Never from .env.example or another committed file (project.ts).
 */
export function projectOptionSpecs(project?: Pick<Project, 'env' | 'envNote' | 'exampleEnv'>) {
  const env = project?.env ?? {};
  const fromEnv = (name: string) => env[name] || undefined;
  // Said in the "Missing --issuer" error, so a user of a fresh clone learns why .env.example was not used.
  const note = (name: string) => (project?.envNote && !fromEnv(name) ? `; ${project.envNote}` : '');
  // Without a .env (a fresh clone), the example's scopes: they only say which scopes this resource gets.
  const scopesFrom = project && !project.envNote ? '.env' : '.env.example';
  let scopes: string[];
  try {
    scopes = parseScopes((scopesFrom === '.env' ? env : (project?.exampleEnv ?? {})).MCP_REQUIRED_SCOPES ?? '');
  } catch (error) {
    throw new UsageError(
      `The project's MCP_REQUIRED_SCOPES (in ${scopesFrom}) is invalid: ${(error as Error).message}`,
    );
  }
  // The .env value is the default and is not asked for; without it the create command's prompt asks.
  const fromProjectEnv = (spec: OptionSpec<string>, name: string): OptionSpec<string> => ({
    ...spec,
    // The issuer may also come from this run's environment: then the user named it (trusted-endpoints.ts).
    ...(name === 'LOGTO_ISSUER' ? { env: name } : {}),
    description: `${spec.description}${note(name)}`,
    default: fromEnv(name),
    defaultDescription: `${name} in the project's .env`,
    prompt: fromEnv(name) ? undefined : spec.prompt,
  });
  return {
    issuer: fromProjectEnv(createOptionSpecs.issuer, 'LOGTO_ISSUER'),
    resource: fromProjectEnv(createOptionSpecs.resource, 'MCP_RESOURCE'),
    scopes: {
      ...createOptionSpecs.scopes,
      description:
        "Scopes every request requires, space- or comma-separated; the tools' scopes are read from tool-scopes.json and created too",
      default: scopes,
      defaultDescription: "MCP_REQUIRED_SCOPES in the project's .env (else .env.example)",
      prompt: undefined,
    },
  } satisfies OptionSpecs;
}
