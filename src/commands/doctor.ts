import { resolveOptions } from '../options/define.js';
import { doctorOptionSpecs } from '../doctor/options.js';
import { printChecklist } from '../doctor/report.js';
import { runDoctor } from '../doctor/run.js';
import { logtoChecks } from '../doctor/logto-checks.js';
import { resolveTarget } from '../try/target.js';
import { canPrompt, createUi } from '../ui.js';
import { printable } from '../printable.js';

/** What `doctor` does (src/commands/doctor-command.ts declares it; this module loads only when it runs). */
export async function doctor(argument: string | undefined, flags: Record<string, unknown>): Promise<void> {
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
}
