import { resolveManagementTarget } from '../logto/endpoints.js';
import { explainLogtoError } from '../logto/explain.js';
import { LogtoApiError, ManagementApi } from '../logto/management-api.js';
import type { Ui } from '../ui.js';
import type { RegisterFlagOptions } from './options.js';
import { readProject, saveRecord, setEnvValues } from './project.js';
import type { RegisterDeps } from './register.js';

type Kind = 'application' | 'role' | 'scope' | 'resource';

export interface UnregisterSummary {
  /** Deleted now. */
  removed: Array<{ kind: Kind; id: string }>;
  /** Recorded as created by register but already gone from Logto (e.g. a re-run after a failure). */
  alreadyGone: Array<{ kind: Kind; id: string }>;
  /** Recorded but not created by register (it existed before), so left in place. */
  kept: Array<{ kind: Kind; id: string }>;
  /** Nothing was recorded: the project has no registration. */
  nothingRecorded: boolean;
}

export type UnregisterOptions = Pick<RegisterFlagOptions, 'm2mAppId' | 'm2mAppSecret' | 'tenantId' | 'managementEndpoint' | 'managementResource'>;

/**
 * Removes from Logto what register created for this project, as recorded in logto-mcp.json, then the
 * app's lines in .env and the record. Something already gone counts as removed, so a re-run after a
 * failure finishes the job. Tenant settings (dynamic apps) are left as they are.
 */
export async function unregisterProject({
  projectDir,
  getOptions,
  ui,
  json = false,
  deps = {},
}: {
  projectDir: string;
  /** Resolves the credentials; called only when there is something to remove. */
  getOptions: () => Promise<UnregisterOptions>;
  ui: Ui;
  json?: boolean;
  deps?: RegisterDeps;
}): Promise<UnregisterSummary> {
  const summary: UnregisterSummary = { removed: [], alreadyGone: [], kept: [], nothingRecorded: false };
  const project = await readProject(projectDir);
  const record = project.record;
  if (!record) {
    summary.nothingRecorded = true;
    if (!json) ui.info(`Nothing to remove: logto-mcp.json records no registration in ${projectDir}.`);
    return summary;
  }
  const options = await getOptions();
  const target = resolveManagementTarget({
    issuer: `${record.endpoint}/oidc`,
    tenantId: options.tenantId,
    managementEndpoint: options.managementEndpoint ?? (options.tenantId ? undefined : record.managementEndpoint),
    managementResource: options.managementResource ?? (options.tenantId ? undefined : record.managementResource),
  });

  try {
    const api = await ui.step('Getting a Management API token', () =>
      ManagementApi.connect({ endpoint: target.managementEndpoint, resource: target.resource, appId: options.m2mAppId, appSecret: options.m2mAppSecret, ...deps }),
    );
    const { created } = record;
    const remove = async (kind: Kind, id: string | undefined, del: (id: string) => Promise<void>) => {
      if (!id) return;
      try {
        await ui.step(`Removing ${kind} ${id}`, () => del(id));
        summary.removed.push({ kind, id });
      } catch (error) {
        if (!(error instanceof LogtoApiError && error.status === 404)) throw error;
        summary.alreadyGone.push({ kind, id });
      }
    };
    await remove('application', created.application, api.deleteApplication);
    await remove('role', created.role, api.deleteRole);
    // Scopes go with a resource we created; in a resource that existed before, only the ones we added are removed.
    if (!created.resource && record.resource) {
      for (const scopeId of created.scopeIds ?? []) await remove('scope', scopeId, (id) => api.deleteScope(record.resource!.id, id));
    }
    await remove('resource', created.resource, api.deleteResource);
  } catch (error) {
    throw explainLogtoError(error, target, options.m2mAppId);
  }

  const keep = (kind: Kind, id: string | undefined, createdId: string | undefined) => {
    if (id && id !== createdId) summary.kept.push({ kind, id });
  };
  keep('application', record.application?.id, record.created.application);
  keep('role', record.role?.id, record.created.role);
  keep('resource', record.resource?.id, record.created.resource);

  if (record.created.application && project.env.LOGTO_APP_ID === record.created.application) {
    await setEnvValues(projectDir, { LOGTO_APP_ID: undefined, LOGTO_APP_SECRET: undefined });
  }
  await saveRecord(projectDir, undefined);

  if (!json) {
    for (const { kind, id } of summary.removed) ui.success(`removed ${kind} ${id}`);
    for (const { kind, id } of summary.alreadyGone) ui.info(`  already gone: ${kind} ${id}`);
    for (const { kind, id } of summary.kept) ui.info(`  kept (it existed before register): ${kind} ${id}`);
    if (record.dynamicApps) ui.info('Dynamic apps stay enabled for the tenant (a tenant-wide setting); switch them off in Logto Console if nothing else uses them.');
  }
  return summary;
}
