import { UsageError } from '../errors.js';
import { parseHttpUrl } from '../options/create-options.js';

/** Where the Management API lives and which resource indicator its tokens are requested for. */
export interface ManagementTarget {
  /** The Logto endpoint users sign in at: the issuer without `/oidc`. */
  logtoEndpoint: string;
  /** Where the token and /api requests go; differs from logtoEndpoint for a Cloud tenant behind a custom domain. */
  managementEndpoint: string;
  /** The Management API resource indicator the token is requested for. */
  resource: string;
  deployment: 'cloud' | 'self-hosted';
  /** One sentence saying which was used and why, shown to the user. */
  explanation: string;
}

export interface ManagementTargetInput {
  issuer: string;
  tenantId?: string;
  managementEndpoint?: string;
  managementResource?: string;
}

/** A Logto Cloud tenant ID: lower-case letters and digits, as in `<tenant>.logto.app`. */
export const TENANT_ID = /^[a-z0-9]+$/;
const CLOUD_HOST = /^([a-z0-9]+)\.logto\.app$/;
export const SELF_HOSTED_MANAGEMENT_RESOURCE = 'https://default.logto.app/api';

/**
 * Whether an API resource indicator is one of Logto's own: the Management API of a self-hosted Logto or
 * of a Cloud tenant, the `management-api` resource whatever its indicator, or Logto's admin resources
 * (`https://admin.logto.app/...`). Register and unregister never take one for the MCP server's resource.
 */
export function isLogtoOwnResource(resource: { indicator: string; id?: string }, target: ManagementTarget): boolean {
  const { indicator, id } = resource;
  if (id !== undefined && id.startsWith('management-api')) return true;
  if (indicator === target.resource || indicator === SELF_HOSTED_MANAGEMENT_RESOURCE) return true;
  return /^https:\/\/([a-z0-9]+\.logto\.app\/api|admin\.logto\.app)(\/|$)/.test(indicator);
}

/** The Logto endpoint from an issuer: `https://x.logto.app/oidc` → `https://x.logto.app`. */
export function logtoEndpointFromIssuer(issuer: string): string {
  const href = checked(issuer, '--issuer');
  const url = new URL(href);
  if (!url.pathname.replace(/\/+$/, '').endsWith('/oidc')) {
    throw new UsageError(
      `The issuer ${href} does not end in /oidc; a Logto issuer looks like https://<tenant>.logto.app/oidc.`,
    );
  }
  return href.replace(/\/+$/, '').replace(/\/oidc$/, '');
}

/**
 * Logto Cloud names the Management API after the tenant (`https://<tenant>.logto.app/api`) and serves it
 * only on the tenant's logto.app host; self-hosted Logto always calls it `https://default.logto.app/api`.
 * A Cloud tenant behind a custom domain looks self-hosted from its issuer, hence --tenant-id.
 * Everything here is validated before any request is made.
 */
export function resolveManagementTarget(input: ManagementTargetInput): ManagementTarget {
  const logtoEndpoint = logtoEndpointFromIssuer(input.issuer);
  if (input.tenantId !== undefined && !TENANT_ID.test(input.tenantId)) {
    throw new UsageError(
      `Invalid --tenant-id "${input.tenantId}": a Logto Cloud tenant ID is lower-case letters and digits.`,
    );
  }
  const managementEndpoint = (
    input.managementEndpoint !== undefined
      ? checked(input.managementEndpoint, '--management-endpoint')
      : input.tenantId
        ? `https://${input.tenantId}.logto.app`
        : logtoEndpoint
  ).replace(/\/+$/, '');
  const tenant = input.tenantId ?? CLOUD_HOST.exec(new URL(managementEndpoint).hostname)?.[1];
  const deployment = tenant ? 'cloud' : 'self-hosted';
  const derived = tenant ? `https://${tenant}.logto.app/api` : SELF_HOSTED_MANAGEMENT_RESOURCE;
  const resource =
    input.managementResource !== undefined ? checked(input.managementResource, '--management-resource') : derived;

  let explanation: string;
  if (input.managementResource !== undefined) {
    explanation = `Management API resource ${resource} (from --management-resource) at ${managementEndpoint}.`;
  } else if (tenant) {
    const from = input.tenantId ? '--tenant-id' : 'the host name';
    explanation = `Logto Cloud tenant ${tenant} (from ${from}): Management API resource ${resource} at ${managementEndpoint}.`;
  } else {
    explanation =
      `Self-hosted Logto at ${managementEndpoint}: Management API resource ${resource}. ` +
      `(A Logto Cloud tenant behind a custom domain needs --tenant-id <id>: custom domains cannot serve the Management API.)`;
  }
  return { logtoEndpoint, managementEndpoint, resource, deployment, explanation };
}

function checked(raw: string, flag: string): string {
  try {
    return parseHttpUrl(raw, flag.replace(/^--/, ''));
  } catch (error) {
    throw new UsageError(`Invalid ${flag}: ${(error as Error).message}`);
  }
}
