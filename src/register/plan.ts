import { UsageError } from '../errors.js';
import { isLogtoOwnResource, resolveManagementTarget } from '../logto/endpoints.js';
import type { Ui } from '../ui.js';
import { parseRedirectUri, type RegisterOptions } from './options.js';
import { TOOL_SCOPES_FILE } from './project.js';

/**
 * Everything checked before the first request, so bad input never leaves half a registration.
 * `hasRecordedApp`: the project recorded an app, whose type and redirect URIs a re-run keeps (steps/app.ts).
 */
export function planRegistration(options: RegisterOptions, hasRecordedApp = false) {
  const target = resolveManagementTarget(options);
  if (isLogtoOwnResource({ indicator: options.resource }, target)) {
    throw new UsageError(
      `The MCP resource ${options.resource} is one of Logto's own APIs; give this server's own URL with --resource (or MCP_RESOURCE in .env).`,
    );
  }
  const redirectUris = options.redirectUri?.map((uri) => {
    try {
      return parseRedirectUri(uri);
    } catch (error) {
      throw new UsageError(`Invalid --redirect-uri: ${(error as Error).message}`);
    }
  });
  if (options.appType && options.appType !== 'native' && !redirectUris?.length && !hasRecordedApp) {
    throw new UsageError(
      `--app-type ${options.appType} needs at least one --redirect-uri: Logto matches web redirect URIs exactly.`,
    );
  }
  return {
    target,
    /** Given with --redirect-uri, else undefined: a registered app keeps its own. */
    redirectUris,
    defaultAppName: `${options.projectName} MCP client`,
    defaultRoleName: `${options.projectName} user`,
    branding: options.appLogo ?? options.termsUrl ?? options.privacyUrl ?? options.displayName,
  };
}

export type RegistrationPlan = ReturnType<typeof planRegistration>;

/**
 * The resource's scopes: the required ones (MCP_REQUIRED_SCOPES, or --scopes) and those tool-scopes.json
 * says the tools need, the same file the server reads, so the server never asks for a scope Logto lacks.
 * The file is committed and so untrusted, but it only names scopes of this project's own resource: they
 * are validated (readProject) and said before anything is created.
 */
export function resourceScopes(required: string[], toolScopes: Record<string, string[]>, ui: Ui): string[] {
  const needing = Object.entries(toolScopes).filter(([, scopes]) => scopes.length > 0);
  if (needing.length > 0) {
    const list = needing.map(([tool, scopes]) => `${tool} needs ${scopes.join(' ')}`).join(', ');
    ui.info(
      `${TOOL_SCOPES_FILE}: ${list}. These scopes are created on the API resource, granted by the role and added to the app's consent scopes.`,
    );
  }
  return [...new Set([...required, ...needing.flatMap(([, scopes]) => scopes)])];
}
