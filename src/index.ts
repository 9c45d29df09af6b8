import { CommanderError } from 'commander';
import { createCommand } from './commands/create-command.js';
import { CancelledError, UsageError } from './errors.js';
import { GENERATOR_VERSION } from './plan.js';
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

// Positional options: `register --json` belongs to register, not to the root (create) command.
const program = createCommand()
  .enablePositionalOptions()
  .version(GENERATOR_VERSION, '-v, --version')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();
// Building a command's options takes milliseconds. A command other than the default one can only run, or be
// listed, when the command line names it or asks for help, so `create-logto-mcp my-server ...` builds none.
if (process.argv.slice(2).some((arg) => Object.hasOwn(otherCommands, arg) || asksForHelp(arg)))
  for (const build of Object.values(otherCommands)) program.addCommand(build());

function asksForHelp(arg: string): boolean {
  return arg === '--help' || /^-[^-]*h/.test(arg); // -h, or in a group such as -yh
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitCodeFor(error);
}

function exitCodeFor(error: unknown): number {
  // Commander has already printed its own errors, help and version.
  if (error instanceof CommanderError) return error.exitCode;
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
