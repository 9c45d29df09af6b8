import { connect, type RegisterDeps } from './connect.js';
import path from 'node:path';
import { messageOf, UsageError } from '../errors.js';
import type { ManagementTarget } from '../logto/endpoints.js';
import { explainLogtoError } from '../logto/explain.js';
import type { Ui } from '../ui.js';
import { startRecord, type StepContext } from './context.js';
import type { RegisterOptions } from './options.js';
import { isRegistrationKey, newRegistrationKey, REGISTRATION_KEY, signCreated, type ProjectMark } from './ownership.js';
import { planRegistration, resourceScopes } from './plan.js';
import { readProject, saveRecord, setEnvValues } from './project.js';
import {
  appTypeChoice,
  ensureApp,
  ensureBranding,
  ensureConsentScopes,
  findApp,
  readSecret,
  USER_SCOPES,
  wantedApp,
} from './steps/app.js';
import { checkDynamicApps, ensureDynamicApps } from './steps/dynamic-apps.js';
import { refuseAll } from './steps/find.js';
import { ensureProfileClaims } from './steps/profile-claims.js';
import { ensureResource, ensureScopes } from './steps/resource.js';
import { ensureRole, findRole } from './steps/role.js';
import { assignRole, findAssignees } from './steps/users.js';
import { nextSteps, printSummary, type RegisterSummary } from './summary.js';

export { registerCommandLines, SECRET_PLACEHOLDER } from './command-lines.js';
export { NATIVE_CLIENT_REDIRECT_URIS } from './steps/app.js';
export type { RegisterSummary } from './summary.js';

export interface RegisterProjectInput {
  projectDir: string;
  options: RegisterOptions;
  ui: Ui;
  json?: boolean;
  deps?: RegisterDeps;
  /** Called with where the M2M credentials would go, before they are sent; throws to stop (trusted-endpoints.ts). */
  checkTarget?: (target: ManagementTarget, issuer: string) => Promise<void>;
}

/** Gets a Management API token for the target (the M2M secret is sent once, and not kept). */

/**
 * Registers the project's MCP server in Logto: API resource and scopes, a role granting them, the app
 * MCP clients sign in with, its secret, consent scopes and branding. Each step finds what exists and
 * creates only what is missing, so a re-run changes nothing and a failed run can simply be repeated.
 * What a flag left out is taken from what the project registered, as Logto has it (steps/app.ts).
 */
export async function registerProject({
  projectDir,
  options,
  ui,
  json = false,
  deps = {},
  checkTarget,
}: RegisterProjectInput): Promise<RegisterSummary> {
  const project = await readProject(projectDir);
  const plan = planRegistration(options, project.record?.application !== undefined);
  const { target } = plan;
  const scopeNames = resourceScopes(options.scopes, project.toolScopes, ui);
  if (scopeNames.length === 0 && options.assignUser.length > 0) {
    throw new UsageError(
      "--assign-user gives users the role that grants the server's scopes, but the server requires none: leave out --assign-user.",
    );
  }
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
  ).catch((error: unknown) => {
    throw new UsageError(`${messageOf(error)} Nothing was sent to Logto. Fix that, then run register again.`);
  });

  try {
    const api = await connect(target, options, ui, deps);
    // Checked before anything is created, so a refusal leaves nothing behind.
    const cimd = await checkDynamicApps(api, options.enableDynamicApps);
    const assignees = await findAssignees(api, options.assignUser);

    const record = startRecord(project.record, target, mark, ui);
    const save = () =>
      saveRecord(projectDir, {
        ...record,
        created: { ...record.created, signature: signCreated(record.created, mark.key) },
      });
    const context: StepContext = { api, options, mark, record, save, ui };

    const refusals: string[] = [];
    const foundApp = await findApp(context, plan.defaultAppName, refusals);
    // No scopes, no role (see below).
    const foundRole = scopeNames.length > 0 ? await findRole(context, plan.defaultRoleName, refusals) : undefined;
    refuseAll(refusals);
    if (foundApp?.own) record.created.application = foundApp.item.id;
    const wanted = wantedApp(options, foundApp, plan.defaultAppName, plan.redirectUris, record.application);

    const resource = await ui.step(`API resource ${options.resource}`, () =>
      ensureResource(context, `${options.projectName} MCP server`),
    );
    const scopes = await ensureScopes(context, resource.id, scopeNames);

    const roleName = options.roleName ?? foundRole?.item.name ?? plan.defaultRoleName;
    const role =
      scopes.length === 0
        ? null
        : await ui.step(`Role "${roleName}"`, () => ensureRole(context, foundRole?.item, plan.defaultRoleName, scopes));
    if (!role) ui.info('The server requires no scopes, so no role is needed: any signed-in user gets a token for it.');
    const assignedUsers =
      role && assignees.length > 0
        ? await ui.step('Giving users the role', () => assignRole(api, assignees, role.id))
        : [];

    const { app, status: appStatus } = await ui.step(`App "${wanted.name}"`, () =>
      ensureApp(context, foundApp?.item, wanted),
    );
    const secret = app.type === 'Traditional' ? await readSecret(api, app) : undefined;

    const scopeIds = scopes.map(({ id }) => id);
    let consentScopes: RegisterSummary['consentScopes'] = null;
    let branding: RegisterSummary['branding'] = null;
    if (app.isThirdParty) {
      const status = await ui.step('Consent scopes', async () => {
        const added = await ensureConsentScopes(
          () => api.getConsentScopes(app.id),
          (body) => api.addConsentScopes(app.id, body),
          scopeIds,
        );
        return appStatus === 'created' ? 'created' : added;
      });
      consentScopes = { userScopes: USER_SCOPES, resourceScopes: scopes.map(({ name }) => name), status };
      if (plan.branding)
        branding = { status: await ui.step('Consent screen branding', () => ensureBranding(api, app.id, options)) };
    } else if (plan.branding) {
      ui.warn(
        'Branding (--app-logo, --terms-url, --privacy-url, --display-name) is shown on the consent screen of third-party apps only; ignored.',
      );
    }

    const dynamicApps = cimd
      ? {
          status: await ui.step('Dynamic apps (Client ID Metadata Documents)', () =>
            ensureDynamicApps(context, cimd, scopeIds),
          ),
        }
      : null;

    const profileClaims = options.profileClaims
      ? await ui.step('Profile claims in access tokens (custom JWT claims script)', () => ensureProfileClaims(context))
      : null;
    if (profileClaims?.reason) ui.warn(profileClaims.reason);

    await save();
    await setEnvValues(projectDir, { LOGTO_APP_ID: app.id, LOGTO_APP_SECRET: secret }).catch((error: unknown) => {
      throw new UsageError(
        `Logto has everything (the app is ${app.id}), but the project's .env could not be updated: ${messageOf(error)} ` +
          'Fix that, then run register again: it finds what this run created, changes nothing in Logto, and writes the app ID' +
          `${secret === undefined ? '' : ' and secret'} to .env.`,
      );
    });

    const summary: RegisterSummary = {
      logto: {
        endpoint: target.logtoEndpoint,
        managementEndpoint: target.managementEndpoint,
        managementResource: target.resource,
        deployment: target.deployment,
      },
      resource: { id: resource.id, indicator: resource.indicator, status: resource.status },
      scopes,
      role,
      application: {
        id: app.id,
        name: app.name,
        type: appTypeChoice(app.type),
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
      assignedUsers,
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

export { connect, type RegisterDeps };
