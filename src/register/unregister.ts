import { isLogtoOwnResource, resolveManagementTarget, type ManagementTarget } from '../logto/endpoints.js';
import { explainLogtoError } from '../logto/explain.js';
import { LogtoApiError, type ManagementApi } from '../logto/management-api.js';
import { UsageError } from '../errors.js';
import { printable } from '../printable.js';
import { shell } from '../render/encoders.js';
import type { Ui } from '../ui.js';
import type { RegisterFlagOptions } from './options.js';
import {
  grantsOnly,
  isOwnApp,
  isOwnRole,
  isRegistrationKey,
  isSignedCreated,
  REGISTRATION_KEY,
  type ProjectMark,
} from './ownership.js';
import { blockLabel, parseScript, scriptFor, withoutBlock } from './claims-script.js';
import { CONFIG_FILE, readProject, saveRecord, setEnvValues, type LogtoRecord } from './project.js';
import { connect, type RegisterDeps } from './connect.js';

/** `claims-block`: this copy's block of the tenant's custom access-token claims script (its id: the resource). */
type Kind = 'application' | 'role' | 'scope' | 'resource' | 'claims-block';
interface Entry {
  kind: Kind;
  id: string;
  /** Why it was kept, for what unregister leaves in place although register created it. */
  reason?: string;
}

export interface UnregisterSummary {
  /** Deleted now. */
  removed: Entry[];
  /** Recorded as created by register but already gone from Logto (e.g. a re-run after a failure). */
  alreadyGone: Entry[];
  /** Left in place: it existed before register, or others use it too (the reason says which). */
  kept: Entry[];
  /** Nothing was recorded: the project has no registration. */
  nothingRecorded: boolean;
}

export type UnregisterOptions = Pick<
  RegisterFlagOptions,
  'm2mAppId' | 'm2mAppSecret' | 'tenantId' | 'managementEndpoint' | 'managementResource'
> & {
  /** From --issuer or the project's .env: never from a committed file. */
  issuer: string;
  /** This project's MCP_RESOURCE: what Logto's marks must name for an object to be removed. */
  resource: string;
  /** --yes: remove without asking. */
  yes: boolean;
};

export interface UnregisterInput {
  projectDir: string;
  /** Resolves the options; called only when there is something recorded. */
  getOptions: () => Promise<UnregisterOptions>;
  /** Asks a yes/no question in a terminal (default no); absent when there is no terminal. */
  confirm?: (question: string) => Promise<boolean>;
  /** Called with where the M2M credentials would go, before they are sent; throws to stop (trusted-endpoints.ts). */
  checkTarget?: (target: ManagementTarget, issuer: string) => Promise<void>;
  ui: Ui;
  json?: boolean;
  deps?: RegisterDeps;
}

/**
 * Removes from Logto what register created for this project, then the app's lines in .env and the
 * record. logto-mcp.json is committed, so anyone may have changed it: its IDs are only candidates.
 * The credentials go only where this run's --issuer or the project's .env point; each candidate is
 * removed only when Logto itself shows it is this project's (ownership.ts); the user sees the list and
 * confirms it (or passes --yes). Something already gone counts as removed, so a re-run finishes the job.
 */
export async function unregisterProject({
  projectDir,
  getOptions,
  confirm,
  checkTarget,
  ui,
  json = false,
  deps = {},
}: UnregisterInput): Promise<UnregisterSummary> {
  const summary: UnregisterSummary = { removed: [], alreadyGone: [], kept: [], nothingRecorded: false };
  const project = await readProject(projectDir);
  const record = project.record;
  if (!record) {
    summary.nothingRecorded = true;
    if (!json) ui.info(`Nothing to remove: ${CONFIG_FILE} records no registration in ${projectDir}.`);
    return summary;
  }
  const options = await getOptions();
  const { target, confirmed } = await checkedTarget(record, options, confirm);
  if (isLogtoOwnResource({ indicator: options.resource }, target)) {
    throw new UsageError(
      `The MCP resource ${options.resource} is one of Logto's own APIs, not this server's; nothing was removed. Give this server's URL with --resource (or MCP_RESOURCE in .env).`,
    );
  }
  ui.info(target.explanation);
  // The user has just said yes to the record's Logto, in a terminal: that is not asked again, nor remembered.
  if (!confirmed) await checkTarget?.(target, options.issuer);
  const key = project.env[REGISTRATION_KEY];
  const { signature: _, ...listed } = record.created;
  const createdAny = Object.values(listed).some((value) => (Array.isArray(value) ? value.length > 0 : Boolean(value)));
  // With nothing listed as created there is nothing to check or remove, and no credentials are sent.
  if (createdAny) {
    if (!isRegistrationKey(key)) {
      throw new UsageError(
        `Nothing was removed: the project's .env has no ${REGISTRATION_KEY}, the mark register gives what it creates, so nothing in Logto ` +
          `can be shown to be this copy's (${CONFIG_FILE} came with the project and proves nothing; a project registered by create-logto-mcp 0.1 ` +
          `has no key either). Remove what you no longer need in Logto Console, then the "logto" entry of ${CONFIG_FILE}.`,
      );
    }
    const mark: ProjectMark = { resource: options.resource, key };
    try {
      const outcome = await removeCreated({ target, options, record, mark, confirm, ui, deps });
      summary.removed.push(...outcome.removed);
      summary.alreadyGone.push(...outcome.alreadyGone);
      summary.kept.push(...outcome.kept);
    } catch (error) {
      throw explainLogtoError(error, target, options.m2mAppId);
    }
  }

  const keep = (kind: Kind, id: string | undefined, createdId: string | undefined) => {
    if (id && id !== createdId) summary.kept.push({ kind, id });
  };
  keep('application', record.application?.id, record.created.application);
  keep('role', record.role?.id, record.created.role);
  keep('resource', record.resource?.id, record.created.resource);

  if (record.created.application && project.env.LOGTO_APP_ID === record.created.application) {
    await setEnvValues(projectDir, { LOGTO_APP_ID: undefined, LOGTO_APP_SECRET: undefined });
  }
  await saveRecord(projectDir, undefined);

  if (!json) {
    for (const { kind, id } of summary.removed) ui.success(`removed ${kind} ${id}`);
    for (const { kind, id } of summary.alreadyGone) ui.info(`  already gone: ${kind} ${id}`);
    for (const { kind, id, reason } of summary.kept)
      ui.info(`  kept (${reason ?? 'it existed before register'}): ${kind} ${id}`);
    if (record.dynamicApps)
      ui.info(
        'Dynamic apps stay enabled for the tenant (a tenant-wide setting); switch them off in Logto Console if nothing else uses them.',
      );
  }
  return summary;
}

/**
 * Where the credentials go: from this run's options and the project's .env only. The record says where
 * register ran; if it names another place, that is refused (or, in a terminal, asked, defaulting to no),
 * since a committed file must not choose where the M2M secret is sent.
 */
async function checkedTarget(
  record: LogtoRecord,
  options: UnregisterOptions,
  confirm: UnregisterInput['confirm'],
): Promise<{ target: ManagementTarget; confirmed: boolean }> {
  const target = resolveManagementTarget(options);
  const differences = (
    [
      ['endpoint', record.endpoint, target.logtoEndpoint, ['--issuer', `${record.endpoint}/oidc`]],
      [
        'managementEndpoint',
        record.managementEndpoint,
        target.managementEndpoint,
        ['--management-endpoint', record.managementEndpoint],
      ],
      [
        'managementResource',
        record.managementResource,
        target.resource,
        ['--management-resource', record.managementResource],
      ],
    ] as const
  ).filter(([, recorded, used]) => recorded !== used);
  if (differences.length === 0) return { target, confirmed: false };

  const lines = differences.map(
    ([field, recorded, used]) =>
      `  - "logto.${field}" is ${printable(JSON.stringify(recorded))}; this run uses ${JSON.stringify(used)}`,
  );
  const text = `${CONFIG_FILE} records the registration somewhere other than this run would send the M2M credentials:\n${lines.join('\n')}`;
  const question = `${text}\nSend the M2M credentials to ${printable(record.managementEndpoint)} and remove what the file records there?`;
  if (confirm && (await confirm(question))) {
    const recorded = { issuer: `${record.endpoint}/oidc`, managementEndpoint: record.managementEndpoint };
    // Named only when it is not what the endpoint implies, so the explanation does not cite a flag nobody gave.
    const derived = resolveManagementTarget(recorded);
    const target =
      derived.resource === record.managementResource
        ? derived
        : resolveManagementTarget({ ...recorded, managementResource: record.managementResource });
    return { target, confirmed: true };
  }
  const flags = printable(differences.flatMap(([, , , flag]) => flag.map(shell)).join(' '));
  throw new UsageError(
    `${text}\nNothing was sent anywhere: a committed file does not choose where credentials go. ` +
      `If you trust the file's values, pass them yourself: ${flags}`,
  );
}

/** Connects, sorts what the record lists (planRemoval), shows it, asks, and removes what is this copy's. */
async function removeCreated({
  target,
  options,
  record,
  mark,
  confirm,
  ui,
  deps,
}: {
  target: ManagementTarget;
  options: UnregisterOptions;
  record: LogtoRecord;
  mark: ProjectMark;
  confirm: UnregisterInput['confirm'];
  ui: Ui;
  deps: RegisterDeps;
}) {
  const api = await connect(target, options, ui, deps);
  const plan = await ui.step('Checking in Logto what this project created', () =>
    planRemoval(api, record, mark, target),
  );
  if (plan.foreign.length > 0) {
    throw new UsageError(
      `Nothing was removed: ${CONFIG_FILE} lists as created by register what Logto does not show as this copy's:\n${plan.foreign.map((line) => `  - ${line}`).join('\n')}\n` +
        `Someone may have changed the file. Remove those entries from its "logto.created", or delete them in Logto Console yourself, then run unregister again.`,
    );
  }
  if (plan.remove.length > 0) {
    ui.info(
      `To remove from Logto at ${target.managementEndpoint}:\n${plan.remove.map(({ label }) => `  - ${label}`).join('\n')}`,
    );
    await confirmRemoval(plan.remove.length, options.yes, confirm);
  }
  const removed: Entry[] = [];
  const alreadyGone = [...plan.alreadyGone];
  for (const { entry, label, remove } of plan.remove) {
    try {
      await ui.step(`Removing ${label}`, remove);
      removed.push(entry);
    } catch (error) {
      if (!(error instanceof LogtoApiError && error.status === 404)) throw error;
      alreadyGone.push(entry);
    }
  }
  return { removed, alreadyGone, kept: plan.kept };
}

async function confirmRemoval(count: number, yes: boolean, confirm: UnregisterInput['confirm']): Promise<void> {
  if (yes) return;
  if (!confirm)
    throw new UsageError(
      `unregister would remove the ${count} objects listed above from Logto; pass --yes to confirm (there is no terminal to ask in).`,
    );
  if (!(await confirm(`Remove these ${count} objects from Logto?`)))
    throw new UsageError('Not confirmed; nothing was removed.');
}

interface Removal {
  entry: Entry;
  label: string;
  remove: () => Promise<void>;
}

/**
 * Sorts what the record lists as created into what Logto shows is this copy's (to remove), what is gone
 * already, what exists but is not this copy's (refused), and what is this project's but also used by
 * others (kept). Apps and roles carry the project's mark (ownership.ts); scopes and the resource are the
 * project's when they are, or belong to, the API resource whose indicator is its resource, and are kept
 * while a role or app of someone else's uses them (projects may share a resource URL).
 */
async function planRemoval(api: ManagementApi, record: LogtoRecord, mark: ProjectMark, target: ManagementTarget) {
  const { created } = record;
  const { resource } = mark;
  const remove: Removal[] = [];
  const alreadyGone: Entry[] = [];
  const foreign: string[] = [];
  const kept: Entry[] = [];
  const resources = await api.listResources();
  const ownResource = resources.find(({ indicator }) => indicator === resource);
  const notMarked = `not marked as made by this copy of the project (${REGISTRATION_KEY} in .env) for ${resource}`;

  if (created.application) {
    const id = created.application;
    const app = await api.getApplication(id);
    if (!app) alreadyGone.push({ kind: 'application', id });
    else if (!isOwnApp(app, mark)) foreign.push(`application ${quoted(app.name)} (${id}): ${notMarked}`);
    else
      remove.push({
        entry: { kind: 'application', id },
        label: `application ${quoted(app.name)} (${id})`,
        remove: () => api.deleteApplication(id),
      });
  }
  if (created.role) {
    const id = created.role;
    const role = await api.getRole(id);
    if (!role) alreadyGone.push({ kind: 'role', id });
    else if (!isOwnRole(role, mark)) foreign.push(`role ${quoted(role.name)} (${id}): ${notMarked}`);
    else if (!grantsOnly(await api.listRoleScopes(id), ownResource?.id ?? ''))
      foreign.push(`role ${quoted(role.name)} (${id}): it also grants scopes of other API resources`);
    else
      remove.push({
        entry: { kind: 'role', id },
        label: `role ${quoted(role.name)} (${id})`,
        remove: () => api.deleteRole(id),
      });
  }
  // The claims block carries the mark in its marker lines, as an app does in its custom data.
  if (created.profileClaims) {
    const entry: Entry = { kind: 'claims-block', id: resource };
    const label = blockLabel(mark);
    const parsed = parseScript((await api.getAccessTokenClaims())?.script);
    if (!parsed.ok) {
      kept.push({
        ...entry,
        reason: `the tenant's custom claims script ${printable(parsed.reason)}; remove the block between its "${label}" lines in Logto Console > Custom JWT yourself`,
      });
    } else if (!parsed.blocks.some((block) => block.label === label)) {
      alreadyGone.push(entry);
    } else {
      remove.push({
        entry,
        label: "this server's block of the tenant's custom access-token claims script",
        remove: () => removeClaimsBlock(api, label),
      });
    }
  }
  // The resource and scopes carry no mark in Logto: the record's signature shows this copy listed them.
  const unsigned = "logto-mcp.json lists it, but not signed with this copy's key";
  if (!isSignedCreated(created, mark.key) && (created.resource || created.scopeIds?.length)) {
    if (created.resource) kept.push({ kind: 'resource', id: created.resource, reason: unsigned });
    for (const scopeId of created.scopeIds ?? []) kept.push({ kind: 'scope', id: scopeId, reason: unsigned });
  } else if (created.resource && ownResource?.id !== created.resource) {
    if (resources.some((item) => item.id === created.resource))
      foreign.push(`API resource ${created.resource}: its indicator is not ${resource}`);
    else alreadyGone.push({ kind: 'resource', id: created.resource });
  } else if (
    ownResource &&
    !isLogtoOwnResource(ownResource, target) &&
    (created.resource || created.scopeIds?.length)
  ) {
    const { id } = ownResource;
    const others = await usedElsewhere(api, id, mark);
    const users = (scopeIds: Iterable<string>) => [
      ...new Set([...scopeIds].flatMap((scopeId) => others.get(scopeId) ?? [])),
    ];
    const scopes = new Map((await api.listScopes(id)).map((scope) => [scope.id, scope.name]));
    if (created.resource) {
      const usedBy = users(scopes.keys());
      if (usedBy.length > 0) kept.push({ kind: 'resource', id, reason: `also used by ${usedBy.join(', ')}` });
      else
        remove.push({
          entry: { kind: 'resource', id },
          label: `API resource ${resource} (${id}) and its scopes`,
          remove: () => api.deleteResource(id),
        });
    } else {
      // Scopes register added to a resource that existed before: only those that are this resource's.
      for (const scopeId of created.scopeIds ?? []) {
        const usedBy = users([scopeId]);
        if (!scopes.has(scopeId)) alreadyGone.push({ kind: 'scope', id: scopeId });
        else if (usedBy.length > 0)
          kept.push({ kind: 'scope', id: scopeId, reason: `also used by ${usedBy.join(', ')}` });
        else
          remove.push({
            entry: { kind: 'scope', id: scopeId },
            label: `scope ${printable(scopes.get(scopeId)!, 100)} of ${resource} (${scopeId})`,
            remove: () => api.deleteScope(id, scopeId),
          });
      }
    }
  }
  return { remove, alreadyGone, foreign, kept };
}

/**
 * Takes this copy's block out of the tenant's claims script, read again just before: the other blocks stay,
 * a script someone wrote before register gets its original text back, and a script left empty is deleted.
 */
export async function removeClaimsBlock(api: ManagementApi, label: string): Promise<void> {
  const current = await api.getAccessTokenClaims();
  const parsed = parseScript(current?.script);
  if (!parsed.ok)
    throw new UsageError(
      `The tenant's custom claims script changed while unregistering (${printable(parsed.reason)}); run unregister again.`,
    );
  if (!parsed.blocks.some((block) => block.label === label)) return;
  const script = scriptFor(withoutBlock(parsed.blocks, label));
  if (script === undefined) await api.deleteAccessTokenClaims();
  else await api.patchAccessTokenClaims({ script });
}

const quoted = (name: string) => `"${printable(name, 100)}"`;

/** Scope ID → the roles and third-party apps, not this project's, that grant or consent to it. */
async function usedElsewhere(
  api: ManagementApi,
  resourceId: string,
  mark: ProjectMark,
): Promise<Map<string, string[]>> {
  const users = new Map<string, string[]>();
  const add = (scopeId: string, who: string) => users.set(scopeId, [...(users.get(scopeId) ?? []), who]);
  for (const role of await api.listRoles()) {
    if (isOwnRole(role, mark)) continue;
    for (const scope of await api.listRoleScopes(role.id))
      if (scope.resourceId === resourceId) add(scope.id, `role ${quoted(role.name)}`);
  }
  for (const app of await api.listApplications()) {
    if (!app.isThirdParty || isOwnApp(app, mark)) continue;
    for (const group of (await api.getConsentScopes(app.id)).resourceScopes) {
      if (group.resource?.id === resourceId) for (const scope of group.scopes) add(scope.id, `app ${quoted(app.name)}`);
    }
  }
  return users;
}
