import { UsageError } from '../errors.js';

/** One value of a choice option: the value, what the prompt shows, and a short hint. */
export interface Choice<T extends string = string> {
  value: T;
  label: string;
  hint?: string;
  /**
   * Why this value, which users will look for, cannot be chosen, and what to use instead: it is listed,
   * shown disabled in the prompt, and refused with this text.
   */
  unavailable?: string;
}

/**
 * Everything about one option in one place: the flag, its help text, where else its value may come
 * from, how a typed value is parsed and validated, its default, and how it is asked for in a terminal.
 * Flags, prompts, help and validation are all derived from these declarations.
 */
export interface OptionSpec<T = unknown> {
  /** `--issuer <url>`, `-y, --yes`, `--no-install` (sets the option to false), or `[directory]` for the argument (flagSyntax). */
  flag: string;
  description: string;
  /** An environment variable read when the flag is absent (used for credentials). */
  env?: string;
  /** The allowed values; the prompt becomes a select and the help lists them. */
  choices?: readonly Choice[];
  /** Collects every occurrence of the flag into a list. */
  repeatable?: boolean;
  /** Turns text from a flag, env var or prompt into the value; throws an Error whose message says what is wrong. */
  parse?: (raw: string, flags: Record<string, unknown>, answers: Record<string, unknown>) => T;
  /** The value when none is given; a function sees the answers resolved so far and the raw flags. */
  default?: T | ((answers: Record<string, unknown>, flags: Record<string, unknown>) => T | undefined);
  /** Shown in --help when the default is computed. */
  defaultDescription?: string;
  /**
   * For a choice option: why `value` cannot go with the answers resolved so far (another language's
   * framework, say), or undefined. A refused choice is left out of the prompt and refused with this text.
   */
  refuse?: (value: string, answers: Record<string, unknown>) => string | undefined;
  /** The value another flag settles (`--framework starlette` means Python): taken as given, never asked. */
  implied?: (flags: Record<string, unknown>) => T | undefined;
  /** Resolves to undefined when not given, instead of being an error (for options with no default). */
  optional?: true;
  /** Asked in a terminal when the value was not given; without it the option is never asked for. */
  prompt?: { message: string; secret?: boolean };
}

export type OptionSpecs = Record<string, OptionSpec<any>>;
type Widen<T> = T extends boolean ? boolean : T;
type Inferred<S> = S extends OptionSpec<infer T> ? Widen<T> : never;
/**
 * The value type an option resolves to: one of its choices, a list for a repeatable flag, what its parse or
 * default gives, else (a flag with neither, such as --first-party) a boolean.
 */
type ValueOf<S> = S extends { choices: readonly { value: infer V }[] }
  ? V
  : S extends { repeatable: true }
    ? S extends { parse: (...args: any[]) => infer T }
      ? T[]
      : string[]
    : unknown extends Inferred<S>
      ? boolean
      : Inferred<S>;
type OptionalKey<S extends OptionSpecs> = { [K in keyof S]: S[K] extends { optional: true } ? K : never }[keyof S];
/** What resolveOptions returns for these declarations; an optional one may be absent. */
export type ResolvedOptions<S extends OptionSpecs> = { [K in Exclude<keyof S, OptionalKey<S>>]: ValueOf<S[K]> } & {
  [K in OptionalKey<S>]?: ValueOf<S[K]>;
};

/** How an option is named in messages: its long flag, or for a positional argument its place. */
export function flagName(spec: OptionSpec): string {
  if (isPositional(spec)) return `${spec.flag.slice(1, -1)} argument`;
  return `--${flagSyntax(spec.flag).long}`;
}

/** A flag's syntax, from its spec's `flag`: `-y, --yes`, `--issuer <url>`, `--no-install`. */
export interface FlagSyntax {
  long: string;
  short?: string;
  /** The value's placeholder (`<url>`), when the flag takes one. */
  value?: string;
  /** `--no-x`: given, it sets x to false. */
  negated: boolean;
}

export function flagSyntax(flag: string): FlagSyntax {
  const match = /^(?:-([a-zA-Z]), )?--([a-z][a-z0-9-]*)(?: (<[^>]+>))?$/.exec(flag);
  if (!match) throw new Error(`Unsupported flag syntax: ${flag}`);
  const [, short, long, value] = match;
  return { long: long!, short, value, negated: long!.startsWith('no-') };
}

/** The key a flag's value is stored under: `--m2m-app-id` → m2mAppId, `--no-install` → install. */
export function flagKey(syntax: FlagSyntax): string {
  const name = syntax.negated ? syntax.long.slice(3) : syntax.long;
  return name.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

export function isPositional(spec: OptionSpec): boolean {
  return spec.flag.startsWith('[') || spec.flag.startsWith('<');
}

/** An option's line in --help: its description, then its choices, default and environment variable. */
export function optionHelp(spec: OptionSpec): string {
  let text = spec.description;
  const unavailable = spec.choices?.filter((choice) => choice.unavailable).map((choice) => choice.value) ?? [];
  if (unavailable.length > 0) text += ` (${unavailable.join(', ')}: not available, and choosing it says why)`;
  if (spec.choices) text += ` (one of: ${spec.choices.map((choice) => choice.value).join(', ')})`;
  const constantDefault = ['string', 'number', 'object'].includes(typeof spec.default)
    ? formatDefault(spec.default)
    : undefined;
  const shownDefault = spec.defaultDescription ?? constantDefault;
  if (shownDefault) text += ` (default: ${shownDefault})`;
  if (spec.env) text += ` (env: ${spec.env})`;
  return text;
}

/**
 * For an option with choices: refuses a value that is none of them, or one that is unavailable (with why).
 * Checked when the command line is read and again when the answer is resolved (with the refusals that
 * depend on other answers).
 */
export function checkChoice(spec: OptionSpec, raw: string, source: string, answers?: Record<string, unknown>): void {
  if (!spec.choices) return;
  const choice = spec.choices.find((item) => item.value === raw);
  if (!choice)
    throw new UsageError(
      `Invalid ${source} "${raw}": choose one of ${usableChoices(spec, answers)
        .map((item) => item.value)
        .join(', ')}.`,
    );
  if (choice.unavailable) throw new UsageError(`${source} "${raw}" is not available: ${choice.unavailable}`);
}

export interface ResolveContext {
  /** Whether prompts may be shown: stdin and stdout are terminals. */
  interactive: boolean;
  /** `--yes`: take defaults instead of asking. */
  yes: boolean;
  env?: NodeJS.ProcessEnv;
}

/**
 * Resolves each option in declaration order: the flag, else its environment variable, else a prompt
 * (in a terminal), else its default. A value that does not parse, or a required value that is missing
 * when nobody can be asked, is a UsageError that names the flag.
 */
export async function resolveOptions<S extends OptionSpecs>(
  specs: S,
  flags: Record<string, unknown>,
  context: ResolveContext,
): Promise<ResolvedOptions<S>> {
  const env = context.env ?? process.env;
  const answers: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) {
    answers[key] = await resolveOne(key, spec, flags, answers, context, env);
  }
  return answers as ResolvedOptions<S>;
}

async function resolveOne(
  key: string,
  spec: OptionSpec,
  flags: Record<string, unknown>,
  answers: Record<string, unknown>,
  context: ResolveContext,
  env: NodeJS.ProcessEnv,
): Promise<unknown> {
  const flag = flagName(spec);
  const given = flags[key] ?? spec.implied?.(flags);
  if (given !== undefined) return parseGiven(spec, given, flag, flags, answers);

  const fromEnv = spec.env ? env[spec.env] : undefined;
  if (fromEnv) return parseGiven(spec, fromEnv, `${spec.env} (environment)`, flags, answers);

  const fallback = typeof spec.default === 'function' ? spec.default(answers, flags) : spec.default;
  const mayAsk = spec.prompt && context.interactive && (!context.yes || fallback === undefined);
  if (mayAsk) return ask(spec, fallback, flags, answers);
  // A computed default is checked like a typed value (e.g. the default folder must be empty too).
  if (typeof fallback === 'string') return parseText(spec, fallback, flag, flags, answers);
  if (fallback !== undefined || spec.optional) return fallback;
  const how = isPositional(spec)
    ? 'give it as the first argument'
    : spec.env
      ? `pass ${flag} or set ${spec.env}`
      : `pass ${flag}`;
  const why = context.interactive ? '' : ' (there is no terminal to ask in)';
  throw new UsageError(`Missing ${flag} (${spec.description}). To go on, ${how}${why}.`);
}

function parseGiven(
  spec: OptionSpec,
  given: unknown,
  source: string,
  flags: Record<string, unknown>,
  answers: Record<string, unknown>,
): unknown {
  if (typeof given === 'boolean') return given;
  if (Array.isArray(given)) return given.map((item) => parseText(spec, String(item), source, flags, answers));
  return parseText(spec, String(given), source, flags, answers);
}

/** The choices that may be taken: not unavailable, nor refused with the answers so far (when there are any yet). */
function usableChoices(spec: OptionSpec, answers?: Record<string, unknown>): Choice[] {
  return (spec.choices ?? []).filter((item) => !item.unavailable && !(answers && spec.refuse?.(item.value, answers)));
}

function parseText(
  spec: OptionSpec,
  raw: string,
  source: string,
  flags: Record<string, unknown>,
  answers: Record<string, unknown>,
): unknown {
  if (spec.choices) {
    checkChoice(spec, raw, source, answers);
    const refusal = spec.refuse?.(raw, answers);
    if (refusal) throw new UsageError(`${source} "${raw}" cannot be used here: ${refusal}`);
  }
  if (!spec.parse) return raw;
  try {
    return spec.parse(raw, flags, answers);
  } catch (error) {
    throw new UsageError(`Invalid ${source}: ${(error as Error).message}`);
  }
}

async function ask(
  spec: OptionSpec,
  fallback: unknown,
  flags: Record<string, unknown>,
  answers: Record<string, unknown>,
): Promise<unknown> {
  const { message, secret } = spec.prompt!;
  // Loaded only when someone is asked something: most runs (flags, --yes, no terminal) never are.
  const { confirm, input, password, select } = await import('@inquirer/prompts');
  if (spec.choices) {
    return select({
      message,
      default: fallback,
      choices: spec.choices
        .filter((choice) => !spec.refuse?.(choice.value, answers))
        .map((choice) => ({
          value: choice.value,
          name: choice.label,
          description: choice.hint,
          disabled: choice.unavailable ? '(not available: see --help)' : false,
        })),
    });
  }
  // A yes/no option (a boolean flag with a default) is asked as a yes/no question.
  if (typeof fallback === 'boolean') return confirm({ message, default: fallback });
  const validate = (text: string) => {
    try {
      spec.parse?.(text, flags, answers);
      return true;
    } catch (error) {
      return (error as Error).message;
    }
  };
  const text = secret
    ? await password({ message, mask: true, validate })
    : await input({ message, default: fallback === undefined ? undefined : formatDefault(fallback), validate });
  return spec.parse ? spec.parse(text, flags, answers) : text;
}

function formatDefault(value: unknown): string {
  return Array.isArray(value) ? value.join(' ') : String(value);
}
