import { parseCommandLine } from './cli/command-line.js';
import { createCommand } from './commands/create-command.js';
import { CancelledError, UsageError } from './errors.js';
import { GENERATOR_NAME, GENERATOR_VERSION } from './plan.js';
import { createUi } from './ui.js';
import { otherCommands } from './commands/other-commands.js';

// `create-logto-mcp ... | head -1` closes stdout early. What is left to print is dropped, but the work goes
// on to its end and its exit code: stopping there would leave a project half set up and say it went well.
// With --json, though, stdout is the result: a run whose result could not be written has failed.
let stdoutClosed = false;
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    if (stream === process.stdout) stdoutClosed = true;
  });
}
process.once('beforeExit', () => {
  if (stdoutClosed && process.argv.includes('--json') && !process.exitCode) {
    createUi().error('stdout was closed before the JSON result was written; the work itself is done.');
    process.exitCode = 1;
  }
});

// A command other than the default one runs when the command line starts with its name; its flags come after it.
const [first = '', ...rest] = process.argv.slice(2);
try {
  const other = Object.hasOwn(otherCommands, first) ? await otherCommands[first]!() : undefined;
  const command = other ?? createCommand();
  const commandLine = parseCommandLine(command, other ? rest : process.argv.slice(2), { version: !other });
  if (commandLine.kind === 'version') process.stdout.write(`${GENERATOR_VERSION}\n`);
  else if (commandLine.kind === 'help') {
    const [{ formatHelp }, subcommands] = await Promise.all([
      import('./cli/help.js'),
      Promise.all(other ? [] : Object.values(otherCommands).map((load) => load())),
    ]);
    process.stdout.write(formatHelp(GENERATOR_NAME, command, { subcommands, version: !other }));
  } else {
    const { argument } = commandLine;
    // `--yes doctor` would create a project called doctor; the user meant the command, which comes first.
    if (!other && argument !== undefined && Object.hasOwn(otherCommands, argument))
      throw new UsageError(
        `${argument} is a command: put it first (${GENERATOR_NAME} ${argument} [options]). For a project folder of that name, write ./${argument}.`,
      );
    await command.run(argument, commandLine.flags);
  }
} catch (error) {
  process.exitCode = exitCodeFor(error);
}

function exitCodeFor(error: unknown): number {
  const ui = createUi();
  if (error instanceof UsageError) {
    ui.error(error.message);
    return 1;
  }
  // @inquirer/prompts throws ExitPromptError on Ctrl-C.
  if (error instanceof CancelledError || (error as Error)?.name === 'ExitPromptError') {
    ui.error('Cancelled; nothing was written.');
    return 130;
  }
  ui.error(`Unexpected error: ${(error as Error)?.stack ?? String(error)}`);
  return 1;
}
