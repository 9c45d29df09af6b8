import path from 'node:path';
import { UsageError } from '../errors.js';
import type { Application, ManagementApi, User } from '../logto/management-api.js';
import { printable } from '../printable.js';
import { startRecord, type StepContext, type Status } from '../register/context.js';
import type { RegisterOptions } from '../register/options.js';
import { appMark, CREATED_BY, isOwnApp, type ProjectMark } from '../register/ownership.js';
import { planRegistration, type RegistrationPlan } from '../register/plan.js';
import { setEnvValues, type LogtoRecord } from '../register/project.js';
import { ensureApp, ensureBranding, ensureConsentScopes, findApp, wantedApp } from '../register/steps/app.js';
import { refuseAll, type Found } from '../register/steps/find.js';
import { ensureProfileClaims } from '../register/steps/profile-claims.js';
import { ensureResource, ensureScopes } from '../register/steps/resource.js';
import { ensureRole, findRole } from '../register/steps/role.js';
import { assignRole } from '../register/steps/users.js';
import type { Ui } from '../ui.js';
import { generatePassword, usernameFor } from './attendees.js';
import { MANIFEST_FILE, type Attendee, type Manifest } from './manifest.js';

export interface WorkshopLogtoInput {
  folder: string;
  manifest: Manifest;
  key: string;
  /** The register flags, with the workshop's issuer, shared resource and required scopes; projectName is the workshop's. */
  options: RegisterOptions;
  /** The scopes the starters' tools need (tool-scopes.json), created beside the required ones. */
  scopeNames: string[];
  users: boolean;
  /** Passwords by username: those of earlier runs, and each new one, put here before its user is created. */
  passwords: Map<string, string>;
  api: ManagementApi;
  ui: Ui;
  /** Writes workshop.json and attendees.csv as they are now. */
  save: () => Promise<void>;
}

export interface AttendeeOutcome {
  name: string;
  app: { id: string; status: Status };
  user?: { id: string; username: string; status: Status };
}

/** The mark of what is made for one server URL: the workshop's shared resource, or an attendee's own (--distinct-ports). */
const markFor = (resource: string, key: string): ProjectMark => ({ resource, key });
const isAttendeeApp = (mark: ProjectMark, name: string) => (app: Application) =>
  isOwnApp(app, mark) && app.customData?.attendee === name;
const isAttendeeUser = (mark: ProjectMark, name: string) => (user: User) => {
  const data = user.customData as Record<string, unknown> | undefined;
  return data?.createdBy === CREATED_BY && data.registrationKey === mark.key && data.attendee === name;
};

/**
 * Registers a workshop with the register steps (src/register/steps): the API resource, its scopes, one role
 * and the profile-claims block, made once and shared (with --distinct-ports one resource and claims block per
 * attendee, the role granting all of them); then for each attendee their own third-party app, written into
 * their starter's .env, and with --users a Logto user holding the role. Everything found is reused, so a
 * re-run creates only what is missing, and each object is recorded the moment it exists.
 */
export async function registerWorkshop(
  input: WorkshopLogtoInput,
): Promise<{ plan: RegistrationPlan; role: { id: string; name: string } | null; attendees: AttendeeOutcome[] }> {
  const { folder, manifest, key, options, api, ui, save } = input;
  const plan = planRegistration(options);
  const sharedMark = markFor(options.resource, key);
  const record = (previous: LogtoRecord | undefined, mark: ProjectMark) =>
    startRecord(previous, plan.target, mark, ui, MANIFEST_FILE);
  manifest.logto = record(manifest.logto, sharedMark);
  const shared: StepContext = { api, options, mark: sharedMark, record: manifest.logto, save, ui };
  const contexts = new Map(
    manifest.attendees.map((attendee) => {
      const mark = manifest.distinctPorts ? markFor(attendee.resource, key) : sharedMark;
      attendee.logto = record(attendee.logto, mark);
      // Apps are named per attendee (--app-name would give them all one name).
      const context: StepContext = {
        ...shared,
        options: { ...options, resource: mark.resource, appName: undefined },
        mark,
        record: attendee.logto,
      };
      return [attendee.name, context];
    }),
  );
  const contextOf = (attendee: Attendee) => contexts.get(attendee.name)!;
  const attendeeApp = (attendee: Attendee) => `${attendee.name} MCP client`;

  // Everything to reuse is found first, so a name taken by someone else's object stops the run with nothing made.
  const refusals: string[] = [];
  const roleName = `${options.projectName} attendee`;
  const foundRole = input.scopeNames.length > 0 ? await findRole(shared, roleName, refusals) : undefined;
  const found = new Map<string, { app?: Found<Application>; user?: User }>();
  for (const attendee of manifest.attendees) {
    const context = contextOf(attendee);
    const app = await findApp(
      context,
      attendeeApp(attendee),
      refusals,
      isAttendeeApp(context.mark, attendee.name),
      attendee.logto?.application?.id,
    );
    let user: User | undefined;
    if (input.users) {
      attendee.username ??= usernameFor(folder, attendee.name);
      const sameName = (await api.findUsers('username', attendee.username)).find(
        (item) => item.username === attendee.username,
      );
      if (sameName && !isAttendeeUser(context.mark, attendee.name)(sameName)) {
        refusals.push(
          `Logto already has a user "${printable(attendee.username)}" (${sameName.id}) that this workshop did not create; rename the attendee in --names.`,
        );
      }
      user = sameName;
    }
    found.set(attendee.name, { app, user });
  }
  refuseAll(refusals);

  const serverScopes = async (context: StepContext) => {
    const resource = await ui.step(`API resource ${context.options.resource}`, () =>
      ensureResource(context, `${options.projectName} MCP server`),
    );
    const scopes = await ensureScopes(context, resource.id, input.scopeNames);
    if (options.profileClaims) {
      const claims = await ui.step(`Profile claims in access tokens for ${context.options.resource}`, () =>
        ensureProfileClaims(context),
      );
      if (claims.reason) ui.warn(claims.reason);
    }
    return scopes;
  };
  const scopesByAttendee = new Map<string, Array<{ id: string; name: string }>>();
  if (manifest.distinctPorts) {
    for (const attendee of manifest.attendees)
      scopesByAttendee.set(attendee.name, await serverScopes(contextOf(attendee)));
  } else {
    const scopes = await serverScopes(shared);
    for (const attendee of manifest.attendees) scopesByAttendee.set(attendee.name, scopes);
  }
  const allScopes = [...new Map([...scopesByAttendee.values()].flat().map((scope) => [scope.id, scope])).values()];
  const role =
    allScopes.length === 0
      ? null
      : await ui.step(`Role "${foundRole?.item.name ?? options.roleName ?? roleName}"`, () =>
          ensureRole(shared, foundRole?.item, roleName, allScopes),
        );
  if (!role && input.users)
    ui.info('The server requires no scopes, so the users get no role: any signed-in user gets a token for it.');

  const outcomes: AttendeeOutcome[] = [];
  for (const attendee of manifest.attendees) {
    const context = contextOf(attendee);
    const { app: foundApp, user: foundUser } = found.get(attendee.name)!;
    if (foundApp?.own) context.record.created.application = foundApp.item.id;
    const wanted = wantedApp(context.options, foundApp, attendeeApp(attendee), plan.redirectUris);
    const { app, status } = await ui.step(`App "${wanted.name}"`, () =>
      ensureApp(context, foundApp?.item, wanted, { ...appMark(context.mark), attendee: attendee.name }),
    );
    if (app.isThirdParty) {
      const scopeIds = scopesByAttendee.get(attendee.name)!.map(({ id }) => id);
      await ensureConsentScopes(
        () => api.getConsentScopes(app.id),
        (body) => api.addConsentScopes(app.id, body),
        scopeIds,
      );
      if (plan.branding) await ensureBranding(api, app.id, options);
    }
    await setEnvValues(path.join(folder, attendee.folder), { LOGTO_APP_ID: app.id });
    const outcome: AttendeeOutcome = { name: attendee.name, app: { id: app.id, status } };
    if (input.users) outcome.user = await ensureUser(input, attendee, context.mark, foundUser, role?.id);
    outcomes.push(outcome);
  }
  return { plan, role, attendees: outcomes };
}

/** The attendee's user: created with a generated password (written to attendees.csv before it is sent), given the role. */
async function ensureUser(
  input: WorkshopLogtoInput,
  attendee: Attendee,
  mark: ProjectMark,
  found: User | undefined,
  roleId: string | undefined,
) {
  const { api, passwords, save } = input;
  const username = attendee.username!;
  let user = found;
  let status: Status = 'existing';
  if (!user) {
    if (!passwords.has(username)) {
      passwords.set(username, generatePassword());
      await save();
    }
    user = await api.createUser({
      username,
      password: passwords.get(username)!,
      name: attendee.name,
      customData: { createdBy: CREATED_BY, registrationKey: mark.key, attendee: attendee.name },
    });
    attendee.user = { id: user.id, created: true };
    await save();
    status = 'created';
  } else {
    attendee.user = { id: user.id, created: attendee.user?.id === user.id ? attendee.user.created : true };
  }
  if (roleId) {
    const [assigned] = await assignRole(api, [user], roleId);
    if (assigned!.status !== 'existing' && status === 'existing') status = 'updated';
  }
  if (!passwords.has(username))
    input.ui.warn(
      `The password of ${username} is not in attendees.csv any more (Logto never gives it back): set a new one in Logto Console.`,
    );
  return { id: user.id, username, status };
}

export function checkUsersNeedRegister(register: boolean, users: boolean): void {
  if (users && !register)
    throw new UsageError('--users makes Logto users, which needs --register (and the M2M credentials).');
}
