import { randomInt } from 'node:crypto';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { packageNameFor } from '../options/create-options.js';
import { firstUnprintable, printable } from '../printable.js';
import { readRegularFile } from '../register/project.js';
import { MAX_ATTENDEES, type StarterAnswers } from './options.js';
import type { Attendee } from './manifest.js';

/**
 * The attendees of this run: those recorded (kept, in order), then the names of --names not recorded yet,
 * then numbered ones (attendee-01, ...) up to --attendees. Lowering --attendees removes nobody: --cleanup does.
 */
export async function attendeeNames(
  recorded: Attendee[],
  count: number | undefined,
  namesFile: string | undefined,
): Promise<string[]> {
  const names = recorded.map(({ name }) => name);
  const add = (name: string) => {
    if (!names.some((known) => known.toLowerCase() === name.toLowerCase())) names.push(name);
  };
  if (namesFile) {
    const text = await readRegularFile(namesFile).catch((error: Error) => {
      throw new UsageError(`Cannot read --names ${printable(namesFile)}: ${error.message}`);
    });
    if (text === undefined) throw new UsageError(`--names ${printable(namesFile)}: no such file.`);
    for (const line of text
      .split(/\r?\n/)
      .map((entry) => entry.trim())
      .filter(Boolean))
      add(checkName(line));
  }
  for (let i = 1; names.length < (count ?? 0); i++) add(`attendee-${String(i).padStart(2, '0')}`);
  if (names.length === 0)
    throw new UsageError(
      'Say how many starters to make: pass --attendees <n> or --names <file> (one attendee name per line).',
    );
  if (names.length > MAX_ATTENDEES)
    throw new UsageError(`A workshop holds at most ${MAX_ATTENDEES} attendees; this one would have ${names.length}.`);
  return names;
}

/** An attendee's name is their folder's name, so it must be one, and give an npm package name. */
function checkName(name: string): string {
  const unsafe = firstUnprintable(name);
  if (unsafe !== undefined || /[/\\]/.test(name) || name === '.' || name === '..') {
    throw new UsageError(
      `--names: "${printable(name)}" cannot be a folder name (no slashes, control or invisible characters).`,
    );
  }
  try {
    packageNameFor(name);
  } catch (error) {
    throw new UsageError(`--names: ${(error as Error).message}`);
  }
  return name;
}

/** A new attendee's port and resource: the workshop's, or with --distinct-ports the next port up (3001, 3002, ...). */
export function placeFor(
  answers: StarterAnswers,
  index: number,
  distinctPorts: boolean,
): Pick<Attendee, 'port' | 'resource'> {
  if (!distinctPorts) return { port: answers.port, resource: answers.resource };
  const port = answers.port + index;
  if (port > 65535)
    throw new UsageError(`--distinct-ports: attendee ${index + 1} would need port ${port}; start from a lower --port.`);
  const url = new URL(answers.resource);
  url.port = String(port);
  return { port, resource: url.href };
}

/** Logto usernames match /^[A-Z_a-z]\w*$/ (core-kit usernameRegEx); the workshop's name keeps them apart from other workshops'. */
export function usernameFor(workshopFolder: string, name: string): string {
  const word = (text: string) => text.replace(/\W+/g, '_').replace(/^_+|_+$/g, '');
  const username = `${word(path.basename(path.resolve(workshopFolder)))}_${word(name)}`.toLowerCase();
  return /^[a-z_]/.test(username) ? username : `w${username}`;
}

const ALPHABET = { upper: 'ABCDEFGHJKLMNPQRSTUVWXYZ', lower: 'abcdefghijkmnopqrstuvwxyz', digit: '23456789' };

/** 20 characters without look-alikes (about 110 bits), with a capital, a small letter and a digit, starting with a letter. */
export function generatePassword(): string {
  const all = ALPHABET.upper + ALPHABET.lower + ALPHABET.digit;
  const pick = (set: string) => set[randomInt(set.length)]!;
  const rest = Array.from({ length: 17 }, () => pick(all));
  return [pick(ALPHABET.upper), pick(ALPHABET.lower), pick(ALPHABET.digit), ...rest].join('');
}
