import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommandLine, type CommandDefinition } from '../src/cli/command-line.js';
import { formatHelp } from '../src/cli/help.js';
import { createCommand } from '../src/commands/create-command.js';
import { otherCommands } from '../src/commands/other-commands.js';
import { flagKey, flagSyntax, isPositional, type OptionSpecs } from '../src/options/define.js';

const create = createCommand();
const others: Record<string, CommandDefinition> = Object.fromEntries(
  await Promise.all(Object.entries(otherCommands).map(async ([name, load]) => [name, await load()])),
);
const parse = (args: string[], command: CommandDefinition = create) =>
  parseCommandLine(command, args, { version: command === create });
const flagsOf = (args: string[], command?: CommandDefinition) => {
  const line = parse(args, command);
  if (line.kind !== 'run') throw new Error(`expected a run, got ${line.kind}`);
  return line;
};
const errorOf = (args: string[], command?: CommandDefinition) => {
  try {
    parse(args, command);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${args.join(' ')} was accepted`);
};

describe('parseCommandLine', () => {
  it('gives each flag under its option key, raw, and the argument', () => {
    expect(
      flagsOf(['my-server', '--issuer', 'https://a.logto.app/oidc', '--port=4000', '-y', '--no-git', '--json']),
    ).toEqual({
      kind: 'run',
      argument: 'my-server',
      flags: { issuer: 'https://a.logto.app/oidc', port: '4000', yes: true, git: false, json: true },
    });
  });

  it('leaves a flag that was not given absent, so that resolveOptions can tell given from default', () => {
    const { flags } = flagsOf([]);
    expect(flags).toEqual({});
  });

  it('takes the next argument as a value even when it starts with a dash, and anything after -- as the argument', () => {
    expect(flagsOf(['--app-name', '-dashed-', '--', '--odd-folder'])).toMatchObject({
      argument: '--odd-folder',
      flags: { appName: '-dashed-' },
    });
  });

  it('collects a repeatable flag into a list, in order', () => {
    const { flags } = flagsOf(['--redirect-uri', 'https://a.invalid/1', '--redirect-uri=https://a.invalid/2']);
    expect(flags.redirectUri).toEqual(['https://a.invalid/1', 'https://a.invalid/2']);
  });

  it('answers help wherever -h or --help is, grouped or not, even after a bad flag', () => {
    for (const args of [['--help'], ['-h'], ['-yh'], ['x', '--bogus', '--help']]) expect(parse(args).kind).toBe('help');
    expect(parse(['-v']).kind).toBe('version');
    expect(errorOf(['-v'], others.register)).toMatch(/^Unknown option -v\./);
  });

  it('refuses what it cannot take, saying what and pointing to --help', () => {
    expect(errorOf(['--isuer', 'x'])).toBe(
      'Unknown option --isuer (did you mean --issuer?).\n(run with --help for usage)',
    );
    expect(errorOf(['--bogus'])).toBe('Unknown option --bogus.\n(run with --help for usage)');
    expect(errorOf(['-q'])).toMatch(/^Unknown option -q\./);
    expect(errorOf(['--issuer'])).toMatch(/^--issuer <url> needs a value\./);
    expect(errorOf(['--yes=no'])).toMatch(/^--yes takes no value \(given "no"\)\./);
    expect(errorOf(['a', 'b'])).toMatch(/^Too many arguments: "a", "b"; create-logto-mcp takes one, the directory\./);
    expect(errorOf([], others.workshop)).toMatch(/^Missing the folder argument\./);
    expect(errorOf(['--framework', 'rails'])).toBe(
      'Invalid --framework "rails": choose one of express, hono, starlette.\n(run with --help for usage)',
    );
    // A short name is not a long one, and an unknown letter is shown within what was typed.
    for (const typo of ['--y', '--h', '--v']) expect(errorOf([typo])).toMatch(new RegExp(`^Unknown option ${typo}\\.`));
    expect(errorOf(['-yq'])).toMatch(/^Unknown option -q in -yq\./);
    expect(errorOf(['--verifier', 'userinfo'])).toMatch(/^--verifier "userinfo" is not available: /);
  });

  it('prints what the user typed safely in its errors', () => {
    expect(errorOf(['--\u001b[2Jx'])).not.toContain('\u001b');
  });

  it('gives a command its default argument', () => {
    expect(flagsOf([], others.register).argument).toBe('.');
  });

  it('parses any mix of every command flag back to the values given', () => {
    const commands = [create, ...Object.values(others)];
    const flagsOfCommand = (command: CommandDefinition) =>
      command.optionGroups.flatMap((group) =>
        Object.entries(group.specs)
          .filter(([, spec]) => !isPositional(spec))
          .map(([key, spec]) => ({ key, spec, syntax: flagSyntax(spec.flag) })),
      );
    const value = fc.string({ minLength: 0, maxLength: 12 }).filter((text) => !text.startsWith('-'));
    fc.assert(
      fc.property(
        fc
          .constantFrom(...commands)
          .chain((command) =>
            fc.tuple(fc.constant(command), fc.subarray(flagsOfCommand(command)), fc.array(value, { minLength: 30 })),
          ),
        ([command, chosen, values]) => {
          const args: string[] = [];
          const expected: Record<string, unknown> = {};
          chosen.forEach(({ key, spec, syntax }, index) => {
            if (!syntax.value) {
              args.push(`--${syntax.long}`);
              expected[key] = !syntax.negated;
              return;
            }
            const given = spec.choices
              ? spec.choices.find((c) => !c.unavailable)!.value
              : values[index % values.length]!;
            args.push(`--${syntax.long}`, given);
            expected[key] = spec.repeatable ? [given] : given;
          });
          const argument = command.argument.required ? ['the-argument'] : [];
          const line = parseCommandLine(command, [...argument, ...args]);
          expect(line).toEqual({ kind: 'run', argument: argument[0] ?? command.argument.default, flags: expected });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('flag syntax', () => {
  it('reads the short and long name, the value and the negation, and keys them as the option specs do', () => {
    expect(flagSyntax('-y, --yes')).toEqual({ long: 'yes', short: 'y', value: undefined, negated: false });
    expect(flagSyntax('--m2m-app-id <id>')).toMatchObject({ long: 'm2m-app-id', value: '<id>' });
    expect(flagKey(flagSyntax('--m2m-app-id <id>'))).toBe('m2mAppId');
    expect(flagKey(flagSyntax('--no-profile-claims'))).toBe('profileClaims');
    expect(() => flagSyntax('--optional [value]')).toThrow(/Unsupported flag syntax/);
  });

  it('refuses a command whose option key does not match its flag', () => {
    const specs: OptionSpecs = { issuer: { flag: '--isuer <url>', description: 'typo' } };
    const command: CommandDefinition = { ...create, optionGroups: [{ specs }] };
    expect(() => parseCommandLine(command, [])).toThrow(/Option key issuer does not match --isuer <url>/);
  });
});

describe('formatHelp', () => {
  const help = formatHelp('create-logto-mcp', create, {
    subcommands: Object.values(others),
    version: true,
  });

  it('lists every flag of every group with its default, choices and environment variable', () => {
    for (const group of create.optionGroups) {
      if (group.title) expect(help).toContain(`\n${group.title}\n`);
      for (const spec of Object.values(group.specs)) if (!isPositional(spec)) expect(help).toContain(`  ${spec.flag} `);
    }
    const flat = help.replace(/\s+/g, ' ');
    expect(flat).toContain('--language <name> Language of the generated server (one of: typescript, python)');
    expect(flat).toContain('(env: LOGTO_M2M_APP_ID)');
    expect(flat).toContain('-v, --version Print the version number');
    expect(help).toMatch(/^Usage: create-logto-mcp \[options\] \[command\] \[directory\]\n/);
  });

  it('wraps to 80 columns when stdout is not a terminal', () => {
    const lines = help.split('\n');
    const closing = lines.indexOf(
      'Non-interactive usage (scripts, CI, workshops): pass --yes and every answer as a flag, e.g.',
    );
    expect(closing).toBeGreaterThan(0);
    for (const line of lines.slice(0, closing)) expect(line.length).toBeLessThanOrEqual(80);
  });
});
