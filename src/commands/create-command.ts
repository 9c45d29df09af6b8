import { Command } from 'commander';
import { createOptionSpecs } from '../options/create-options.js';
import { addOptions } from '../options/define.js';
import { GENERATOR_NAME } from '../plan.js';
import { cliInvocation } from '../invocation.js';
import { registerOptionSpecs } from '../register/options.js';

export interface CreateFlags extends Record<string, unknown> {
  yes?: boolean;
  json?: boolean;
}

/** The root command: `create-logto-mcp [directory] [options]`. */
export function createCommand(): Command {
  const command = new Command(GENERATOR_NAME)
    .description(
      'Create an MCP server protected by Logto: protected-resource metadata, token verification and a whoami tool.',
    )
    .argument('[directory]', createOptionSpecs.directory.description)
    .option('-y, --yes', 'Accept the default for everything not given; ask only for what has no default')
    .option('--json', 'Print the result as one JSON object on stdout (implies no prompts)');
  addOptions(command, createOptionSpecs);
  addOptions(command, registerOptionSpecs, 'Registration options (with --register):');
  command.addHelpText(
    'after',
    `
Non-interactive usage (scripts, CI, workshops): pass --yes and every answer as a flag, e.g.
  ${cliInvocation()} my-server --yes --issuer https://<tenant>.logto.app/oidc \\
      --resource http://localhost:3001/mcp --framework express --transport streamable-http
Without a terminal nothing is asked: a missing answer that has no default is an error naming its flag.`,
  );
  command.action(async (directory: string | undefined, flags: CreateFlags) => {
    // The work's modules load when it runs, not for --help, --version or another command.
    const { create } = await import('./create.js');
    await create({ ...flags, directory });
  });
  return command;
}
