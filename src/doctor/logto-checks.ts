// What Logto holds for the server, read with register's M2M credentials and sent only where register would send
// them (trusted-endpoints.ts): the API resource with exactly the server's indicator and its scopes, the app and
// its consent scopes, type and redirect URIs, a role granting the scopes and who holds it, the claims script.
import { UsageError } from '../errors.js';
import { resolveManagementTarget, type ManagementTarget } from '../logto/endpoints.js';
import { explainLogtoError } from '../logto/explain.js';
import { ManagementApi, type Scope } from '../logto/management-api.js';
import { printable } from '../printable.js';
import { blockLabel, parseScript } from '../register/claims-script.js';
import { REGISTRATION_KEY } from '../register/ownership.js';
import { NATIVE_CLIENT_REDIRECT_URIS } from '../register/register.js';
import { checkCredentialsTarget, endpointSource } from '../register/trusted-endpoints.js';
import type { Target } from '../try/target.js';
import { confirmer, type Ui } from '../ui.js';
import { fail, pass, skipped, warn, type Checklist } from './check.js';
import { urlDifferences } from './compare-urls.js';

export interface LogtoCheckInput {
  target: Target;
  /** The issuer the user named (flag, environment or the project's .env); never one the server's metadata names. */
  issuer: string | undefined;
  options: { appId?: string; m2mAppId?: string; m2mAppSecret?: string; tenantId?: string; managementEndpoint?: string; managementResource?: string };
  flags: Record<string, unknown>;
  /** Whether the user can be asked (a terminal, no --json) before the credentials go to a Logto not named before. */
  interactive: boolean;
  ui: Ui;
  fetch?: typeof fetch;
}

const TITLES = {
  'logto.connect': 'Management API reachable with the M2M credentials',
  'logto.resource': 'API resource with exactly the server’s indicator',
  'logto.scopes': 'The resource has the scopes the server declares',
  'logto.app': 'The app MCP clients sign in with exists',
  'logto.app.third-party': 'The app is third-party (consent screen)',
  'logto.app.consent': "The app's consent scopes cover the server's scopes",
  'logto.app.redirects': "The app's type and redirect URIs suit MCP clients",
  'logto.role': 'A role grants the scopes',
  'logto.role.users': 'Some user holds that role',
  'logto.profile-claims': 'Profile claims script in place',
} as const;
type Id = keyof typeof TITLES;

export async function logtoChecks(list: Checklist, input: LogtoCheckInput): Promise<void> {
  const { options, target } = input;
  const skipAll = (why: string, from: Id = 'logto.connect') => {
    const ids = Object.keys(TITLES) as Id[];
    for (const id of ids.slice(ids.indexOf(from))) list.add(skipped(id, TITLES[id], why));
  };
  if (!options.m2mAppId || !options.m2mAppSecret) {
    return skipAll('no M2M credentials: set LOGTO_M2M_APP_ID and LOGTO_M2M_APP_SECRET (or --m2m-app-id) as for register');
  }
  if (!input.issuer) {
    return skipAll("no issuer named: the M2M credentials go only to a Logto you name (LOGTO_ISSUER in .env, the environment or --issuer), never to one the server's metadata names");
  }
  const env = target.project?.env ?? {};
  let management: ManagementTarget;
  let api: ManagementApi;
  try {
    management = resolveManagementTarget({ ...options, issuer: input.issuer });
    const confirm = confirmer(input.interactive);
    await checkCredentialsTarget(management, endpointSource(input.flags, env), { issuer: input.issuer, ui: input.ui, confirm });
    try {
      api = await ManagementApi.connect({ endpoint: management.managementEndpoint, resource: management.resource, appId: options.m2mAppId, appSecret: options.m2mAppSecret, fetch: input.fetch });
    } catch (error) {
      throw explainLogtoError(error, management, options.m2mAppId);
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    list.add(fail('logto.connect', TITLES['logto.connect'], error.message, 'Fix what the message names, then run doctor again.'));
    return skipAll('the Management API could not be used', 'logto.resource');
  }
  list.add(pass('logto.connect', TITLES['logto.connect'], management.explanation));

  try {
    await checkRegistration(list, api, input, env);
  } catch (error) {
    const explained = explainLogtoError(error, management, options.m2mAppId);
    if (!(explained instanceof UsageError)) throw explained;
    list.add(fail('logto.api', 'Management API answered', explained.message, 'Fix what the message names, then run doctor again.'));
  }
}

async function checkRegistration(list: Checklist, api: ManagementApi, input: LogtoCheckInput, env: Record<string, string>): Promise<void> {
  const indicator = input.target.url;
  const project = input.target.project;
  const declared = [...new Set([...(env.MCP_REQUIRED_SCOPES ?? '').split(/[\s,]+/).filter(Boolean), ...Object.values(project?.toolScopes ?? {}).flat()])];
  const add = (check: ReturnType<typeof pass>) => list.add(check);
  const skipFrom = (ids: Id[], why: string) => ids.forEach((id) => add(skipped(id, TITLES[id], why)));

  // The resource: exactly that string, as Logto compares resource indicators.
  const resources = await api.listResources();
  const resource = resources.find((r) => r.indicator === indicator);
  let scopes: Scope[] = [];
  if (resource) {
    add(pass('logto.resource', TITLES['logto.resource'], `${resource.name} (${resource.id})`));
    scopes = await api.listScopes(resource.id);
    const missing = declared.filter((name) => !scopes.some((scope) => scope.name === name));
    if (declared.length === 0) add(pass('logto.scopes', TITLES['logto.scopes'], 'the server declares no scope of its own'));
    else if (missing.length === 0) add(pass('logto.scopes', TITLES['logto.scopes'], declared.join(' ')));
    else add(fail('logto.scopes', TITLES['logto.scopes'], `missing: ${missing.join(' ')}`, 'Run register again: it creates the scopes MCP_REQUIRED_SCOPES and tool-scopes.json declare.'));
  } else {
    const near = resources.filter((r) => sameModuloSpelling(r.indicator, indicator));
    const detail = near.length
      ? near.map((r) => urlDifferences('Logto', r.indicator, 'the server', indicator).join('; ')).join(' | ')
      : `no API resource has the indicator ${indicator}`;
    add(
      fail('logto.resource', TITLES['logto.resource'], detail, near.length ? `Use one spelling: set MCP_RESOURCE to ${near[0]!.indicator}, or run register to create ${indicator}.` : 'Run register: it creates the API resource with exactly this indicator.'),
    );
    skipFrom(['logto.scopes'], 'no API resource');
  }
  const scopeIds = declared.map((name) => scopes.find((scope) => scope.name === name)?.id).filter((id): id is string => id !== undefined);

  // The app.
  const appId = input.options.appId ?? env.LOGTO_APP_ID;
  const app = appId ? await api.getApplication(appId) : null;
  if (!appId || !app) {
    const why = appId ? `no app with ID ${printable(appId)} in this Logto` : "no LOGTO_APP_ID in the project's .env and no --app-id";
    add(fail('logto.app', TITLES['logto.app'], why, 'Run register: it creates the app and writes LOGTO_APP_ID to .env.'));
    skipFrom(['logto.app.third-party', 'logto.app.consent', 'logto.app.redirects'], 'no app');
  } else {
    add(pass('logto.app', TITLES['logto.app'], `${app.name} (${app.type}, ${app.id})`));
    if (app.isThirdParty) {
      add(pass('logto.app.third-party', TITLES['logto.app.third-party'], 'third-party: users see a consent screen naming the scopes'));
      const consent = await api.getConsentScopes(app.id);
      const granted = new Set(consent.resourceScopes.flatMap((group) => group.scopes.map((scope) => scope.id)));
      const missing = declared.filter((name, i) => !granted.has(scopeIds[i] ?? `missing:${name}`));
      const missingUser = ['profile', 'email'].filter((scope) => !consent.userScopes.includes(scope as never));
      if (missing.length > 0) {
        add(fail('logto.app.consent', TITLES['logto.app.consent'], `not among its consent scopes: ${missing.join(' ')} (Logto drops them from the token)`, 'Run register again: it adds the consent scopes.'));
      } else if (missingUser.length > 0) {
        add(warn('logto.app.consent', TITLES['logto.app.consent'], `user scopes lack ${missingUser.join(', ')}: a third-party app may request only its consented OIDC scopes, so the sign-in asking for them fails (invalid_scope)`, 'Add profile and email to the app’s consent scopes (run register again).'));
      } else add(pass('logto.app.consent', TITLES['logto.app.consent'], `user scopes ${consent.userScopes.join(' ')}; resource scopes ${declared.join(' ') || '(none needed)'}`));
    } else {
      add(warn('logto.app.third-party', TITLES['logto.app.third-party'], 'first-party: no consent screen; right for your own client, not for third-party agents', 'Register a third-party app (register without --first-party) for agents you do not control.'));
      add(skipped('logto.app.consent', TITLES['logto.app.consent'], 'a first-party app has no consent scopes'));
    }
    const redirects = app.oidcClientMetadata.redirectUris;
    if (app.type === 'Native') {
      const loopback = redirects.filter((uri) => /^http:\/\/(127\.0\.0\.1|localhost)\//.test(uri));
      if (loopback.length > 0) add(pass('logto.app.redirects', TITLES['logto.app.redirects'], `Native, loopback redirects on any port: ${loopback.join(' ')}`));
      else {
        add(fail('logto.app.redirects', TITLES['logto.app.redirects'], `Native, but no loopback redirect URI (has: ${redirects.join(' ') || 'none'})`, `Add ${NATIVE_CLIENT_REDIRECT_URIS.slice(0, 2).join(' and ')} (run register again): desktop and CLI clients, and try, redirect there.`));
      }
    } else if (app.type === 'MachineToMachine') {
      add(fail('logto.app.redirects', TITLES['logto.app.redirects'], 'a machine-to-machine app cannot sign users in', 'Use a Native (desktop and CLI clients) or Traditional (web agents) app: run register without --app-id.'));
    } else {
      add(warn('logto.app.redirects', TITLES['logto.app.redirects'], `${app.type}: Logto matches its redirect URIs exactly (${redirects.join(' ') || 'none'}), so desktop and CLI clients on loopback ports cannot use it`, 'For desktop and CLI MCP clients register a Native app (--app-type native); keep this one for the web agent whose redirect URI it lists.'));
    }
  }

  // A role granting the scopes, and whether anyone holds it.
  if (declared.length === 0) skipFrom(['logto.role', 'logto.role.users'], 'the server requires no scope: any signed-in user gets a token for it');
  else if (scopeIds.length < declared.length) skipFrom(['logto.role', 'logto.role.users'], 'the scopes do not all exist');
  else {
    const roles = (await api.listRoles()).filter((role) => role.type === 'User');
    const granting = [];
    for (const role of roles) {
      const held = new Set((await api.listRoleScopes(role.id)).map((scope) => scope.id));
      if (scopeIds.every((id) => held.has(id))) granting.push(role);
    }
    if (granting.length === 0) {
      add(fail('logto.role', TITLES['logto.role'], `no user role grants ${declared.join(' ')}: tokens will carry none of them`, 'Run register again: it creates a role granting the scopes (then assign it to users).'));
      skipFrom(['logto.role.users'], 'no role');
    } else {
      add(pass('logto.role', TITLES['logto.role'], granting.map((role) => `"${printable(role.name)}"${role.isDefault ? ' (default role)' : ''}`).join(', ')));
      const holders = [];
      for (const role of granting) holders.push(...(await api.listRoleUsers(role.id)));
      if (granting.some((role) => role.isDefault)) add(pass('logto.role.users', TITLES['logto.role.users'], `a default role: every new user gets it${holders.length ? `; ${holders.length} user(s) hold one now` : ''}`));
      else if (holders.length > 0) add(pass('logto.role.users', TITLES['logto.role.users'], `${holders.length} user(s)`));
      else {
        add(warn('logto.role.users', TITLES['logto.role.users'], 'no user holds it: every user gets a token without the scopes', 'Assign the role in Logto Console > User management > a user > Roles, or make it a default role (register --default-role).'));
      }
    }
  }

  // The profile claims script: whoami shows username, name and email only through it.
  const expected = project?.record?.created.profileClaims === true;
  const script = await api.getAccessTokenClaims();
  const parsed = parseScript(script?.script);
  const key = env[REGISTRATION_KEY];
  const label = key ? blockLabel({ resource: indicator, key }) : undefined;
  const prefix = `profile claims for ${JSON.stringify(indicator)}`;
  const found = parsed.ok && parsed.blocks.some((block) => (label ? block.label === label : block.label.startsWith(prefix)));
  if (found) add(pass('logto.profile-claims', TITLES['logto.profile-claims'], `the tenant's access-token script has this server's block`));
  else {
    const detail = parsed.ok ? "the tenant's access-token script has no block for this server" : `the tenant's access-token script cannot be read as blocks (${parsed.reason})`;
    const fix = 'Run register again (without --no-profile-claims), or add the claims by hand: see the project README, "Profile claims".';
    add(expected ? fail('logto.profile-claims', TITLES['logto.profile-claims'], `${detail}, although register installed one`, fix) : warn('logto.profile-claims', TITLES['logto.profile-claims'], `${detail}: whoami will show no username, name or email`, fix));
  }
}

/** The same URL but for the spellings doctor names: case, localhost vs 127.0.0.1, a trailing slash. */
function sameModuloSpelling(a: string, b: string): boolean {
  const canon = (raw: string) => {
    if (!URL.canParse(raw)) return raw;
    const url = new URL(raw);
    const host = url.hostname === 'localhost' || url.hostname === '[::1]' ? '127.0.0.1' : url.hostname;
    return `${url.protocol}//${host}:${url.port}${url.pathname.replace(/\/+$/, '')}`.toLowerCase();
  };
  return canon(a) === canon(b);
}
