// How an object in Logto shows that register created it for this copy of the project. Logto's own data
// is the proof: only the tenant's administrators can change it, unlike the project's committed files,
// whose IDs are hints. A mark names the resource indicator and the project's registration key, a random
// value kept only in its private .env: projects sharing a resource URL (every project's default is
// http://localhost:3001/mcp) cannot claim each other's objects, and a file from a clone cannot name one.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Application, Role, Scope } from '../logto/management-api.js';

export const CREATED_BY = 'create-logto-mcp';
/** The .env variable holding the registration key. */
export const REGISTRATION_KEY = 'LOGTO_REGISTRATION_KEY';

/** Who this copy of the project is in Logto. */
export interface ProjectMark {
  resource: string;
  key: string;
}

export function newRegistrationKey(): string {
  return randomBytes(16).toString('base64url');
}

/** A key as newRegistrationKey makes it; anything else in .env is replaced by a new one. */
export function isRegistrationKey(value: string | undefined): value is string {
  return value !== undefined && /^[\w-]{22}$/.test(value);
}

/** Kept in the app's `customData`, which Logto stores as given and returns with the app. */
export function appMark({ resource, key }: ProjectMark) {
  return { createdBy: CREATED_BY, resource, registrationKey: key };
}

export function appDescription(resource: string): string {
  return `Sign-in for MCP clients of ${resource} (created by create-logto-mcp)`;
}

/** Logto roles have no custom data; the description, which register writes and checks, carries the mark. */
export function roleDescription({ resource, key }: ProjectMark): string {
  return `Users with this role may use the MCP server ${resource} (create-logto-mcp registration ${key})`;
}

export function isOwnApp(app: Pick<Application, 'customData'>, mark: ProjectMark): boolean {
  const data = app.customData as Record<string, unknown> | null | undefined;
  return data?.createdBy === CREATED_BY && data.resource === mark.resource && data.registrationKey === mark.key;
}

export function isOwnRole(role: Pick<Role, 'type' | 'description'>, mark: ProjectMark): boolean {
  return role.type === 'User' && role.description === roleDescription(mark);
}

/** A role may be removed only while every scope it grants is one of this project's resource. */
export function grantsOnly(scopes: Array<Pick<Scope, 'resourceId'>>, resourceId: string): boolean {
  return scopes.every((scope) => scope.resourceId === resourceId);
}

/** The IDs a record lists as created by register; `signature` ties them to the registration key. */
export interface CreatedIds {
  resource?: string;
  scopeIds?: string[];
  role?: string;
  application?: string;
  /** This copy's block is in the tenant's custom access-token claims script (claims-script.ts). */
  profileClaims?: boolean;
  signature?: string;
}

/**
 * An HMAC of the created IDs under the registration key, kept with them in logto-mcp.json. Apps and roles
 * carry their mark in Logto; an API resource and its scopes cannot, so this is what shows that this copy
 * created them: someone without the key (any reader of the repository) cannot list another ID and sign it.
 */
export function signCreated({ resource, scopeIds, role, application, profileClaims }: CreatedIds, key: string): string {
  // profileClaims is appended only when set, so a record signed before it existed still verifies.
  const canonical = JSON.stringify([
    resource ?? null,
    [...(scopeIds ?? [])].sort(),
    role ?? null,
    application ?? null,
    ...(profileClaims ? [true] : []),
  ]);
  return createHmac('sha256', key).update(canonical).digest('base64url');
}

export function isSignedCreated(created: CreatedIds, key: string): boolean {
  if (!created.signature) return false;
  const expected = Buffer.from(signCreated(created, key));
  const given = Buffer.from(created.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
