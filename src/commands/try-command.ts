import type { CommandDefinition } from '../cli/command-line.js';
import { cliInvocation } from '../invocation.js';
import { targetArgument, tryOptionSpecs } from '../try/options.js';

export function tryCommand(): CommandDefinition {
  return {
    name: 'try',
    description:
      'Sign in to an MCP server as a third-party MCP client does (its metadata, Logto, the browser) and call whoami',
    argument: targetArgument,
    optionGroups: [
      {
        specs: {
          json: {
            flag: '--json',
            description:
              "Print the tool's answer as one JSON object on stdout (the sign-in URL and messages go to stderr)",
          },
          ...tryOptionSpecs,
        },
      },
    ],
    helpAfter: `
In a project registered with register, with the server running (npm run dev):
  ${cliInvocation()} try
The authorization URL is printed on its own line (paste it into a browser if none opens). Tokens stay in memory;
nothing is written and no token or secret is printed.`,
    async run(argument, flags) {
      const { tryServer } = await import('./try.js');
      await tryServer(argument, flags);
    },
  };
}
