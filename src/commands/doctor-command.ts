import { Command } from 'commander';
import { cliInvocation } from '../invocation.js';
import { addOptions } from '../options/define.js';
import { doctorOptionSpecs } from '../doctor/options.js';

export function doctorCommand(): Command {
  const command = new Command('doctor')
    .description(
      'Check an MCP server, its Logto issuer and (with M2M credentials) its Logto registration, naming each misconfiguration with its fix',
    )
    .argument(
      '[mcp-url]',
      "The MCP server's URL, or a project folder (default: the current folder's project, MCP_RESOURCE in its .env)",
    )
    .option('--json', 'Print the checklist as one JSON object on stdout');
  addOptions(command, doctorOptionSpecs);
  command.addHelpText(
    'after',
    `
With the server running (npm run dev), in the project:
  ${cliInvocation()} doctor
With register's M2M credentials it also checks the API resource, scopes, app, consent scopes, role and claims script:
  LOGTO_M2M_APP_ID=... LOGTO_M2M_APP_SECRET=... ${cliInvocation()} doctor
Each line is pass, warn, fail or skipped (with the reason); the exit code is 0 only when nothing failed.`,
  );
  command.action(async (argument: string | undefined, flags: Record<string, unknown>) => {
    const { doctor } = await import('./doctor.js');
    await doctor(argument, flags);
  });
  return command;
}
