import { registerOptionSpecs } from '../register/options.js';
import { createOptionSpecs, parseHttpUrl } from '../options/create-options.js';
import type { OptionSpec } from '../options/define.js';

const { m2mAppId, m2mAppSecret, tenantId, managementEndpoint, managementResource } = registerOptionSpecs;

/**
 * doctor's flags: the issuer to compare with (else LOGTO_ISSUER in the project's .env), the app to inspect (else
 * LOGTO_APP_ID), and register's M2M credentials for the Logto checks, which are skipped without them.
 */
export const doctorOptionSpecs = {
  issuer: {
    flag: '--issuer <url>',
    optional: true,
    description: `${createOptionSpecs.issuer.description}, compared with what the server names`,
    env: 'LOGTO_ISSUER',
    defaultDescription: "LOGTO_ISSUER in the project's .env",
    // Kept as written: doctor compares issuers byte for byte, as clients and token verification do.
    parse: (raw) => (parseHttpUrl(raw, 'issuer'), raw.trim()),
  } satisfies OptionSpec<string>,
  appId: {
    flag: '--app-id <id>',
    optional: true,
    description: 'The Logto app MCP clients sign in with',
    defaultDescription: "LOGTO_APP_ID in the project's .env",
    parse: (raw) => raw.trim(),
  } satisfies OptionSpec<string>,
  m2mAppId: {
    ...m2mAppId,
    optional: true,
    prompt: undefined,
    description: `${m2mAppId.description}; without it the Logto checks are skipped`,
  } as OptionSpec<string> & { optional: true },
  m2mAppSecret: { ...m2mAppSecret, optional: true, prompt: undefined } as OptionSpec<string> & { optional: true },
  tenantId,
  managementEndpoint,
  managementResource,
};
