import { Command } from 'commander';
import { cliInvocation } from '../invocation.js';
import { addOptions, resolveOptions } from '../options/define.js';
import { doctorOptionSpecs } from '../doctor/options.js';
import { printChecklist } from '../doctor/report.js';
import { runDoctor } from '../doctor/run.js';
import { logtoChecks } from '../doctor/logto-checks.js';
import { resolveTarget } from '../try/target.js';
import { canPrompt, createUi } from '../ui.js';
import { printable } from '../printable.js';

export function doctorCommand(): Command {
  const command = new Command('doctor')
    .description('Check an MCP server, its Logto issuer and (with M2M credentials) its Logto registration, naming each misconfiguration with its fix')
    .argument('[mcp-url]', "The MCP server's URL, or a project folder (default: the current folder's project, MCP_RESOURCE in its .env)")
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
    const json = Boolean(flags.json);
    const ui = createUi({ json });
    const target = await resolveTarget(argument);
    const env = target.project?.env ?? {};
    const options = await resolveOptions(doctorOptionSpecs, flags, { interactive: false, yes: true });
    const configuredIssuer = options.issuer ?? (env.LOGTO_ISSUER || undefined);
    if (!json) ui.info(`Checking ${printable(target.url)} (${target.transport}; URL from ${target.urlSource}).`);
    const report = await runDoctor({
      url: target.url,
      transport: target.transport,
      configuredIssuer,
      logto: (list, issuer) => logtoChecks(list, { target, issuer, options, flags, interactive: canPrompt(json), ui }),
    });
    if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else printChecklist(ui, report.checks);
    if (!report.ok) process.exitCode = 1;
  });
  return command;
}
