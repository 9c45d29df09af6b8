import { isPositional, optionHelp } from '../options/define.js';
import type { CommandDefinition } from './command-line.js';

/**
 * A command's --help: usage, description, argument, option groups, the other commands (for the default
 * command), then its own closing text. Descriptions are wrapped to the terminal's width (80 columns when
 * stdout is not a terminal) in a column after the longest term.
 */
export function formatHelp(
  program: string,
  command: CommandDefinition,
  { subcommands = [], version = false }: { subcommands?: CommandDefinition[]; version?: boolean } = {},
): string {
  const argument = argumentTerm(command);
  const sections: Array<{ title: string; rows: Array<[string, string]> }> = [];
  const argumentDescription = command.argument.default
    ? `${command.argument.description} (default: "${command.argument.default}")`
    : command.argument.description;
  sections.push({ title: 'Arguments:', rows: [[command.argument.name, argumentDescription]] });
  command.optionGroups.forEach((group, index) => {
    const rows = Object.values(group.specs)
      .filter((spec) => !isPositional(spec))
      .map((spec): [string, string] => [spec.flag, optionHelp(spec)]);
    if (index === 0) {
      if (version) rows.push(['-v, --version', 'Print the version number']);
      rows.push(['-h, --help', 'Show this help']);
    }
    sections.push({ title: group.title ?? 'Options:', rows });
  });
  if (subcommands.length > 0)
    sections.push({
      title: 'Commands:',
      rows: subcommands.map((sub): [string, string] => [`${sub.name} [options] ${argumentTerm(sub)}`, sub.description]),
    });

  const width = Math.max(60, process.stdout.isTTY ? process.stdout.columns : 80);
  const termWidth = Math.max(...sections.flatMap((section) => section.rows.map(([term]) => term.length))) + 2;
  const usage = [`${program}${command.name === program ? '' : ` ${command.name}`}`, '[options]'];
  if (subcommands.length > 0) usage.push('[command]');
  usage.push(argument);
  const lines = [`Usage: ${usage.join(' ')}`, '', ...wrap(command.description, width), ''];
  for (const section of sections) {
    lines.push(section.title);
    for (const [term, description] of section.rows) {
      const [first = '', ...rest] = wrap(description, width - termWidth - 2);
      lines.push(`  ${term.padEnd(termWidth)}${first}`, ...rest.map((line) => `${' '.repeat(termWidth + 2)}${line}`));
    }
    lines.push('');
  }
  if (command.helpAfter) lines.push(command.helpAfter.replace(/^\n/, ''));
  return `${lines.join('\n').trimEnd()}\n`;
}

function argumentTerm(command: CommandDefinition): string {
  return command.argument.required ? `<${command.argument.name}>` : `[${command.argument.name}]`;
}

/** Words wrapped to lines of at most `width` characters (a longer word gets a line of its own). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
