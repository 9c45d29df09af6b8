import { UsageError } from '../../errors.js';
import type { CimdConfig, ManagementApi } from '../../logto/management-api.js';
import type { StepContext, Status } from '../context.js';
import { ensureConsentScopes } from './app.js';

/** With --enable-dynamic-apps, the tenant's setting, read before anything is created so that a refusal leaves nothing behind. */
export async function checkDynamicApps(api: ManagementApi, enable: boolean): Promise<CimdConfig | undefined> {
  if (!enable) return undefined;
  const cimd = await api.getCimdConfig();
  if (cimd === null) {
    throw new UsageError(
      'This Logto does not support dynamic apps (Client ID Metadata Documents need Logto 1.43 or later); run again without --enable-dynamic-apps.',
    );
  }
  return cimd;
}

/** Switches dynamic apps on for the tenant and adds the resource scopes to their consent scopes. */
export async function ensureDynamicApps(
  { api, record }: StepContext,
  cimd: CimdConfig,
  scopeIds: string[],
): Promise<Status> {
  const switched = !cimd.enabled && (await api.updateCimdConfig({ enabled: true }), true);
  const added = await ensureConsentScopes(
    () => api.getCimdConsentScopes(),
    (body) => api.addCimdConsentScopes(body),
    scopeIds,
  );
  record.dynamicApps = true;
  return switched ? 'updated' : added;
}
