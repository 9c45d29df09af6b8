// What a workshop created, for re-runs and --cleanup: <folder>/workshop.json (no secret in it), signed with the
// workshop's key in <folder>/.workshop-key (mode 0600, git-ignored), and the attendees' sign-in details in
// <folder>/attendees.csv (mode 0600). Logto's own marks (ownership.ts) stay the proof of what is the workshop's:
// the signature only keeps an edited or copied manifest from steering a re-run or a cleanup.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import * as v from 'valibot';
import { UsageError } from '../errors.js';
import { STAGING_PREFIX } from '../options/target.js';
import { printable } from '../printable.js';
import { isRegistrationKey, newRegistrationKey } from '../register/ownership.js';
import { LogtoRecordSchema, readRegularFile, writeFileAtomically } from '../register/project.js';
import type { StarterAnswers } from './options.js';

export { ATTENDEES_FILE, KEY_FILE, MANIFEST_FILE } from './files.js';
import { ATTENDEES_FILE, KEY_FILE, MANIFEST_FILE } from './files.js';

const Id = v.pipe(v.string(), v.regex(/^[\w-]{1,128}$/));
const AttendeeSchema = v.object({
  name: v.string(),
  /** The starter's folder, inside the workshop folder. */
  folder: v.pipe(
    v.string(),
    v.regex(/^[^/\\]+$/),
    v.check((name) => name !== '.' && name !== '..'),
  ),
  port: v.number(),
  resource: v.string(),
  /** The starter is written and committed. */
  generated: v.boolean(),
  /** Its files were being written when the run stopped: the next run writes and commits them again. */
  writing: v.optional(v.boolean()),
  username: v.optional(v.string()),
  /** This attendee's app (and with --distinct-ports their own resource, scopes and claims block). */
  logto: v.optional(LogtoRecordSchema),
  user: v.optional(v.object({ id: Id, created: v.boolean() })),
});
export type Attendee = v.InferOutput<typeof AttendeeSchema>;

const ManifestSchema = v.object({
  version: v.literal(1),
  answers: v.looseObject({ issuer: v.string(), resource: v.string(), port: v.number(), scopes: v.array(v.string()) }),
  distinctPorts: v.boolean(),
  /** Whether --register and --users were given: a re-run does it again (--cleanup resets them). */
  register: v.boolean(),
  users: v.boolean(),
  /** The shared resource, scopes, role and claims block (with --distinct-ports: the role only). */
  logto: v.optional(LogtoRecordSchema),
  attendees: v.array(AttendeeSchema),
  /** Why the last run stopped before the end; a re-run completes it. */
  incomplete: v.optional(v.string()),
  signature: v.optional(v.string()),
});
export type Manifest = Omit<v.InferOutput<typeof ManifestSchema>, 'answers'> & { answers: StarterAnswers };

/** The workshop's key: made on the first run, kept beside the manifest, readable by its owner only. */
export async function workshopKey(folder: string, create: boolean): Promise<string | undefined> {
  const file = path.join(folder, KEY_FILE);
  const text = (await readRegularFile(file))?.trim();
  if (text !== undefined) {
    if (!isRegistrationKey(text))
      throw new UsageError(
        `${file} is not a key this CLI wrote; restore it, or start a new workshop in another folder.`,
      );
    return text;
  }
  if (!create) return undefined;
  const key = newRegistrationKey();
  await writeFileAtomically(file, `${key}\n`, 0o600);
  await writeFileAtomically(path.join(folder, '.gitignore'), `${KEY_FILE}\n${ATTENDEES_FILE}\n`, 0o644);
  return key;
}

/**
 * What a run stopped by Ctrl-C may leave in the workshop folder, all of it this CLI's own: a half-written
 * copy of one of its files (writeFileAtomically's temporary) and a starter's staging folder (writeProject's).
 */
export async function removeLeftovers(folder: string): Promise<void> {
  const own = new RegExp(
    `^\\.(${[MANIFEST_FILE, ATTENDEES_FILE, KEY_FILE, '.gitignore'].map((name) => name.replaceAll('.', '\\.')).join('|')})\\.[0-9a-f]{12}\\.tmp$`,
  );
  for (const name of await readdir(folder)) {
    if (own.test(name) || name.startsWith(STAGING_PREFIX))
      await rm(path.join(folder, name), { recursive: true, force: true });
  }
}

function sign(manifest: Omit<Manifest, 'signature'>, key: string): string {
  return createHmac('sha256', key).update(JSON.stringify(manifest)).digest('base64url');
}

export async function readManifest(folder: string): Promise<{ manifest: Manifest; key: string } | undefined> {
  const file = path.join(folder, MANIFEST_FILE);
  const text = await readRegularFile(file);
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON (${printable((error as Error).message, 120)}).`);
  }
  const parsed = v.safeParse(ManifestSchema, value);
  if (!parsed.success)
    throw new UsageError(
      `${file}: "${printable(v.getDotPath(parsed.issues[0]) ?? '', 100)}" is not what workshop writes (${printable(parsed.issues[0].message)}).`,
    );
  const key = await workshopKey(folder, false);
  const { signature, ...rest } = value as Manifest;
  const expected = key && Buffer.from(sign(rest, key));
  if (
    !key ||
    !signature ||
    !expected ||
    expected.length !== signature.length ||
    !timingSafeEqual(expected, Buffer.from(signature))
  ) {
    throw new UsageError(
      `${file} is not signed with this workshop's ${KEY_FILE}: it was changed, or copied from another machine. Nothing was done. ` +
        `Restore it, or remove it in Logto Console by hand and start a new workshop in another folder.`,
    );
  }
  return { manifest: parsed.output as Manifest, key };
}

export async function writeManifest(folder: string, manifest: Manifest, key: string): Promise<void> {
  const { signature: _, ...rest } = manifest;
  const signed = { ...rest, signature: sign(rest, key) };
  await writeFileAtomically(path.join(folder, MANIFEST_FILE), `${JSON.stringify(signed, null, 2)}\n`, 0o644);
}

export interface Credentials {
  name: string;
  folder: string;
  appId: string;
  username: string;
  password: string;
}

const CSV_HEADER = ['name', 'folder', 'app_id', 'username', 'password'];

/** A CSV cell; one a spreadsheet would read as a formula (= + - @ first) is prefixed with a quote mark. */
function cell(value: string): string {
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export async function writeAttendeesCsv(folder: string, rows: Credentials[]): Promise<void> {
  const lines = [CSV_HEADER, ...rows.map((row) => [row.name, row.folder, row.appId, row.username, row.password])].map(
    (fields) => fields.map(cell).join(','),
  );
  await writeFileAtomically(path.join(folder, ATTENDEES_FILE), `${lines.join('\n')}\n`, 0o600);
}

/** The passwords an earlier run wrote (by username): Logto never gives a password back. */
export async function readPasswords(folder: string): Promise<Map<string, string>> {
  const text = await readRegularFile(path.join(folder, ATTENDEES_FILE));
  const passwords = new Map<string, string>();
  for (const line of (text ?? '').split('\n').slice(1)) {
    const fields = parseCsvLine(line);
    if (fields.length === CSV_HEADER.length && fields[3] && fields[4]) passwords.set(fields[3], fields[4]);
  }
  return passwords;
}

function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else field += char;
  }
  fields.push(field);
  return fields;
}
