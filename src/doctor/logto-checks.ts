// What Logto holds for the server, read with register's M2M credentials and sent only where register would send
// them (trusted-endpoints.ts): the API resource with exactly the server's indicator and its scopes, the app and
// its consent scopes, type and redirect URIs, a role granting the scopes and who holds it, the claims script.
import { UsageError } from '../errors.js';
import { resolveManagementTarget, type ManagementTarget } from '../logto/endpoints.js';
import { explainLogtoError } from '../logto/explain.js';
import { ManagementApi, type Scope } from '../logto/management-api.js';
import { REGISTRATION_KEY } from '../register/ownership.js';
import { checkCredentialsTarget, endpointSource } from '../register/trusted-endpoints.js';
import type { Target } from '../try/target.js';
import { confirmer, type Ui } from '../ui.js';
import { fail, pass, skipped, type Checklist } from './check.js';
import { checkApp } from './logto-app-checks.js';
import { checkProfileClaims } from './logto-claims-check.js';
import { checkRole } from './logto-role-checks.js';
import { skip, TITLES, type LogtoCheckId as Id } from './logto-titles.js';
import { urlDifferences } from './compare-urls.js';

export interface LogtoCheckInput {
  target: Target;
  /** The issuer the user named (flag, environment or the project's .env); never one the server's metadata names. */
  issuer: string | undefined;
  options: {
    appId?: string;
    m2mAppId?: string;
    m2mAppSecret?: string;
    tenantId?: string;
    managementEndpoint?: string;
    managementResource?: string;
  };
  flags: Record<string, unknown>;
  /** Whether the user can be asked (a terminal, no --json) before the credentials go to a Logto not named before. */
  interactive: boolean;
  ui: Ui;
  fetch?: typeof fetch;
}

export async function logtoChecks(list: Checklist, input: LogtoCheckInput): Promise<void> {
  const { options, target } = input;
  const skipAll = (why: string, from: Id = 'logto.connect') => {
    const ids = Object.keys(TITLES) as Id[];
    for (const id of ids.slice(ids.indexOf(from))) list.add(skipped(id, TITLES[id], why));
  };
  if (!options.m2mAppId || !options.m2mAppSecret) {
    return skipAll(
      'no M2M credentials: set LOGTO_M2M_APP_ID and LOGTO_M2M_APP_SECRET (or --m2m-app-id) as for register',
    );
  }
  if (!input.issuer) {
    return skipAll(
      "no issuer named: the M2M credentials go only to a Logto you name (LOGTO_ISSUER in .env, the environment or --issuer), never to one the server's metadata names",
    );
  }
  const env = target.project?.env ?? {};
  let management: ManagementTarget;
  let api: ManagementApi;
  try {
    management = resolveManagementTarget({ ...options, issuer: input.issuer });
    const confirm = confirmer(input.interactive);
    await checkCredentialsTarget(management, endpointSource(input.flags, env), {
      issuer: input.issuer,
      ui: input.ui,
      confirm,
    });
    try {
      api = await ManagementApi.connect({
        endpoint: management.managementEndpoint,
        resource: management.resource,
        appId: options.m2mAppId,
        appSecret: options.m2mAppSecret,
        fetch: input.fetch,
      });
    } catch (error) {
      throw explainLogtoError(error, management, options.m2mAppId);
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    list.add(
      fail(
        'logto.connect',
        TITLES['logto.connect'],
        error.message,
        'Fix what the message names, then run doctor again.',
      ),
    );
    return skipAll('the Management API could not be used', 'logto.resource');
  }
  list.add(pass('logto.connect', TITLES['logto.connect'], management.explanation));

  try {
    await checkRegistration(list, api, input, env);
  } catch (error) {
    const explained = explainLogtoError(error, management, options.m2mAppId);
    if (!(explained instanceof UsageError)) throw explained;
    list.add(
      fail(
        'logto.api',
        'Management API answered',
        explained.message,
        'Fix what the message names, then run doctor again.',
      ),
    );
  }
}

async function checkRegistration(
  list: Checklist,
  api: ManagementApi,
  input: LogtoCheckInput,
  env: Record<string, string>,
): Promise<void> {
  const indicator = input.target.url;
  const project = input.target.project;
  const declared = [
    ...new Set([
      ...(env.MCP_REQUIRED_SCOPES ?? '').split(/[\s,]+/).filter(Boolean),
      ...Object.values(project?.toolScopes ?? {}).flat(),
    ]),
  ];
  const add = (check: ReturnType<typeof pass>) => list.add(check);

  // The resource: exactly that string, as Logto compares resource indicators.
  const resources = await api.listResources();
  const resource = resources.find((r) => r.indicator === indicator);
  let scopes: Scope[] = [];
  if (resource) {
    add(pass('logto.resource', TITLES['logto.resource'], `${resource.name} (${resource.id})`));
    scopes = await api.listScopes(resource.id);
    const missing = declared.filter((name) => !scopes.some((scope) => scope.name === name));
    if (declared.length === 0)
      add(pass('logto.scopes', TITLES['logto.scopes'], 'the server declares no scope of its own'));
    else if (missing.length === 0) add(pass('logto.scopes', TITLES['logto.scopes'], declared.join(' ')));
    else
      add(
        fail(
          'logto.scopes',
          TITLES['logto.scopes'],
          `missing: ${missing.join(' ')}`,
          'Run register again: it creates the scopes MCP_REQUIRED_SCOPES and tool-scopes.json declare.',
        ),
      );
  } else {
    const near = resources.filter((r) => sameModuloSpelling(r.indicator, indicator));
    const detail = near.length
      ? near.map((r) => urlDifferences('Logto', r.indicator, 'the server', indicator).join('; ')).join(' | ')
      : `no API resource has the indicator ${indicator}`;
    add(
      fail(
        'logto.resource',
        TITLES['logto.resource'],
        detail,
        near.length
          ? `Use one spelling: set MCP_RESOURCE to ${near[0]!.indicator}, or run register to create ${indicator}.`
          : 'Run register: it creates the API resource with exactly this indicator.',
      ),
    );
    skip({ list }, ['logto.scopes'], 'no API resource');
  }
  const scopeIds = declared
    .map((name) => scopes.find((scope) => scope.name === name)?.id)
    .filter((id): id is string => id !== undefined);

  const step = { list, api, declared, scopeIds };
  await checkApp(step, input.options.appId ?? env.LOGTO_APP_ID);
  await checkRole(step);
  await checkProfileClaims(step, {
    resource: indicator,
    key: env[REGISTRATION_KEY],
    expected: project?.record?.created.profileClaims === true,
  });
}

/** The same URL but for the spellings doctor names: case, localhost vs 127.0.0.1, a trailing slash. */
function sameModuloSpelling(a: string, b: string): boolean {
  const canon = (raw: string) => {
    if (!URL.canParse(raw)) return raw;
    const url = new URL(raw);
    const host = url.hostname === 'localhost' || url.hostname === '[::1]' ? '127.0.0.1' : url.hostname;
    return `${url.protocol}//${host}:${url.port}${url.pathname.replace(/\/+$/, '')}`.toLowerCase();
  };
  return canon(a) === canon(b);
}
