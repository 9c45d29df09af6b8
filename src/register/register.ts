import path from 'node:path';
import { UsageError } from '../errors.js';
import { isLogtoOwnResource, resolveManagementTarget, type ManagementTarget } from '../logto/endpoints.js';
import { explainLogtoError } from '../logto/explain.js';
import {
  LogtoApiError,
  ManagementApi,
  type Application,
  type ApplicationType,
  type ConsentScopesInput,
  type Role,
  type UserConsentScopes,
  type UserScope,
} from '../logto/management-api.js';
import { cliInvocation } from '../invocation.js';
import { printable } from '../printable.js';
import { shell } from '../render/encoders.js';
import type { Ui } from '../ui.js';
import { flagName, type OptionSpecs } from '../options/define.js';
import { parseRedirectUri, registerOptionSpecs, type AppTypeChoice, type RegisterOptions } from './options.js';
import {
  appDescription,
  appMark,
  isOwnApp,
  isOwnRole,
  isRegistrationKey,
  isSignedCreated,
  newRegistrationKey,
  REGISTRATION_KEY,
  roleDescription,
  signCreated,
  type ProjectMark,
} from './ownership.js';
import { PROFILE_CLAIMS, parseScript, profileClaimsBlock, scriptFor, withBlock } from './claims-script.js';
import { CONFIG_FILE, readProject, saveRecord, setEnvValues, TOOL_SCOPES_FILE, type LogtoRecord } from './project.js';

export type Status = 'created' | 'existing' | 'updated';

/** What registration did, printed as text or, with --json, as this object. Holds the app secret only with --show-secret. */
export interface RegisterSummary {
  logto: { endpoint: string; managementEndpoint: string; managementResource: string; deployment: 'cloud' | 'self-hosted' };
  resource: { id: string; indicator: string; status: Status };
  scopes: Array<{ id: string; name: string; status: Status }>;
  /** Null when the server has no scopes: there is nothing for a role to grant. */
  role: { id: string; name: string; isDefault: boolean; status: Status } | null;
  application: {
    id: string;
    name: string;
    type: AppTypeChoice;
    thirdParty: boolean;
    redirectUris: string[];
    hasSecret: boolean;
    secret?: string;
    status: Status;
  };
  /** Consent scopes of a third-party app; null for a first-party app. */
  consentScopes: { userScopes: string[]; resourceScopes: string[]; status: Status } | null;
  branding: { status: Status } | null;
  dynamicApps: { status: Status } | null;
  /**
   * The user's profile claims in this server's access tokens (a block of the tenant's custom access-token
   * claims script); `refused` when the tenant's plan or script did not allow it (the reason says which); null
   * with --no-profile-claims.
   */
  profileClaims: { claims: string[]; status: Status | 'refused'; reason?: string } | null;
  files: { env: string; config: string };
  nextSteps: string[];
}

export interface RegisterDeps {
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export interface RegisterProjectInput {
  projectDir: string;
  options: RegisterOptions;
  ui: Ui;
  json?: boolean;
  deps?: RegisterDeps;
  /** Called with where the M2M credentials would go, before they are sent; throws to stop (trusted-endpoints.ts). */
  checkTarget?: (target: ManagementTarget, issuer: string) => Promise<void>;
}

const API_TYPES: Record<AppTypeChoice, ApplicationType> = { native: 'Native', traditional: 'Traditional', spa: 'SPA' };
const USER_SCOPES: UserScope[] = ['profile', 'email'];

/**
 * Redirect URIs of desktop and CLI MCP clients. A Native app matches loopback redirects on any port
 * (RFC 8252 §7.3), so only the paths matter: Claude Code and most SDK-based clients use /callback,
 * MCP Inspector /oauth/callback (and /oauth/callback/debug), VS Code the bare loopback origin and
 * https://vscode.dev/redirect, Cursor its own scheme.
 */
export const NATIVE_CLIENT_REDIRECT_URIS = [
  'http://127.0.0.1/callback',
  'http://localhost/callback',
  'http://localhost/oauth/callback',
  'http://localhost/oauth/callback/debug',
  'http://127.0.0.1/',
  'https://vscode.dev/redirect',
  'cursor://anysphere.cursor-retrieval/oauth/callback',
];

/** Everything checked before the first request, so bad input never leaves half a registration. */
export function planRegistration(options: RegisterOptions) {
  const target = resolveManagementTarget(options);
  if (isLogtoOwnResource({ indicator: options.resource }, target)) {
    throw new UsageError(`The MCP resource ${options.resource} is one of Logto's own APIs; give this server's own URL with --resource (or MCP_RESOURCE in .env).`);
  }
  const redirectUris = options.redirectUri.map((uri) => {
    try {
      return parseRedirectUri(uri);
    } catch (error) {
      throw new UsageError(`Invalid --redirect-uri: ${(error as Error).message}`);
    }
  });
  if (options.appType !== 'native' && redirectUris.length === 0) {
    throw new UsageError(`--app-type ${options.appType} needs at least one --redirect-uri: Logto matches web redirect URIs exactly.`);
  }
  const appRedirectUris = [...new Set([...(options.appType === 'native' ? NATIVE_CLIENT_REDIRECT_URIS : []), ...redirectUris])];
  return {
    target,
    appName: options.appName ?? `${options.projectName} MCP client`,
    roleName: options.roleName ?? `${options.projectName} user`,
    appRedirectUris,
    branding: options.appLogo ?? options.termsUrl ?? options.privacyUrl ?? options.displayName,
  };
}

/**
 * Registers the project's MCP server in Logto: API resource and scopes, a role granting them, the app
 * MCP clients sign in with, its secret, consent scopes and branding. Each step finds what exists and
 * creates only what is missing, so a re-run changes nothing and a failed run can simply be repeated.
 */
export async function registerProject({ projectDir, options, ui, json = false, deps = {}, checkTarget }: RegisterProjectInput): Promise<RegisterSummary> {
  const plan = planRegistration(options);
  const { target } = plan;
  const project = await readProject(projectDir);
  const scopeNames = resourceScopes(options.scopes, project.toolScopes, ui);
  ui.info(target.explanation);
  await checkTarget?.(target, options.issuer);
  const key = project.env[REGISTRATION_KEY];
  const mark: ProjectMark = { resource: options.resource, key: isRegistrationKey(key) ? key : newRegistrationKey() };
  // Written before anything is created, so what an interrupted run made is found by the next one. A .env
  // made now from .env.example gets the issuer and resource registered, never the example's.
  await setEnvValues(
    projectDir,
    { [REGISTRATION_KEY]: mark.key },
    { LOGTO_ISSUER: options.issuer, MCP_RESOURCE: options.resource, MCP_REQUIRED_SCOPES: options.scopes.join(' ') },
  );

  try {
    const api = await ui.step('Getting a Management API token', () =>
      ManagementApi.connect({ endpoint: target.managementEndpoint, resource: target.resource, appId: options.m2mAppId, appSecret: options.m2mAppSecret, ...deps }),
    );
    // Checked before anything is created, so a refusal leaves nothing behind.
    const cimd = options.enableDynamicApps ? await api.getCimdConfig() : undefined;
    if (cimd === null) {
      throw new UsageError('This Logto does not support dynamic apps (Client ID Metadata Documents need Logto 1.43 or later); run again without --enable-dynamic-apps.');
    }

    const record = startRecord(project.record, target, mark, ui);
    const save = () => saveRecord(projectDir, { ...record, created: { ...record.created, signature: signCreated(record.created, mark.key) } });
    const existing = await findAppAndRole(api, plan, options, scopeNames.length > 0, mark, record, ui);

    const resource = await ui.step(`API resource ${options.resource}`, async () => {
      const found = (await api.listResources()).find(({ indicator }) => indicator === options.resource);
      if (found) return { ...found, status: 'existing' as Status };
      const created = await api.createResource({ name: `${options.projectName} MCP server`, indicator: options.resource });
      record.created.resource = created.id;
      return { ...created, status: 'created' as Status };
    });
    record.resource = { id: resource.id, indicator: resource.indicator };
    await save();

    const scopes = await ensureScopes(api, resource.id, scopeNames, options.projectName, record, save);

    const context: StepContext = { api, options, mark, record, save };
    const role = scopes.length === 0 ? null : await ui.step(`Role "${plan.roleName}"`, () => ensureRole(context, existing.role, plan.roleName, scopes));
    if (!role) ui.info('The server requires no scopes, so no role is needed: any signed-in user gets a token for it.');

    const { app, status: appStatus } = await ui.step(`App "${plan.appName}"`, () => ensureApp(context, existing.app, plan.appName, plan.appRedirectUris));
    const secret = app.type === 'Traditional' ? await readSecret(api, app) : undefined;

    const scopeIds = scopes.map(({ id }) => id);
    let consentScopes: RegisterSummary['consentScopes'] = null;
    let branding: RegisterSummary['branding'] = null;
    if (app.isThirdParty) {
      const status = await ui.step('Consent scopes', async () => {
        const added = await ensureConsentScopes(() => api.getConsentScopes(app.id), (body) => api.addConsentScopes(app.id, body), scopeIds);
        return appStatus === 'created' ? 'created' : added;
      });
      consentScopes = { userScopes: USER_SCOPES, resourceScopes: scopes.map(({ name }) => name), status };
      if (plan.branding) branding = { status: await ui.step('Consent screen branding', () => ensureBranding(api, app.id, options)) };
    } else if (plan.branding) {
      ui.warn('Branding (--app-logo, --terms-url, --privacy-url, --display-name) is shown on the consent screen of third-party apps only; ignored.');
    }

    let dynamicApps: RegisterSummary['dynamicApps'] = null;
    if (cimd) {
      dynamicApps = {
        status: await ui.step('Dynamic apps (Client ID Metadata Documents)', async () => {
          const switched = !cimd.enabled && (await api.updateCimdConfig({ enabled: true }), true);
          const added = await ensureConsentScopes(() => api.getCimdConsentScopes(), (body) => api.addCimdConsentScopes(body), scopeIds);
          return switched ? 'updated' : added;
        }),
      };
      record.dynamicApps = true;
    }

    const profileClaims = options.profileClaims
      ? await ui.step('Profile claims in access tokens (custom JWT claims script)', () => ensureProfileClaims(context))
      : null;
    if (profileClaims?.reason) ui.warn(profileClaims.reason);

    await setEnvValues(projectDir, { LOGTO_APP_ID: app.id, LOGTO_APP_SECRET: secret });
    await save();

    const summary: RegisterSummary = {
      logto: { endpoint: target.logtoEndpoint, managementEndpoint: target.managementEndpoint, managementResource: target.resource, deployment: target.deployment },
      resource: { id: resource.id, indicator: resource.indicator, status: resource.status },
      scopes,
      role,
      application: {
        id: app.id,
        name: app.name,
        type: options.appType,
        thirdParty: app.isThirdParty,
        redirectUris: app.oidcClientMetadata.redirectUris,
        hasSecret: secret !== undefined,
        ...(options.showSecret && secret !== undefined ? { secret } : {}),
        status: appStatus,
      },
      consentScopes,
      branding,
      dynamicApps,
      profileClaims,
      files: { env: path.join(projectDir, '.env'), config: path.join(projectDir, 'logto-mcp.json') },
      nextSteps: [],
    };
    summary.nextSteps = nextSteps(summary, projectDir, options);
    if (!json) printSummary(ui, summary);
    return summary;
  } catch (error) {
    throw explainLogtoError(error, target, options.m2mAppId);
  }
}

/**
 * The record of an earlier run against the same Logto is continued; one for another Logto is replaced.
 * Its list of what was created is kept only when signed with this copy's registration key: a list that
 * came with a clone, or was edited, is another copy's (or no one's), and stays out of this one's.
 */
function startRecord(previous: LogtoRecord | undefined, target: ManagementTarget, mark: ProjectMark, ui: Ui): LogtoRecord {
  const fresh: LogtoRecord = { endpoint: target.logtoEndpoint, managementEndpoint: target.managementEndpoint, managementResource: target.resource, created: {} };
  if (!previous) return fresh;
  if (previous.endpoint !== target.logtoEndpoint) {
    ui.warn(`${CONFIG_FILE} recorded a registration at ${printable(previous.endpoint)}; it is replaced by this one (nothing there is removed).`);
    return fresh;
  }
  const { signature: _, ...listed } = previous.created;
  const signed = isSignedCreated(previous.created, mark.key);
  if (!signed && Object.keys(listed).length > 0) {
    ui.warn(`${CONFIG_FILE} lists objects as created by register that this copy of the project did not record (not signed with its ${REGISTRATION_KEY}); they are left out of its record.`);
  }
  return { ...previous, managementEndpoint: target.managementEndpoint, managementResource: target.resource, created: signed ? listed : {} };
}

/**
 * The resource's scopes: the required ones (MCP_REQUIRED_SCOPES, or --scopes) and those tool-scopes.json
 * says the tools need, the same file the server reads, so the server never asks for a scope Logto lacks.
 * The file is committed and so untrusted, but it only names scopes of this project's own resource: they
 * are validated (readProject) and said before anything is created.
 */
function resourceScopes(required: string[], toolScopes: Record<string, string[]>, ui: Ui): string[] {
  const needing = Object.entries(toolScopes).filter(([, scopes]) => scopes.length > 0);
  if (needing.length > 0) {
    const list = needing.map(([tool, scopes]) => `${tool} needs ${scopes.join(' ')}`).join(', ');
    ui.info(`${TOOL_SCOPES_FILE}: ${list}. These scopes are created on the API resource, granted by the role and added to the app's consent scopes.`);
  }
  return [...new Set([...required, ...needing.flatMap(([, scopes]) => scopes)])];
}

async function ensureScopes(
  api: ManagementApi,
  resourceId: string,
  names: string[],
  projectName: string,
  record: LogtoRecord,
  save: () => Promise<void>,
): Promise<RegisterSummary['scopes']> {
  if (names.length === 0) return [];
  const existing = await api.listScopes(resourceId);
  const result: RegisterSummary['scopes'] = [];
  for (const name of names) {
    const found = existing.find((scope) => scope.name === name);
    if (found) {
      result.push({ id: found.id, name, status: 'existing' });
      continue;
    }
    const created = await api.createScope(resourceId, { name, description: `${name} on ${projectName}` });
    record.created.scopeIds = [...(record.created.scopeIds ?? []), created.id];
    result.push({ id: created.id, name, status: 'created' });
  }
  record.scopes = Object.fromEntries(result.map(({ name, id }) => [name, id]));
  await save();
  return result;
}

/**
 * The app and role to reuse, found before anything is created. Reused without asking: one that Logto
 * marks as made by register for this resource (see ownership.ts), found by the recorded ID (a hint from
 * a file anyone may have changed) or by name. With --adopt only: any other of the same name. Two
 * projects may share a name and so the default app and role names: taking the other's unasked would
 * merge them (the role would grant both servers' scopes, and unregistering one would delete what the
 * other uses). Adopted ones are recorded but not as created.
 */
async function findAppAndRole(
  api: ManagementApi,
  plan: ReturnType<typeof planRegistration>,
  options: RegisterOptions,
  needsRole: boolean,
  mark: ProjectMark,
  record: LogtoRecord,
  ui: Ui,
) {
  const refusals: string[] = [];
  const pick = <T extends { id: string; name: string }>(items: T[], isOwn: (item: T) => boolean, hint: string | undefined, name: string, what: string, flag: string) => {
    const own = items.filter(isOwn);
    const found = own.find((item) => item.id === hint) ?? own.find((item) => item.name === name);
    if (hint && found?.id !== hint && items.some((item) => item.id === hint)) {
      ui.warn(`${CONFIG_FILE} names ${what} ${printable(hint, 100)} that Logto does not mark as made by this copy of the project (${REGISTRATION_KEY} in .env); it is not reused.`);
    }
    if (found) return { item: found, own: true };
    const sameName = items.find((item) => item.name === name);
    if (sameName && !options.adopt) {
      refusals.push(
        `Logto already has ${what} named "${name}" (${sameName.id}) that this project did not create; it may be another project's. ` +
          `Pass ${flag} <name> for a new one, or --adopt to reuse it.`,
      );
    }
    return sameName ? { item: sameName, own: false } : undefined;
  };
  const app = pick(await api.listApplications(), (item) => isOwnApp(item, mark), record.application?.id, plan.appName, 'an app', '--app-name');
  // No scopes, no role (see registerProject).
  const roles = needsRole ? await api.listRoles() : [];
  const role = pick(roles, (item) => isOwnRole(item, mark), record.role?.id, plan.roleName, 'a role', '--role-name');
  if (refusals.length > 0) throw new UsageError(refusals.join('\n'));

  const type = API_TYPES[options.appType];
  const isThirdParty = !options.firstParty;
  if (app && (app.item.type !== type || app.item.isThirdParty !== isThirdParty)) {
    const kind = (third: boolean, t: string) => `${third ? 'third-party' : 'first-party'} ${t}`;
    throw new UsageError(
      `The ${app.own ? 'registered' : 'existing'} app "${app.item.name}" (${app.item.id}) is a ${kind(app.item.isThirdParty, app.item.type)} app, ` +
        `not a ${kind(isThirdParty, type)} one, and Logto cannot change that. ` +
        (app.own ? 'Run unregister first, or keep its type.' : 'Pass --app-name <name> for a new app, or keep its type.'),
    );
  }
  if (role && role.item.type !== 'User') {
    throw new UsageError(`A machine-to-machine role named "${role.item.name}" already exists; give a user role's name with --role-name.`);
  }
  // What Logto marks as this project's counts as created by it, also when the record did not say so.
  if (app?.own) record.created.application = app.item.id;
  if (role?.own) record.created.role = role.item.id;
  return { app: app?.item, role: role?.item };
}

/** A user's token carries only the resource scopes one of their roles grants, hence a role. */
/** What the steps share: the client, the options, this project's mark, and the record with how to save it. */
interface StepContext {
  api: ManagementApi;
  options: RegisterOptions;
  mark: ProjectMark;
  record: LogtoRecord;
  save: () => Promise<void>;
}

async function ensureRole(
  { api, options, mark, record, save }: StepContext,
  found: Role | undefined,
  name: string,
  scopes: Array<{ id: string }>,
): Promise<NonNullable<RegisterSummary['role']>> {
  const scopeIds = scopes.map(({ id }) => id);
  if (!found) {
    const role = await api.createRole({
      name,
      description: roleDescription(mark),
      type: 'User',
      scopeIds,
      ...(options.defaultRole ? { isDefault: true } : {}),
    });
    record.created.role = role.id;
    record.role = { id: role.id, name };
    await save();
    return { id: role.id, name, isDefault: options.defaultRole, status: 'created' };
  }
  let status: Status = 'existing';
  const granted = new Set((await api.listRoleScopes(found.id)).map(({ id }) => id));
  const missing = scopeIds.filter((id) => !granted.has(id));
  if (missing.length > 0) {
    await api.addRoleScopes(found.id, missing);
    status = 'updated';
  }
  if (options.defaultRole && !found.isDefault) {
    await api.updateRole(found.id, { isDefault: true });
    status = 'updated';
  }
  record.role = { id: found.id, name: found.name };
  await save();
  return { id: found.id, name: found.name, isDefault: Boolean(found.isDefault) || options.defaultRole, status };
}

async function ensureApp(
  { api, options, mark, record, save }: StepContext,
  found: Application | undefined,
  name: string,
  redirectUris: string[],
): Promise<{ app: Application; status: Status }> {
  let app: Application;
  let status: Status;
  if (!found) {
    app = await api.createApplication({
      name,
      description: appDescription(options.resource),
      type: API_TYPES[options.appType],
      isThirdParty: !options.firstParty,
      customData: appMark(mark),
      oidcClientMetadata: { redirectUris, postLogoutRedirectUris: [] },
    });
    record.created.application = app.id;
    status = 'created';
  } else {
    const current = found.oidcClientMetadata;
    const missing = redirectUris.filter((uri) => !current.redirectUris.includes(uri));
    app = found;
    status = 'existing';
    if (missing.length > 0) {
      app = await api.updateApplication(found.id, { oidcClientMetadata: { ...current, redirectUris: [...current.redirectUris, ...missing] } });
      status = 'updated';
    }
  }
  record.application = { id: app.id, name: app.name, type: app.type, thirdParty: app.isThirdParty };
  await save();
  return { app, status };
}

const PLAN_REFUSAL_CODES = new Set(['subscription.limit_exceeded']);

/**
 * Puts this server's block (username, name and email, for tokens whose audience is its resource) into the
 * tenant's one custom access-token claims script, keeping every other block and any script someone wrote
 * (claims-script.ts): read, merge, write back only when it changed. The block carries this copy's mark,
 * so the record's `profileClaims` lets unregister take out exactly it. Refused by the tenant's plan (Logto
 * Cloud: 403 subscription.limit_exceeded) or by a script it cannot merge safely: said, and registration goes on.
 */
async function ensureProfileClaims({ api, mark, record, save }: StepContext): Promise<NonNullable<RegisterSummary['profileClaims']>> {
  const claims = Object.keys(PROFILE_CLAIMS);
  const current = await api.getAccessTokenClaims();
  const parsed = parseScript(current?.script);
  if (!parsed.ok) {
    return {
      claims,
      status: 'refused',
      reason:
        `The tenant's custom access-token claims script was left as it is (${printable(parsed.reason)}), so tokens carry no ${claims.join(', ')}: ` +
        `see README "Profile claims", or pass --no-profile-claims.`,
    };
  }
  const block = profileClaimsBlock(mark);
  const script = scriptFor(withBlock(parsed.blocks, block))!;
  let status: Status = 'existing';
  if (current?.script !== script) {
    try {
      // PATCH keeps the stored environment variables and samples; PUT creates the first script.
      await (current ? api.patchAccessTokenClaims({ script }) : api.putAccessTokenClaims({ script }));
    } catch (error) {
      if (!(error instanceof LogtoApiError && error.status === 403 && PLAN_REFUSAL_CODES.has(error.code ?? ''))) throw error;
      return {
        claims,
        status: 'refused',
        reason: `Your Logto plan does not include custom JWT claims (403 ${error.code}), so tokens carry no ${claims.join(', ')}; registration goes on without them.`,
      };
    }
    status = parsed.blocks.some(({ label }) => label === block.label) ? 'updated' : 'created';
  }
  record.created.profileClaims = true;
  await save();
  return { claims, status };
}

/** Since Logto 1.42 the app's secret is only in the secrets endpoint; older versions returned it on the app. */
async function readSecret(api: ManagementApi, app: Application): Promise<string> {
  let secrets;
  try {
    secrets = await api.listSecrets(app.id);
  } catch (error) {
    if (error instanceof LogtoApiError && error.status === 404 && app.secret && !app.secret.startsWith('internal_')) return app.secret;
    throw error;
  }
  const usable = secrets.find(({ expiresAt }) => expiresAt === null || expiresAt > Date.now());
  return usable?.value ?? (await api.createSecret(app.id, 'create-logto-mcp')).value;
}

/** Adds profile, email and the resource scopes (by ID) to a consent list, sending only what is missing. */
async function ensureConsentScopes(
  read: () => Promise<UserConsentScopes>,
  add: (body: ConsentScopesInput) => Promise<void>,
  scopeIds: string[],
): Promise<Status> {
  const current = await read();
  const haveResourceScopes = new Set(current.resourceScopes.flatMap(({ scopes }) => scopes.map(({ id }) => id)));
  const userScopes = USER_SCOPES.filter((scope) => !current.userScopes.includes(scope));
  const resourceScopes = scopeIds.filter((id) => !haveResourceScopes.has(id));
  if (userScopes.length === 0 && resourceScopes.length === 0) return 'existing';
  await add({ userScopes, resourceScopes });
  return 'updated';
}

async function ensureBranding(api: ManagementApi, appId: string, options: RegisterOptions): Promise<Status> {
  const current = await api.getSignInExperience(appId);
  const wanted = {
    branding: { ...current?.branding, ...(options.appLogo ? { logoUrl: options.appLogo } : {}) },
    termsOfUseUrl: options.termsUrl ?? current?.termsOfUseUrl ?? null,
    privacyPolicyUrl: options.privacyUrl ?? current?.privacyPolicyUrl ?? null,
    displayName: options.displayName ?? current?.displayName ?? null,
  };
  const same =
    current &&
    current.branding?.logoUrl === wanted.branding.logoUrl &&
    (current.termsOfUseUrl ?? null) === wanted.termsOfUseUrl &&
    (current.privacyPolicyUrl ?? null) === wanted.privacyPolicyUrl &&
    (current.displayName ?? null) === wanted.displayName;
  if (same) return 'existing';
  await api.putSignInExperience(appId, wanted);
  return current ? 'updated' : 'created';
}

function nextSteps(summary: RegisterSummary, projectDir: string, options: RegisterOptions): string[] {
  const { application: app, role } = summary;
  const steps = [
    `Start the server (npm run dev in ${projectDir}), then add ${summary.resource.indicator} to an MCP client; when it asks for an OAuth client ID ` +
      `(MCP Inspector, VS Code, Claude Code and others support a pre-registered client), give ${app.id}.`,
  ];
  if (app.hasSecret) steps.push(`The app's secret is in .env as LOGTO_APP_SECRET, for a web agent that keeps it server-side. Never commit it.`);
  if (role) {
    steps.push(
      role.isDefault
        ? `New users get the role "${role.name}" (scopes ${summary.scopes.map(({ name }) => name).join(' ')}) automatically; give it to existing users in Logto Console > User management.`
        : `Give users the role "${role.name}" in Logto Console > User management (or re-run with --default-role): tokens carry only the scopes a user's roles grant.`,
    );
  }
  if (app.thirdParty) steps.push('Users see a consent screen the first time they sign in with this app.');
  // Where the Management API is must be said again: unregister does not take it from the committed record.
  const where = (['tenantId', 'managementEndpoint', 'managementResource'] as const).flatMap((key) =>
    options[key] === undefined ? [] : [flagName(registerOptionSpecs[key]), options[key]],
  );
  steps.push(`To remove what register created: ${cliInvocation()} ${['unregister', projectDir, ...where].map(shell).join(' ')}`);
  return steps;
}

function printSummary(ui: Ui, summary: RegisterSummary): void {
  const line = (status: Status, what: string) => {
    if (status === 'existing') ui.info(`  already existed: ${what}`);
    else ui.success(`${status}: ${what}`);
  };
  line(summary.resource.status, `API resource ${summary.resource.indicator} (${printable(summary.resource.id)})`);
  for (const scope of summary.scopes) line(scope.status, `scope ${printable(scope.name)}`);
  if (summary.role) line(summary.role.status, `role "${printable(summary.role.name)}"${summary.role.isDefault ? ' (default for new users)' : ''}`);
  const { application: app } = summary;
  line(app.status, `${app.thirdParty ? 'third-party' : 'first-party'} ${app.type} app "${printable(app.name)}", app ID ${printable(app.id)}`);
  if (summary.consentScopes) line(summary.consentScopes.status, `consent scopes: ${[...summary.consentScopes.userScopes, ...summary.consentScopes.resourceScopes].join(' ')}`);
  if (summary.branding) line(summary.branding.status, 'consent screen branding');
  if (summary.dynamicApps) line(summary.dynamicApps.status, 'dynamic apps (Client ID Metadata Documents) for the tenant');
  const claims = summary.profileClaims;
  if (claims && claims.status !== 'refused') line(claims.status, `${claims.claims.join(', ')} in access tokens for ${summary.resource.indicator} (a block of the tenant's custom claims script)`);
  ui.info(`Wrote LOGTO_APP_ID${app.hasSecret ? ' and LOGTO_APP_SECRET' : ''} to ${summary.files.env}, and the IDs to ${summary.files.config}.`);
  ui.info('\nNext:');
  for (const step of summary.nextSteps) ui.info(`  - ${step}`);
}

/**
 * The commands that finish a registration that failed while creating a project, ready to paste: every
 * register flag that was given, and never the M2M secret. Unless LOGTO_M2M_APP_SECRET is set already, a
 * line before the command exports it (`...` for the user to replace). Lines after the first are indented
 * by two spaces, as the failure message indents the first.
 */
/** What the user replaces with the M2M app's secret in the printed commands. */
export const SECRET_PLACEHOLDER = "'<the M2M app secret>'";

export function registerCommandLines(projectDir: string, options: RegisterOptions, env: NodeJS.ProcessEnv = process.env): string[] {
  const words = ['register', projectDir];
  for (const [key, spec] of Object.entries(registerOptionSpecs as OptionSpecs)) {
    if (key === 'm2mAppSecret' || key === 'showSecret') continue;
    const value = options[key as keyof RegisterOptions];
    if (value === undefined || value === spec.default || (Array.isArray(value) && value.length === 0)) continue;
    const flag = flagName(spec);
    // A boolean that differs from its default: --first-party for true, --no-profile-claims for false.
    if (typeof value === 'boolean') words.push(flag);
    else for (const item of [value].flat()) words.push(flag, String(item));
  }
  const command = `${cliInvocation()} ${words.map(shell).join(' ')}`;
  // A quoted placeholder, no comment: pasted into any shell (zsh reads `#` literally by default) it does no harm.
  return env.LOGTO_M2M_APP_SECRET ? [command] : [`export LOGTO_M2M_APP_SECRET=${SECRET_PLACEHOLDER}`, command];
}
