import type { ManagementTarget } from '../logto/endpoints.js';
import { ManagementApi } from '../logto/management-api.js';
import type { Ui } from '../ui.js';
import type { RegisterOptions } from './options.js';

/** What tests replace: the network and the wait between retries. */
export interface RegisterDeps {
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

/** Gets a Management API token with the M2M credentials: shared by register, unregister and workshop. */
export function connect(
  target: ManagementTarget,
  options: Pick<RegisterOptions, 'm2mAppId' | 'm2mAppSecret'>,
  ui: Ui,
  deps: RegisterDeps = {},
) {
  return ui.step('Getting a Management API token', () =>
    ManagementApi.connect({
      endpoint: target.managementEndpoint,
      resource: target.resource,
      appId: options.m2mAppId,
      appSecret: options.m2mAppSecret,
      ...deps,
    }),
  );
}
