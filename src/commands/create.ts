import { checkIssuer } from '../options/check-issuer.js';
import {
  checkCreateOptions,
  createOptionSpecs,
  defaultPortNote,
  type CreateOptions,
} from '../options/create-options.js';
import { resolveOptions } from '../options/define.js';
import { initGit } from '../install/git.js';
import { prepareInstall } from '../install/install.js';
import { nextSteps, summarize } from '../next-steps.js';
import { GENERATOR_NAME, planProject, type ProjectPlan } from '../plan.js';
import type { CreateFlags } from './create-command.js';
import { keepExistingState } from '../render/keep-existing.js';
import { renderFiles, writeProject } from '../render/render.js';
import { canPrompt, createUi, type Ui } from '../ui.js';
import { messageOf, UsageError } from '../errors.js';
import { resolveManagementTarget } from '../logto/endpoints.js';
import { trustEndpoint } from '../register/trusted-endpoints.js';
import { printable } from '../printable.js';
import { registerOptionSpecs, type RegisterFlagOptions, type RegisterOptions } from '../register/options.js';

/** The root command's work: `create-logto-mcp [directory] [options]` (see create-command.ts). */
export async function create(flags: CreateFlags): Promise<void> {
  const json = Boolean(flags.json);
  const ui = createUi({ json });
  const interactive = canPrompt(json);
  const context = { interactive, yes: Boolean(flags.yes) };
  const options: CreateOptions = await resolveOptions(createOptionSpecs, flags, context);
  checkCreateOptions(options);
  const portNote = defaultPortNote(options, flags);
  if (portNote) ui.info(portNote);
  // Credentials are resolved before anything is written, so a missing one leaves nothing behind.
  const registerFlags = options.register ? await resolveOptions(registerOptionSpecs, flags, context) : undefined;

  // A missing or too old Python, or a missing uv, is said before anything is written.
  const install = options.install ? await prepareInstall(options.packageManager) : undefined;
  await checkIssuerUnlessSkipped(options, ui);
  const plan = planProject(options);
  const { files, kept } = await keepExistingState(plan.targetDir, await renderFiles(plan));
  if (kept.length > 0) ui.info(`Kept from the existing project: ${kept.join(', ')}.`);
  await writeProject(plan.targetDir, files);
  ui.success(`Wrote ${files.length} files to ${printable(plan.targetDir)}`);
  await rememberLogto(options.issuer, registerFlags);

  const registration = registerFlags ? await registerNewProject(plan, registerFlags, ui, json) : undefined;
  const installed = install ? await install(plan.targetDir, ui) : { installed: false };
  const git = options.git ? await initGit(plan.targetDir, GENERATOR_NAME, ui) : 'skipped';

  // What failed after the project was written is reported at the end, after the summary.
  const failures = [registration?.failed, installed.error].filter((error) => error !== undefined);
  const summary = {
    ...summarize(plan, installed.installed, git),
    registration: registration?.summary,
    ...(failures.length > 0 ? { errors: failures.map((error) => error.message) } : {}),
  };
  if (json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else ui.info(nextSteps(plan, summary, registration?.summary?.application.id));
  if (failures.length > 0) throw new UsageError(failures.map((error) => error.message).join('\n\n'));
}

/**
 * Registration while creating: if it fails, the project stays written and the error says how to finish
 * with `register`; install and git still run so that the project is complete.
 */
async function registerNewProject(plan: ProjectPlan, flags: RegisterFlagOptions, ui: Ui, json: boolean) {
  const { variables: v } = plan;
  const options: RegisterOptions = {
    ...flags,
    issuer: v.issuer,
    resource: v.resource,
    scopes: v.requiredScopes,
    projectName: v.projectName,
  };
  // Loaded only for --register, like the other commands' work (see src/index.ts).
  const { registerCommandLines, registerProject } = await import('../register/register.js');
  try {
    return { summary: await registerProject({ projectDir: plan.targetDir, options, ui, json }) };
  } catch (error) {
    const reason = messageOf(error);
    const failed = new UsageError(
      `Registration in Logto failed: ${reason}\nThe project is written. To finish registering, run:\n${registerCommandLines(
        plan.targetDir,
        options,
      )
        .map((line) => `  ${line}\n`)
        .join('')}`,
    );
    return { summary: undefined, failed };
  }
}

export async function checkIssuerUnlessSkipped(options: CreateOptions, ui: Ui): Promise<void> {
  if (options.issuer.endsWith('/')) {
    ui.warn(
      `The issuer ${options.issuer} ends in a slash, which Logto issuers do not (https://<tenant>.logto.app/oidc); it is kept, since tokens carry the issuer byte for byte.`,
    );
  } else if (!new URL(options.issuer).pathname.endsWith('/oidc')) {
    ui.warn(`The issuer ${options.issuer} does not end in /oidc; Logto issuers do (https://<tenant>.logto.app/oidc).`);
  }
  if (options.skipIssuerCheck) return;
  const result = await ui.step(`Checking the issuer ${options.issuer}`, () => checkIssuer(options.issuer));
  if (result.status === 'unreachable') {
    ui.warn(
      `Could not reach ${options.issuer} (${result.reason}); going on without checking it. The server checks it again when it starts.`,
    );
  }
}

/**
 * The issuer was typed for this project, so a later `register` in it may send the M2M credentials there
 * without asking (trusted-endpoints.ts). An issuer that is not a Logto one is simply not remembered.
 */
async function rememberLogto(
  issuer: string,
  flags: Pick<RegisterFlagOptions, 'tenantId' | 'managementEndpoint'> = {},
): Promise<void> {
  let endpoint: string;
  try {
    endpoint = resolveManagementTarget({
      issuer,
      tenantId: flags.tenantId,
      managementEndpoint: flags.managementEndpoint,
    }).managementEndpoint;
  } catch {
    return;
  }
  await trustEndpoint(endpoint);
}
