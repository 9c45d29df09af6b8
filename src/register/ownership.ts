// How an object in Logto shows that register created it for this project's MCP server. Logto's own
// data is the proof: only the tenant's administrators can change it, unlike the project's committed
// files, whose IDs are hints. Each mark names the resource indicator, so a project can claim only the
// objects made for its own MCP_RESOURCE.
import type { Application, Role, Scope } from '../logto/management-api.js';

export const CREATED_BY = 'create-logto-mcp';

/** Kept in the app's `customData`, which Logto stores as given and returns with the app. */
export function appMark(resource: string) {
  return { createdBy: CREATED_BY, resource };
}

export function appDescription(resource: string): string {
  return `Sign-in for MCP clients of ${resource} (created by create-logto-mcp)`;
}

/** Logto roles have no custom data; the description, which register writes and checks, carries the mark. */
export function roleDescription(resource: string): string {
  return `Users with this role may use the MCP server ${resource}`;
}

/**
 * Whether Logto says this app was made by register for `resource`: its custom data, or for apps made
 * before custom data was written (create-logto-mcp 0.1), the description register gave it.
 */
export function isOwnApp(app: Pick<Application, 'customData' | 'description'>, resource: string): boolean {
  const data = app.customData as Record<string, unknown> | null | undefined;
  if (data && data.createdBy === CREATED_BY) return data.resource === resource;
  return app.description === appDescription(resource);
}

export function isOwnRole(role: Pick<Role, 'type' | 'description'>, resource: string): boolean {
  return role.type === 'User' && role.description === roleDescription(resource);
}

/** A role may be removed only while every scope it grants is one of this project's resource. */
export function grantsOnly(scopes: Array<Pick<Scope, 'resourceId'>>, resourceId: string): boolean {
  return scopes.every((scope) => scope.resourceId === resourceId);
}
