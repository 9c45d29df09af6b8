// The Logto checks' names, in the order doctor reports them; each is added once, as a result or as skipped.
import type { ManagementApi } from '../logto/management-api.js';
import { skipped, type Check, type Checklist } from './check.js';

export const TITLES = {
  'logto.connect': 'Management API reachable with the M2M credentials',
  'logto.resource': 'API resource with exactly the server’s indicator',
  'logto.scopes': 'The resource has the scopes the server declares',
  'logto.app': 'The app MCP clients sign in with exists',
  'logto.app.third-party': 'The app is third-party (consent screen)',
  'logto.app.consent': "The app's consent scopes cover the server's scopes",
  'logto.app.redirects': "The app's type and redirect URIs suit MCP clients",
  'logto.role': 'A role grants the scopes',
  'logto.role.users': 'Some user holds that role',
  'logto.profile-claims': 'Profile claims script in place',
} as const;
export type LogtoCheckId = keyof typeof TITLES;

/** What each Logto check step gets: the API, the scopes the server declares (and their IDs in Logto, where found). */
export interface LogtoStep {
  list: Checklist;
  api: ManagementApi;
  declared: string[];
  /** The IDs of the declared scopes that exist on the resource, in the order of `declared`. */
  scopeIds: string[];
}

export function add(step: LogtoStep, check: Check): void {
  step.list.add(check);
}

export function skip(step: Pick<LogtoStep, 'list'>, ids: LogtoCheckId[], why: string): void {
  for (const id of ids) step.list.add(skipped(id, TITLES[id], why));
}
