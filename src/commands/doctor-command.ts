import type { CommandDefinition } from '../cli/command-line.js';
import { cliInvocation } from '../invocation.js';
import { doctorOptionSpecs } from '../doctor/options.js';
import { targetArgument } from '../try/options.js';

export function doctorCommand(): CommandDefinition {
  return {
    name: 'doctor',
    description:
      'Check an MCP server, its Logto issuer and (with M2M credentials) its Logto registration, naming each misconfiguration with its fix',
    argument: targetArgument,
    optionGroups: [
      {
        specs: {
          json: { flag: '--json', description: 'Print the checklist as one JSON object on stdout' },
          ...doctorOptionSpecs,
        },
      },
    ],
    helpAfter: `
With the server running (npm run dev), in the project:
  ${cliInvocation()} doctor
With register's M2M credentials it also checks the API resource, scopes, app, consent scopes, role and claims script:
  LOGTO_M2M_APP_ID=... LOGTO_M2M_APP_SECRET=... ${cliInvocation()} doctor
Each line is pass, warn, fail or skipped (with the reason); the exit code is 0 only when nothing failed.`,
    async run(argument, flags) {
      const { doctor } = await import('./doctor.js');
      await doctor(argument, flags);
    },
  };
}
