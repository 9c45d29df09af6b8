import { isDeepStrictEqual } from 'node:util';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { messageOf, UsageError } from '../errors.js';
import { prepareInstall } from '../install/install.js';
import { resolveManagementTarget } from '../logto/endpoints.js';
import { explainLogtoError } from '../logto/explain.js';
import { checkCreateOptions, defaultPortNote, packageNameFor } from '../options/create-options.js';
import { resolveOptions } from '../options/define.js';
import { printable } from '../printable.js';
import type { RegisterOptions } from '../register/options.js';
import { signCreated } from '../register/ownership.js';
import { resourceScopes } from '../register/plan.js';
import { readProject } from '../register/project.js';
import { connect } from '../register/register.js';
import { checkCredentialsTarget } from '../register/trusted-endpoints.js';
import { canPrompt, confirmer, createUi, type Ui } from '../ui.js';
import { attendeeNames, placeFor } from '../workshop/attendees.js';
import { cleanupWorkshop } from '../workshop/cleanup.js';
import { generateStarters, starterOptions } from '../workshop/generate.js';
import { startCommands } from '../next-steps.js';
import { planProject } from '../plan.js';
import { shell } from '../render/encoders.js';
import {
  ATTENDEES_FILE,
  MANIFEST_FILE,
  readManifest,
  readPasswords,
  removeLeftovers,
  workshopKey,
  writeAttendeesCsv,
  writeManifest,
  type Manifest,
} from '../workshop/manifest.js';
import {
  starterSpecsFor,
  workshopOptionSpecs,
  workshopRegisterOptionSpecs,
  type StarterAnswers,
} from '../workshop/options.js';
import { checkUsersNeedRegister, registerWorkshop } from '../workshop/register.js';
import { checkIssuerUnlessSkipped } from './create.js';

const registerSpecs = workshopRegisterOptionSpecs;

/** What `workshop` does (src/commands/workshop-command.ts declares it; this module loads only when it runs). */
export async function workshop(folderArgument: string, flags: Record<string, unknown>): Promise<void> {
  const json = Boolean(flags.json);
  const ui = createUi({ json });
  const interactive = canPrompt(json);
  const context = { interactive, yes: Boolean(flags.yes) };
  const folder = path.resolve(folderArgument);
  const existing = await readManifest(folder);
  const options = await resolveOptions(workshopOptionSpecs, flags, context);
  if (options.cleanup) return cleanup(folder, existing, flags, ui, json);

  const answers = await starterAnswers(existing?.manifest, flags, context);
  const portNote = existing ? undefined : defaultPortNote(answers, flags);
  if (portNote) ui.info(portNote);
  const distinctPorts = existing ? existing.manifest.distinctPorts : options.distinctPorts;
  if (existing && flags.distinctPorts !== undefined && options.distinctPorts !== distinctPorts) {
    throw new UsageError(
      `This workshop was generated ${distinctPorts ? 'with' : 'without'} --distinct-ports; it cannot change now. Nothing was done.`,
    );
  }
  const register = options.register || Boolean(existing?.manifest.register);
  const users = options.users || Boolean(existing?.manifest.users);
  checkUsersNeedRegister(register, users);
  if (distinctPorts && !/^http:\/\/(localhost|127\.0\.0\.1|\[::1\])[:/]/.test(answers.resource)) {
    throw new UsageError(
      `--distinct-ports gives each starter the next port of a loopback --resource; ${answers.resource} is not one (behind a proxy, give each attendee a workshop of their own).`,
    );
  }
  // Everything is resolved and checked before anything is written.
  const names = await attendeeNames(existing?.manifest.attendees ?? [], options.attendees, options.names);
  const registerFlags = register
    ? await resolveOptions(registerSpecs, withRecordedEndpoint(flags, existing?.manifest), context)
    : undefined;
  const registerOptions: RegisterOptions | undefined = registerFlags && {
    ...registerFlags,
    assignUser: [],
    showSecret: false,
    enableDynamicApps: false,
    issuer: answers.issuer,
    resource: answers.resource,
    scopes: answers.scopes,
    projectName: packageNameFor(folder),
  };
  const target = registerOptions && resolveManagementTarget(registerOptions);
  // What installing needs (a new enough python3, uv) is checked before anything is written.
  const install = options.install ? await prepareInstall(answers.packageManager) : undefined;
  if (!existing) {
    await refuseNonEmpty(folder);
    await checkIssuerUnlessSkipped(
      starterOptions(folder, answers, {
        name: 'check',
        folder: 'check',
        port: answers.port,
        resource: answers.resource,
        generated: false,
      }),
      ui,
    );
  }
  if (target) {
    // The issuer this run was given is remembered; a re-run's, from the manifest, must have been sent to before.
    const named = ['issuer', 'tenantId', 'managementEndpoint'].some((name) => flags[name] !== undefined);
    await checkCredentialsTarget(target, named || !existing ? 'given' : 'project-env', {
      issuer: answers.issuer,
      ui,
      confirm: confirmer(interactive),
    });
  }

  const manifest: Manifest = {
    ...(existing?.manifest ?? { version: 1, answers, distinctPorts, attendees: [] }),
    register,
    users,
  };
  await mkdir(folder, { recursive: true });
  if (existing) await removeLeftovers(folder);
  const key = existing?.key ?? (await workshopKey(folder, true))!;
  for (const name of names.slice(manifest.attendees.length)) {
    manifest.attendees.push({
      name,
      folder: name,
      ...placeFor(answers, manifest.attendees.length, distinctPorts),
      generated: false,
    });
  }
  const passwords = await readPasswords(folder);
  // One save at a time (starters are written concurrently): a later state is never overwritten by an earlier one.
  let saving = Promise.resolve();
  const save = () => (saving = saving.catch(() => {}).then(writeState));
  const writeState = async () => {
    for (const record of [manifest.logto, ...manifest.attendees.map(({ logto }) => logto)]) {
      if (record) record.created = { ...record.created, signature: signCreated(record.created, key) };
    }
    await writeManifest(folder, manifest, key);
    await writeAttendeesCsv(
      folder,
      manifest.attendees.map((a) => ({
        name: a.name,
        folder: a.folder,
        appId: a.logto?.application?.id ?? '',
        username: a.username ?? '',
        password: passwords.get(a.username ?? '') ?? '',
      })),
    );
  };

  try {
    await save();
    await generateStarters(folder, answers, manifest.attendees, ui, save, async (attendee) => {
      attendee.generated = true;
      delete attendee.writing;
      await save();
    });
    if (install) {
      for (const attendee of manifest.attendees) {
        const result = await install(path.join(folder, attendee.folder), ui);
        if (result.error) throw result.error;
      }
    }
    if (registerOptions && target) {
      const scopeNames = resourceScopes(
        answers.scopes,
        (await readProject(path.join(folder, manifest.attendees[0]!.folder))).toolScopes,
        ui,
      );
      try {
        const api = await connect(target, registerOptions, ui);
        await registerWorkshop({
          folder,
          manifest,
          key,
          options: registerOptions,
          scopeNames,
          users,
          passwords,
          api,
          ui,
          save,
        });
      } catch (error) {
        throw explainLogtoError(error, target, registerOptions.m2mAppId);
      }
    }
  } catch (error) {
    const reason = messageOf(error);
    manifest.incomplete = reason.split('\n')[0];
    await save();
    throw new UsageError(
      `${reason}\nThe workshop is not complete: ${path.join(folder, MANIFEST_FILE)} records what was done. Run the same command again to finish it.`,
    );
  }
  delete manifest.incomplete;
  await save();
  report(folder, manifest, passwords, { showSecret: options.showSecret, installed: Boolean(install) }, ui, json);
}

/** The starter options: from flags on a first run; on a re-run the recorded ones, and a flag may only repeat them. */
async function starterAnswers(
  recorded: Manifest | undefined,
  flags: Record<string, unknown>,
  context: { interactive: boolean; yes: boolean },
): Promise<StarterAnswers> {
  const { skipIssuerCheck: _, ...answers } = await resolveOptions(starterSpecsFor(recorded?.answers), flags, context);
  if (recorded) {
    for (const key of Object.keys(answers) as Array<keyof StarterAnswers>) {
      if (flags[key] !== undefined && !isDeepStrictEqual(answers[key], recorded.answers[key])) {
        throw new UsageError(
          `This workshop's starters were generated with ${key} ${printable(String(recorded.answers[key]))}; a re-run cannot change it. Nothing was done.`,
        );
      }
    }
  }
  checkCreateOptions(
    starterOptions('.', answers, {
      name: 'check',
      folder: 'check',
      port: answers.port,
      resource: answers.resource,
      generated: false,
    }),
  );
  return answers;
}

/**
 * Where the Management API was reached, from the signed manifest unless given again (unlike a project's
 * committed logto-mcp.json, workshop.json is signed with a key only this folder holds): --management-endpoint
 * need not be repeated on every re-run and --cleanup. The credentials still go only to a remembered endpoint.
 */
function withRecordedEndpoint(flags: Record<string, unknown>, manifest: Manifest | undefined): Record<string, unknown> {
  const record = manifest?.logto;
  if (!record || flags.tenantId !== undefined) return flags;
  return {
    ...flags,
    managementEndpoint: flags.managementEndpoint ?? record.managementEndpoint,
    managementResource: flags.managementResource ?? record.managementResource,
  };
}

async function refuseNonEmpty(folder: string): Promise<void> {
  const entries = await readdir(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw new UsageError(`Cannot use ${printable(folder)}: ${error.code ?? error.message}.`);
  });
  if (entries.length > 0)
    throw new UsageError(
      `${printable(folder)} is not empty and holds no ${MANIFEST_FILE}: give a new folder for the workshop. Nothing was written.`,
    );
}

async function cleanup(
  folder: string,
  existing: Awaited<ReturnType<typeof readManifest>>,
  flags: Record<string, unknown>,
  ui: Ui,
  json: boolean,
): Promise<void> {
  if (!existing)
    throw new UsageError(`${printable(folder)} holds no ${MANIFEST_FILE}: there is no workshop there to clean up.`);
  const { manifest, key } = existing;
  if (!manifest.logto && !manifest.attendees.some(({ logto, user }) => logto || user)) {
    if (json) process.stdout.write(`${JSON.stringify({ removed: [], alreadyGone: [], kept: [] }, null, 2)}\n`);
    else ui.info(`Nothing to remove: ${MANIFEST_FILE} records nothing created in Logto.`);
    return;
  }
  const interactive = canPrompt(json);
  if (!flags.yes) {
    const apps = manifest.attendees.filter(({ logto }) => logto?.created.application).length;
    const users = manifest.attendees.filter(({ user }) => user?.created).length;
    const what = `what the workshop created in Logto (${apps} apps, ${users} users, its role, resources and claims blocks)`;
    const confirm = confirmer(interactive);
    if (!confirm)
      throw new UsageError(`--cleanup would remove ${what}; pass --yes to confirm (there is no terminal to ask in).`);
    if (!(await confirm(`Remove ${what}?`))) throw new UsageError('Not confirmed; nothing was removed.');
  }
  const credentials = await resolveOptions(registerSpecs, withRecordedEndpoint(flags, manifest), {
    interactive,
    yes: false,
  });
  const options = { ...credentials, issuer: manifest.answers.issuer };
  const target = resolveManagementTarget(options);
  const named = ['issuer', 'tenantId', 'managementEndpoint'].some((name) => flags[name] !== undefined);
  await checkCredentialsTarget(target, named ? 'given' : 'project-env', {
    issuer: options.issuer,
    ui,
    confirm: confirmer(interactive),
  });
  const save = () => writeManifest(folder, { ...manifest, register: false, users: false }, key);
  let summary;
  try {
    const api = await connect(target, options, ui);
    summary = await cleanupWorkshop(folder, manifest, key, api, ui, save);
  } catch (error) {
    throw explainLogtoError(error, target, options.m2mAppId);
  }
  const passwords = await readPasswords(folder);
  if (passwords.size > 0) {
    await writeAttendeesCsv(
      folder,
      manifest.attendees.map((a) => ({ name: a.name, folder: a.folder, appId: '', username: '', password: '' })),
    );
  }
  if (json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  for (const { kind, id, name } of summary.removed)
    ui.success(`removed ${kind} ${printable(name ?? id, 100)}${name ? ` (${id})` : ''}`);
  for (const { kind, id } of summary.alreadyGone) ui.info(`  already gone: ${kind} ${id}`);
  for (const { kind, id, reason } of summary.kept) ui.warn(`kept ${kind} ${id}: ${reason}`);
  ui.info(
    summary.removed.length + summary.alreadyGone.length === 0
      ? 'Nothing to remove in Logto.'
      : `The starters in ${printable(folder)} stay; their .env no longer names an app.`,
  );
}

function report(
  folder: string,
  manifest: Manifest,
  passwords: Map<string, string>,
  { showSecret, installed }: { showSecret: boolean; installed: boolean },
  ui: Ui,
  json: boolean,
): void {
  const rows = manifest.attendees.map((a) => ({
    name: a.name,
    folder: path.join(folder, a.folder),
    port: a.port,
    resource: a.resource,
    appId: a.logto?.application?.id ?? null,
    username: a.username ?? null,
    ...(showSecret && a.username && passwords.has(a.username) ? { password: passwords.get(a.username) } : {}),
  }));
  if (json) {
    const logto = manifest.logto && {
      resource: manifest.logto.resource ?? null,
      scopes: manifest.logto.scopes ?? {},
      role: manifest.logto.role ?? null,
    };
    const files = { manifest: path.join(folder, MANIFEST_FILE), attendees: path.join(folder, ATTENDEES_FILE) };
    process.stdout.write(
      `${JSON.stringify({ folder, answers: manifest.answers, distinctPorts: manifest.distinctPorts, logto, attendees: rows, files }, null, 2)}\n`,
    );
    return;
  }
  const table = [
    ['attendee', 'folder', 'port', 'app ID', 'username'],
    ...rows.map((r) => [
      r.name,
      path.relative(process.cwd(), r.folder) || '.',
      String(r.port),
      r.appId ?? '-',
      r.username ?? '-',
    ]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  for (const row of table)
    ui.info(`  ${row.map((cell, i) => printable(cell).padEnd(widths[i]!)).join('  ')}`.trimEnd());
  ui.success(
    `${rows.length} starter${rows.length === 1 ? '' : 's'} in ${printable(folder)}; what was created is in ${MANIFEST_FILE}${rows.some((r) => r.username) ? `, the passwords in ${ATTENDEES_FILE} (readable by you only)` : ''}.`,
  );
  const first = manifest.attendees[0]!;
  const { variables } = planProject(starterOptions(folder, manifest.answers, first));
  ui.info(
    `Each attendee starts theirs as ${printable(first.name)} does: ${printable(['cd ' + shell(first.folder), ...startCommands(variables, installed)].join(' && '), Infinity)}`,
  );
}
