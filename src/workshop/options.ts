import path from 'node:path';
import { createOptionSpecs } from '../options/create-options.js';
import { registerOptionSpecs } from '../register/options.js';
import type { OptionSpec, OptionSpecs, ResolvedOptions } from '../options/define.js';
import { firstUnprintable, printable } from '../printable.js';

/** The create options every starter of a workshop shares (the folder, install and registration are the workshop's). */
const {
  directory: _directory,
  install: _install,
  register: _register,
  force: _force,
  ...sharedSpecs
} = createOptionSpecs;
export const starterOptionSpecs = sharedSpecs;
export type StarterOptions = ResolvedOptions<typeof starterOptionSpecs>;
/** What a re-run takes from workshop.json instead of from flags (recorded on the first run). */
export type StarterAnswers = Omit<StarterOptions, 'skipIssuerCheck'>;

export const MAX_ATTENDEES = 500;

export const workshopOptionSpecs = {
  attendees: {
    flag: '--attendees <n>',
    description: 'How many starters to generate (attendee-01, attendee-02, ...); raise it on a re-run to add attendees',
    optional: true,
    parse: (raw) => {
      const n = Number(raw);
      if (!/^\d+$/.test(raw.trim()) || n < 1 || n > MAX_ATTENDEES)
        throw new Error(`"${raw}" is not a number of attendees (1-${MAX_ATTENDEES}).`);
      return n;
    },
  } satisfies OptionSpec<number>,
  names: {
    flag: '--names <file>',
    description:
      'A file with one attendee name per line (used as folder names); with --attendees, numbered ones fill up to that many',
    optional: true,
    parse: (raw) => {
      if (!raw.trim() || firstUnprintable(raw) !== undefined)
        throw new Error(`"${printable(raw)}" is not a file name.`);
      return path.resolve(raw.trim());
    },
  } satisfies OptionSpec<string>,
  install: {
    flag: '--install',
    description: "Install each starter's dependencies, sharing one package cache (default: attendees install)",
    default: false,
  } satisfies OptionSpec<boolean>,
  register: {
    flag: '--register',
    description:
      'Register in Logto: one API resource, scopes, role and profile-claims block shared by all, and one third-party app per attendee (M2M credentials as for register)',
    default: false,
  } satisfies OptionSpec<boolean>,
  users: {
    flag: '--users',
    description:
      'With --register: a Logto user per attendee holding the role, with a generated password (in attendees.csv)',
    default: false,
  } satisfies OptionSpec<boolean>,
  distinctPorts: {
    flag: '--distinct-ports',
    description:
      'For one shared host: each starter gets its own port (from --port up) and so its own resource URL, API resource and claims block',
    default: false,
  } satisfies OptionSpec<boolean>,
  cleanup: {
    flag: '--cleanup',
    description:
      'Remove from Logto every app, user, role, claims block and resource this workshop created (the folders stay)',
    default: false,
  } satisfies OptionSpec<boolean>,
  showSecret: {
    flag: '--show-secret',
    description: "Include the attendees' passwords in --json output (they are always in attendees.csv)",
    default: false,
  } satisfies OptionSpec<boolean>,
} satisfies OptionSpecs;

export type WorkshopOptions = ResolvedOptions<typeof workshopOptionSpecs>;

/** The starter options with the answers a workshop recorded as their defaults: a re-run asks for nothing. */
export function starterSpecsFor(recorded: StarterAnswers | undefined) {
  if (!recorded) return starterOptionSpecs;
  return Object.fromEntries(
    Object.entries(starterOptionSpecs).map(([key, spec]) => {
      const value = recorded[key as keyof StarterAnswers];
      return [key, value === undefined ? spec : { ...spec, default: value, prompt: undefined }];
    }),
  ) as typeof starterOptionSpecs;
}

// Apps are named per attendee, users get the role by --users, and dynamic apps are a tenant setting for
// `register`, so these register flags do not apply; the workshop's --show-secret is about passwords.
const {
  appName: _appName,
  assignUser: _assignUser,
  showSecret: _showSecret,
  enableDynamicApps: _dynamicApps,
  ...workshopRegisterSpecs
} = registerOptionSpecs;
/** The register options a workshop takes (with --register or --cleanup). */
export const workshopRegisterOptionSpecs = workshopRegisterSpecs;
