import path from 'node:path';
import { LogtoApiError, type ManagementApi } from '../logto/management-api.js';
import { printable } from '../printable.js';
import { blockLabel, parseScript } from '../register/claims-script.js';
import { isOwnApp, isOwnRole, type ProjectMark } from '../register/ownership.js';
import { setEnvValues, type LogtoRecord } from '../register/project.js';
import { removeClaimsBlock } from '../register/unregister.js';
import type { Ui } from '../ui.js';
import type { Manifest } from './manifest.js';

export interface CleanupEntry {
  kind: 'user' | 'application' | 'role' | 'claims-block' | 'resource' | 'scope';
  id: string;
  name?: string;
}

export interface CleanupSummary {
  removed: CleanupEntry[];
  alreadyGone: CleanupEntry[];
  /** Listed as created, but Logto does not show it as the workshop's: left alone. */
  kept: Array<CleanupEntry & { reason: string }>;
}

/**
 * Removes what the workshop created, and only that: each object workshop.json lists as created is removed
 * when Logto shows it is the workshop's (apps and users carry its key and the attendee's name, the role its
 * key; the manifest, signed with the key, is what shows the resource and scopes are its own). Something
 * already gone counts as removed, so a re-run finishes the job. The starters' folders stay.
 */
export async function cleanupWorkshop(
  folder: string,
  manifest: Manifest,
  key: string,
  api: ManagementApi,
  ui: Ui,
  save: () => Promise<void>,
): Promise<CleanupSummary> {
  const summary: CleanupSummary = { removed: [], alreadyGone: [], kept: [] };
  const remove = async (entry: CleanupEntry, call: () => Promise<unknown>) => {
    try {
      await ui.step(`Removing ${entry.kind} ${printable(entry.name ?? entry.id, 100)}`, call);
      summary.removed.push(entry);
    } catch (error) {
      if (!(error instanceof LogtoApiError && error.status === 404)) throw error;
      summary.alreadyGone.push(entry);
    }
  };
  const markOf = (resource: string): ProjectMark => ({ resource, key });
  const sharedMark = markOf(manifest.answers.resource);

  for (const attendee of manifest.attendees) {
    const mark = manifest.distinctPorts ? markOf(attendee.resource) : sharedMark;
    if (attendee.user?.created && attendee.username) {
      const entry: CleanupEntry = { kind: 'user', id: attendee.user.id, name: attendee.username };
      const user = (await api.findUsers('username', attendee.username)).find(({ id }) => id === attendee.user!.id);
      const data = user?.customData;
      if (!user) summary.alreadyGone.push(entry);
      else if (data?.registrationKey !== key || data.attendee !== attendee.name)
        summary.kept.push({ ...entry, reason: 'not marked as made by this workshop' });
      else await remove(entry, () => api.deleteUser(user.id));
    }
    delete attendee.user;
    const appId = attendee.logto?.created.application;
    if (appId) {
      const entry: CleanupEntry = { kind: 'application', id: appId, name: `${attendee.name} MCP client` };
      const app = await api.getApplication(appId);
      if (!app) summary.alreadyGone.push(entry);
      else if (!isOwnApp(app, mark) || app.customData?.attendee !== attendee.name)
        summary.kept.push({ ...entry, reason: 'not marked as made by this workshop' });
      else await remove(entry, () => api.deleteApplication(appId));
      await setEnvValues(path.join(folder, attendee.folder), { LOGTO_APP_ID: undefined });
    }
    await save();
  }

  const records: Array<{ record: LogtoRecord; mark: ProjectMark }> = manifest.distinctPorts
    ? manifest.attendees.flatMap((attendee) =>
        attendee.logto ? [{ record: attendee.logto, mark: markOf(attendee.resource) }] : [],
      )
    : [];
  if (manifest.logto) records.unshift({ record: manifest.logto, mark: sharedMark });
  const ownResourceIds = new Set(records.map(({ record }) => record.resource?.id).filter((id) => id !== undefined));

  const roleId = manifest.logto?.created.role;
  if (roleId) {
    const role = await api.getRole(roleId);
    const entry: CleanupEntry = { kind: 'role', id: roleId, name: role?.name };
    if (!role) summary.alreadyGone.push(entry);
    else if (!isOwnRole(role, sharedMark))
      summary.kept.push({ ...entry, reason: 'not marked as made by this workshop' });
    else if (!(await api.listRoleScopes(roleId)).every((scope) => ownResourceIds.has(scope.resourceId)))
      summary.kept.push({ ...entry, reason: 'it also grants scopes of other API resources' });
    else await remove(entry, () => api.deleteRole(roleId));
  }

  for (const { record, mark } of records) {
    const { created } = record;
    if (created.profileClaims) {
      const label = blockLabel(mark);
      const entry: CleanupEntry = { kind: 'claims-block', id: mark.resource };
      const parsed = parseScript((await api.getAccessTokenClaims())?.script);
      if (!parsed.ok)
        summary.kept.push({
          ...entry,
          reason: `the tenant's claims script ${parsed.reason}; remove the block between its "${label}" lines in Logto Console`,
        });
      else if (!parsed.blocks.some((block) => block.label === label)) summary.alreadyGone.push(entry);
      else await remove(entry, () => removeClaimsBlock(api, label));
    }
    const resources = await api.listResources();
    const resource = resources.find(({ indicator }) => indicator === mark.resource);
    if (created.resource) {
      const entry: CleanupEntry = { kind: 'resource', id: created.resource, name: mark.resource };
      if (resource?.id === created.resource) await remove(entry, () => api.deleteResource(created.resource!));
      else if (resources.some(({ id }) => id === created.resource))
        summary.kept.push({ ...entry, reason: `its indicator is not ${mark.resource}` });
      else summary.alreadyGone.push(entry);
    } else if (resource) {
      for (const scopeId of created.scopeIds ?? [])
        await remove({ kind: 'scope', id: scopeId }, () => api.deleteScope(resource.id, scopeId));
    }
  }
  for (const attendee of manifest.attendees) delete attendee.logto;
  delete manifest.logto;
  await save();
  return summary;
}
