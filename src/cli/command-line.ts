import { parseArgs } from 'node:util';
import { messageOf, UsageError } from '../errors.js';
import {
  checkChoice,
  flagKey,
  flagSyntax,
  isPositional,
  type FlagSyntax,
  type OptionSpec,
  type OptionSpecs,
} from '../options/define.js';
import { printable } from '../printable.js';

/**
 * A command as the command line knows it: its name, help, one positional argument, its flags (in the
 * groups --help shows them in; each flag is an OptionSpec, so its name, help and validation live with the
 * option) and the work it runs. The flags reach `run` raw: resolveOptions (options/define.ts) turns them
 * into answers, naming the flag in its errors.
 */
export interface CommandDefinition {
  name: string;
  description: string;
  argument: { name: string; description: string; required?: boolean; default?: string };
  /** The first group is listed under "Options:", the others under their titles. */
  optionGroups: Array<{ title?: string; specs: OptionSpecs }>;
  /** Printed after the options in --help: examples, what to do next. */
  helpAfter?: string;
  run(argument: string | undefined, flags: Record<string, unknown>): Promise<void>;
}

/** What a command line asks for: help, the version (the default command only), or a run. */
export type CommandLine =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; argument: string | undefined; flags: Record<string, unknown> };

/** The flags every command has besides its own. */
const HELP: FlagSyntax = { long: 'help', short: 'h', negated: false };
const VERSION: FlagSyntax = { long: 'version', short: 'v', negated: false };

/**
 * Parses a command's arguments (after its name). node:util's parseArgs splits them, not strict, so that an
 * option's value may start with a dash (`--app-name -x`) and so that this function, not parseArgs, words
 * the errors: an unknown flag (with the closest known one), a missing or unwanted value, a value outside
 * a flag's choices, one argument too many. `-h`/`--help` anywhere wins over any error, as users expect.
 */
export function parseCommandLine(
  command: CommandDefinition,
  args: string[],
  { version = false }: { version?: boolean } = {},
): CommandLine {
  // By long name: parseArgs names a declared short flag (-y) by its long name, and `--y` is not `--yes`.
  const specs = new Map<string, { key: string; syntax: FlagSyntax; spec?: OptionSpec }>();
  const add = (syntax: FlagSyntax, key: string, spec?: OptionSpec) => specs.set(syntax.long, { key, syntax, spec });
  for (const group of command.optionGroups) {
    for (const [key, spec] of Object.entries(group.specs)) {
      if (isPositional(spec)) continue;
      const syntax = flagSyntax(spec.flag);
      if (flagKey(syntax) !== key) throw new Error(`Option key ${key} does not match ${spec.flag}`);
      add(syntax, key, spec);
    }
  }
  add(HELP, 'help');
  if (version) add(VERSION, 'version');

  const options = Object.fromEntries(
    [...specs.values()].map(({ syntax, spec }) => [
      syntax.long,
      {
        type: syntax.value ? ('string' as const) : ('boolean' as const),
        ...(syntax.short ? { short: syntax.short } : {}),
        ...(spec?.repeatable ? { multiple: true } : {}),
      },
    ]),
  );
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });

  if (tokens.some((token) => token.kind === 'option' && specs.get(token.name)?.key === 'help')) return { kind: 'help' };
  if (tokens.some((token) => token.kind === 'option' && specs.get(token.name)?.key === 'version'))
    return { kind: 'version' };

  const flags: Record<string, unknown> = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const known = specs.get(token.name);
    if (!known?.spec) throw unknownOption(token.rawName, args[token.index]!, [...specs.values()]);
    const { key, syntax, spec } = known;
    const shown = syntax.value ? `--${syntax.long} ${syntax.value}` : `--${syntax.long}`;
    if (!syntax.value) {
      if (token.value !== undefined)
        throw commandLineError(`${shown} takes no value (given "${printable(token.value)}").`);
      flags[key] = !syntax.negated;
      continue;
    }
    if (token.value === undefined) throw commandLineError(`${shown} needs a value.`);
    try {
      checkChoice(spec, token.value, `--${syntax.long}`);
    } catch (error) {
      throw commandLineError(messageOf(error));
    }
    flags[key] = spec.repeatable ? [...((flags[key] as string[] | undefined) ?? []), token.value] : token.value;
  }

  const { argument } = command;
  if (positionals.length > 1)
    throw commandLineError(
      `Too many arguments: ${positionals.map((value) => `"${printable(value)}"`).join(', ')}; ${command.name} takes one, the ${argument.name}.`,
    );
  const given = positionals[0] ?? argument.default;
  if (given === undefined && argument.required) throw commandLineError(`Missing the ${argument.name} argument.`);
  return { kind: 'run', argument: given, flags };
}

function commandLineError(message: string): UsageError {
  return new UsageError(`${message}\n(run with --help for usage)`);
}

/** `raw` as parseArgs read it (`-q`, `--isuer`), within `argument` as typed (`-yq`). */
function unknownOption(raw: string, argument: string, known: Array<{ syntax: FlagSyntax }>): UsageError {
  const candidates = known.map(({ syntax }) => `--${syntax.long}`);
  const closest = raw.startsWith('--') ? closestName(raw, candidates) : undefined;
  const within = argument === raw || argument.startsWith(`${raw}=`) ? '' : ` in ${printable(argument)}`;
  return commandLineError(`Unknown option ${printable(raw)}${within}${closest ? ` (did you mean ${closest}?)` : ''}.`);
}

/** The candidate within a few edits of the typed name (a typo), if there is one. */
function closestName(typed: string, candidates: string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(typed, name);
    if (distance <= Math.max(1, Math.floor(name.length / 4)) && (!best || distance < best.distance))
      best = { name, distance };
  }
  return best?.name;
}

/** Levenshtein distance: insertions, deletions and substitutions each count one. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}
