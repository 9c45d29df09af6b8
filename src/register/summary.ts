import { cliInvocation } from '../invocation.js';
import { flagName } from '../options/define.js';
import { printable } from '../printable.js';
import { shell } from '../render/encoders.js';
import type { Ui } from '../ui.js';
import type { Status } from './context.js';
import { registerOptionSpecs, type AppTypeChoice, type RegisterOptions } from './options.js';
import type { ProfileClaimsSummary } from './steps/profile-claims.js';
import type { RoleSummary } from './steps/role.js';

/** What registration did, printed as text or, with --json, as this object. Holds the app secret only with --show-secret. */
export interface RegisterSummary {
  logto: {
    endpoint: string;
    managementEndpoint: string;
    managementResource: string;
    deployment: 'cloud' | 'self-hosted';
  };
  resource: { id: string; indicator: string; status: Status };
  scopes: Array<{ id: string; name: string; status: Status }>;
  /** Null when the server has no scopes: there is nothing for a role to grant. */
  role: RoleSummary | null;
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
  profileClaims: ProfileClaimsSummary | null;
  /** Users given the role with --assign-user. */
  assignedUsers: Array<{ id: string; username: string | null; status: Status }>;
  files: { env: string; config: string };
  nextSteps: string[];
}

export function nextSteps(summary: RegisterSummary, projectDir: string, options: RegisterOptions): string[] {
  const { application: app, role } = summary;
  const steps = [
    `Start the server (npm run dev in ${projectDir}), then add ${summary.resource.indicator} to an MCP client; when it asks for an OAuth client ID ` +
      `(MCP Inspector, VS Code, Claude Code and others support a pre-registered client), give ${app.id}.`,
  ];
  if (app.hasSecret)
    steps.push(
      `The app's secret is in .env as LOGTO_APP_SECRET, for a web agent that keeps it server-side. Never commit it.`,
    );
  if (role) {
    steps.push(
      role.isDefault
        ? `New users get the role "${role.name}" (scopes ${summary.scopes.map(({ name }) => name).join(' ')}) automatically; give it to existing users with --assign-user or in Logto Console > User management.`
        : `Give users the role "${role.name}" (re-run with --assign-user <username|email>, or in Logto Console > User management, or re-run with --default-role): tokens carry only the scopes a user's roles grant.`,
    );
  }
  if (app.thirdParty) steps.push('Users see a consent screen the first time they sign in with this app.');
  // Where the Management API is must be said again: unregister does not take it from the committed record.
  const where = (['tenantId', 'managementEndpoint', 'managementResource'] as const).flatMap((key) =>
    options[key] === undefined ? [] : [flagName(registerOptionSpecs[key]), options[key]],
  );
  steps.push(
    `To remove what register created: ${cliInvocation()} ${['unregister', projectDir, ...where].map(shell).join(' ')}`,
  );
  return steps;
}

export function printSummary(ui: Ui, summary: RegisterSummary): void {
  const line = (status: Status, what: string) => {
    if (status === 'existing') ui.info(`  already existed: ${what}`);
    else ui.success(`${status}: ${what}`);
  };
  line(summary.resource.status, `API resource ${summary.resource.indicator} (${printable(summary.resource.id)})`);
  for (const scope of summary.scopes) line(scope.status, `scope ${printable(scope.name)}`);
  if (summary.role)
    line(
      summary.role.status,
      `role "${printable(summary.role.name)}"${summary.role.isDefault ? ' (default for new users)' : ''}`,
    );
  const { application: app } = summary;
  line(
    app.status,
    `${app.thirdParty ? 'third-party' : 'first-party'} ${app.type} app "${printable(app.name)}", app ID ${printable(app.id)}`,
  );
  if (summary.consentScopes)
    line(
      summary.consentScopes.status,
      `consent scopes: ${[...summary.consentScopes.userScopes, ...summary.consentScopes.resourceScopes].join(' ')}`,
    );
  if (summary.branding) line(summary.branding.status, 'consent screen branding');
  if (summary.dynamicApps)
    line(summary.dynamicApps.status, 'dynamic apps (Client ID Metadata Documents) for the tenant');
  const claims = summary.profileClaims;
  if (claims && claims.status !== 'refused')
    line(
      claims.status,
      `${claims.claims.join(', ')} in access tokens for ${summary.resource.indicator} (a block of the tenant's custom claims script)`,
    );
  for (const user of summary.assignedUsers) line(user.status, `role for user ${printable(user.username ?? user.id)}`);
  ui.info(
    `Wrote LOGTO_APP_ID${app.hasSecret ? ' and LOGTO_APP_SECRET' : ''} to ${summary.files.env}, and the IDs to ${summary.files.config}.`,
  );
  ui.info('\nNext:');
  for (const step of summary.nextSteps) ui.info(`  - ${step}`);
}
