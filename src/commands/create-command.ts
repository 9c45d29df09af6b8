import type { CommandDefinition } from '../cli/command-line.js';
import { create } from './create.js';
import { createOptionSpecs } from '../options/create-options.js';
import { GENERATOR_NAME } from '../plan.js';
import { cliInvocation } from '../invocation.js';
import { registerOptionSpecs } from '../register/options.js';

export interface CreateFlags extends Record<string, unknown> {
  yes?: boolean;
  json?: boolean;
}

/** The root command: `create-logto-mcp [directory] [options]`. */
export function createCommand(): CommandDefinition {
  return {
    name: GENERATOR_NAME,
    description:
      'Create an MCP server protected by Logto: protected-resource metadata, token verification and a whoami tool.',
    argument: { name: 'directory', description: createOptionSpecs.directory.description },
    optionGroups: [
      {
        specs: {
          yes: {
            flag: '-y, --yes',
            description: 'Accept the default for everything not given; ask only for what has no default',
          },
          json: { flag: '--json', description: 'Print the result as one JSON object on stdout (implies no prompts)' },
          ...createOptionSpecs,
        },
      },
      { title: 'Registration options (with --register):', specs: registerOptionSpecs },
    ],
    helpAfter: `
Non-interactive usage (scripts, CI, workshops): pass --yes and every answer as a flag, e.g.
  ${cliInvocation()} my-server --yes --issuer https://<tenant>.logto.app/oidc \\
      --resource http://localhost:3001/mcp --framework express --transport streamable-http
Without a terminal nothing is asked: a missing answer that has no default is an error naming its flag.`,
    // create's modules are in the chunk every start loads (scripts/build.mjs): --version parses them too (a few
    // million instructions), and a generation loads no further file of ours but its language's templates.
    run: (directory, flags: CreateFlags) => create({ ...flags, directory }),
  };
}
