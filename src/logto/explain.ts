import { UsageError } from '../errors.js';
import type { ManagementTarget } from './endpoints.js';
import { LogtoApiError } from './management-api.js';

const DUPLICATE_CODES = new Set([
  'entity.unique_integrity_violation',
  'role.name_in_use',
  'scope.name_exists',
  'application.secret_name_exists',
]);
const QUOTA_CODES = new Set(['subscription.limit_exceeded', 'system_limit.limit_exceeded']);

/** Turns a failed Management API call into a message that says what to do. Other errors pass through. */
export function explainLogtoError(error: unknown, target: ManagementTarget, appId: string): unknown {
  if (!(error instanceof LogtoApiError)) return error;
  const { kind, request, status, code, message } = error;
  switch (kind) {
    case 'network':
      return new UsageError(
        `Cannot reach Logto at ${target.managementEndpoint} (${message}). Check the issuer and your network, then run the command again.`,
      );
    case 'tls':
      return new UsageError(
        `The TLS connection to ${target.managementEndpoint} failed (${message}). Its certificate is not trusted here: ` +
          `fix the certificate, or for a private CA set NODE_EXTRA_CA_CERTS=/path/to/ca.pem.`,
      );
    case 'oauth':
      if (code === 'invalid_client') {
        return new UsageError(
          `Logto rejected the M2M credentials for app ID "${appId}" (invalid_client). Check --m2m-app-id / LOGTO_M2M_APP_ID and ` +
            `--m2m-app-secret / LOGTO_M2M_APP_SECRET: both are in Logto Console > Applications > your machine-to-machine app.`,
        );
      }
      if (code === 'invalid_target') {
        const hint =
          target.deployment === 'self-hosted'
            ? 'That is the self-hosted value. For a Logto Cloud tenant behind a custom domain pass --tenant-id <tenant ID> ' +
              '(its Management API is https://<tenant ID>.logto.app/api); otherwise give the right one with --management-resource.'
            : 'On Logto Cloud it is https://<tenant ID>.logto.app/api: check --tenant-id, or give it with --management-resource. ' +
              'On self-hosted Logto it is https://default.logto.app/api.';
        return new UsageError(
          `Logto does not know the Management API resource ${target.resource} (invalid_target). ${hint}`,
        );
      }
      return new UsageError(`Logto refused the Management API token request (${message}).`);
    case 'response':
      return new UsageError(
        `Logto at ${target.managementEndpoint} gave an answer this CLI cannot use: ${message}. ` +
          `Is ${target.managementEndpoint} a Logto Management API? Check the issuer and --management-endpoint.`,
      );
    case 'http':
      break;
  }
  const what = `${request} → ${status}${code ? ` ${code}` : ''}: ${message}`;
  if (status === 401) {
    return new UsageError(
      `Logto rejected the Management API token (${what}). Check that --management-resource matches this tenant.`,
    );
  }
  if (status === 403 && QUOTA_CODES.has(code ?? '')) {
    return new UsageError(
      `Your Logto plan's quota is used up (${what}). Delete what you no longer need or upgrade the plan, then run the command again.`,
    );
  }
  if (status === 403) {
    return new UsageError(
      `The M2M app "${appId}" may not use the Management API (${what}). In Logto Console > Applications > that app > Roles, ` +
        `assign a machine-to-machine role with the Logto Management API permission "all" (e.g. "Logto Management API access").`,
    );
  }
  if (status === 422 && DUPLICATE_CODES.has(code ?? '')) {
    return new UsageError(
      `Logto says it already exists (${what}). Run the command again: it looks up what exists and reuses it.`,
    );
  }
  if (status === 422 && QUOTA_CODES.has(code ?? '')) {
    return new UsageError(`Your Logto plan's quota is used up (${what}).`);
  }
  if (code === 'application.invalid_third_party_application_type') {
    return new UsageError(
      `This Logto accepts only traditional web apps as third-party apps (native and SPA ones need Logto 1.35 or later) (${what}). ` +
        `Use --app-type traditional, or upgrade Logto.`,
    );
  }
  if (status !== undefined && status >= 500) {
    return new UsageError(
      `Logto kept failing (${what}), also after retrying. Nothing is left that a re-run cannot finish: run the same command again later.`,
    );
  }
  return new UsageError(`Logto refused a request (${what}).`);
}
