import { UsageError } from '../../errors.js';
import {
  LogtoApiError,
  type Application,
  type ApplicationType,
  type ConsentScopesInput,
  type ManagementApi,
  type UserConsentScopes,
  type UserScope,
} from '../../logto/management-api.js';
import type { StepContext, Status } from '../context.js';
import type { AppTypeChoice, RegisterOptions } from '../options.js';
import { appDescription, appMark, isOwnApp } from '../ownership.js';
import { findOwn, type Found } from './find.js';

export const API_TYPES: Record<AppTypeChoice, ApplicationType> = {
  native: 'Native',
  traditional: 'Traditional',
  spa: 'SPA',
};
export const USER_SCOPES: UserScope[] = ['profile', 'email'];

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

/** The app as it should be. `redirectUris` undefined: an existing app keeps its own. */
export interface WantedApp {
  name: string;
  type: ApplicationType;
  isThirdParty: boolean;
  redirectUris?: string[];
}

/** The app to reuse (see findOwn): the name looked for is --app-name, else `defaultName`. */
export async function findApp(
  context: StepContext,
  defaultName: string,
  refusals: string[],
  isOwn: (app: Application) => boolean = (app) => isOwnApp(app, context.mark),
  hint = context.record.application?.id,
): Promise<Found<Application> | undefined> {
  const want = { hint, name: context.options.appName ?? defaultName, what: 'an app', flag: '--app-name' };
  return findOwn(context, await context.api.listApplications(), isOwn, want, refusals);
}

/**
 * What the app should be: each flag given, and for each flag left out what the app found in Logto is (its
 * type, party, name and redirect URIs), so that a re-run without flags changes nothing. Logto cannot change
 * an app's type or party: a flag asking for that is refused with the reason.
 */
export function wantedApp(
  options: RegisterOptions,
  found: Found<Application> | undefined,
  defaultName: string,
  redirectUris: string[] | undefined,
  recorded?: { id: string; type: string },
): WantedApp {
  // An app the project registered and someone deleted since: its redirect URIs are gone with it.
  if (!found && !options.appType && recorded && recorded.type !== 'Native') {
    throw new UsageError(
      `The ${recorded.type} app the project registered (${recorded.id}) is no longer in Logto. To make a new one, give --app-type and --redirect-uri again; nothing was created.`,
    );
  }
  const type = options.appType ? API_TYPES[options.appType] : (found?.item.type ?? 'Native');
  const isThirdParty = options.firstParty === undefined ? (found?.item.isThirdParty ?? true) : !options.firstParty;
  if (found && (found.item.type !== type || found.item.isThirdParty !== isThirdParty)) {
    const kind = (third: boolean, t: string) => `${third ? 'third-party' : 'first-party'} ${t}`;
    throw new UsageError(
      `The ${found.own ? 'registered' : 'existing'} app "${found.item.name}" (${found.item.id}) is a ${kind(found.item.isThirdParty, found.item.type)} app, ` +
        `not a ${kind(isThirdParty, type)} one, and Logto cannot change that. ` +
        (found.own
          ? 'Run unregister first, or keep its type (leave out --app-type and --first-party).'
          : 'Pass --app-name <name> for a new app, or keep its type.'),
    );
  }
  const loopback = type === 'Native' ? NATIVE_CLIENT_REDIRECT_URIS : [];
  // Left out: an app this copy registered keeps its list; an adopted one gets the loopback URIs it lacks.
  const kept = found?.own
    ? undefined
    : [...new Set([...(found?.item.oidcClientMetadata.redirectUris ?? []), ...loopback])];
  const wanted = redirectUris === undefined ? kept : [...new Set([...loopback, ...redirectUris])];
  if (!found && type !== 'Native' && wanted!.length === 0) {
    throw new UsageError(
      `--app-type ${appTypeChoice(type)} needs at least one --redirect-uri: Logto matches web redirect URIs exactly.`,
    );
  }
  return { name: options.appName ?? found?.item.name ?? defaultName, type, isThirdParty, redirectUris: wanted };
}

export function appTypeChoice(type: ApplicationType): AppTypeChoice {
  return (Object.entries(API_TYPES).find(([, apiType]) => apiType === type)?.[0] ?? 'native') as AppTypeChoice;
}

/**
 * Creates the app, or brings a found one to what is wanted where Logto allows it: a new name, and the
 * redirect URIs given (the list then becomes exactly those), by PATCH; nothing is sent when it is already so.
 */
export async function ensureApp(
  { api, options, mark, record, save }: StepContext,
  found: Application | undefined,
  wanted: WantedApp,
  customData: Record<string, unknown> = appMark(mark),
): Promise<{ app: Application; status: Status }> {
  let app: Application;
  let status: Status;
  if (!found) {
    app = await api.createApplication({
      name: wanted.name,
      description: appDescription(options.resource),
      type: wanted.type,
      isThirdParty: wanted.isThirdParty,
      customData,
      oidcClientMetadata: { redirectUris: wanted.redirectUris ?? [], postLogoutRedirectUris: [] },
    });
    record.created.application = app.id;
    status = 'created';
  } else {
    const current = found.oidcClientMetadata;
    const sameUris =
      !wanted.redirectUris ||
      (wanted.redirectUris.length === current.redirectUris.length &&
        wanted.redirectUris.every((uri) => current.redirectUris.includes(uri)));
    const changes = {
      ...(wanted.name !== found.name ? { name: wanted.name } : {}),
      ...(sameUris ? {} : { oidcClientMetadata: { ...current, redirectUris: wanted.redirectUris! } }),
    };
    app = Object.keys(changes).length > 0 ? await api.updateApplication(found.id, changes) : found;
    status = Object.keys(changes).length > 0 ? 'updated' : 'existing';
  }
  record.application = { id: app.id, name: app.name, type: app.type, thirdParty: app.isThirdParty };
  await save();
  return { app, status };
}

/** Since Logto 1.42 the app's secret is only in the secrets endpoint; older versions returned it on the app. */
export async function readSecret(api: ManagementApi, app: Application): Promise<string> {
  let secrets;
  try {
    secrets = await api.listSecrets(app.id);
  } catch (error) {
    if (error instanceof LogtoApiError && error.status === 404 && app.secret && !app.secret.startsWith('internal_'))
      return app.secret;
    throw error;
  }
  const usable = secrets.find(({ expiresAt }) => expiresAt === null || expiresAt > Date.now());
  return usable?.value ?? (await api.createSecret(app.id, 'create-logto-mcp')).value;
}

/** Adds profile, email and the resource scopes (by ID) to a consent list, sending only what is missing. */
export async function ensureConsentScopes(
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

export async function ensureBranding(api: ManagementApi, appId: string, options: RegisterOptions): Promise<Status> {
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
