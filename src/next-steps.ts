import path from 'node:path';
import type { ProjectPlan, TemplateVariables } from './plan.js';
import type { GitOutcome } from './install/git.js';
import { cliInvocation } from './invocation.js';
import { printable } from './printable.js';
import { shell } from './render/encoders.js';
import { colors } from './ui.js';

/** What was created, as printed with --json. */
export type CreateSummary = Pick<
  TemplateVariables,
  | 'projectName'
  | 'language'
  | 'issuer'
  | 'resource'
  | 'port'
  | 'host'
  | 'requiredScopes'
  | 'framework'
  | 'transport'
  | 'streamableHttpUrl'
  | 'sseUrl'
  | 'verifier'
> & {
  projectDir: string;
  installed: boolean;
  git: GitOutcome | 'skipped';
  generator: { name: string; version: string };
};

export function summarize(plan: ProjectPlan, installed: boolean, git: CreateSummary['git']): CreateSummary {
  const {
    generatorName,
    generatorVersion,
    packageManager: _packageManager,
    run: _run,
    pythonModule: _pythonModule,
    sseMessagesPath: _sseMessagesPath,
    clientUrl: _clientUrl,
    ...settings
  } = plan.variables;
  return {
    projectDir: plan.targetDir,
    ...settings,
    installed,
    git,
    generator: { name: generatorName, version: generatorVersion },
  };
}

/** How to install (when that was not done) and start the server, with the chosen package manager. */
export function startCommands(
  v: Pick<TemplateVariables, 'language' | 'packageManager' | 'run' | 'projectName'>,
  installed: boolean,
): string[] {
  if (v.language !== 'python') return [...(installed ? [] : [`${v.packageManager} install`]), `${v.run} dev`];
  // `uv run` installs what is missing itself.
  if (v.packageManager === 'uv') return [`uv run ${shell(v.projectName)}`];
  return [
    ...(installed ? [] : ['python3 -m venv .venv && .venv/bin/pip install -e . --group dev']),
    `.venv/bin/${shell(v.projectName)}`,
  ];
}

/** What to do now, in the order to do it; `registeredAppId` when --register has set Logto up already. */
export function nextSteps(
  plan: ProjectPlan,
  summary: CreateSummary,
  registeredAppId?: string,
  cwd = process.cwd(),
): string {
  const { variables: v } = plan;
  const relative = path.relative(cwd, plan.targetDir) || '.';
  // A relative path starting with "-" would be read as an option: `cd ./-x`, not `cd -x`.
  const cdTarget = relative.startsWith('..') ? plan.targetDir : relative.startsWith('-') ? `./${relative}` : relative;
  const commands = [
    relative === '.' ? undefined : `cd ${shell(cdTarget)}`,
    ...startCommands(v, summary.installed),
  ].filter(Boolean);
  const answersAt =
    v.streamableHttpUrl && v.sseUrl
      ? `${colors.bold(v.streamableHttpUrl)} (Streamable HTTP) and ${colors.bold(v.sseUrl)} (HTTP+SSE, for older clients)`
      : colors.bold(v.resource);
  const scopes = v.requiredScopes.length
    ? ` with the scope${v.requiredScopes.length > 1 ? 's' : ''} ${v.requiredScopes.join(', ')}`
    : '';
  const logto = registeredAppId
    ? [
        `The server will answer at ${answersAt}. MCP clients sign in with the Logto app ${colors.bold(printable(registeredAppId))} (see above).`,
      ]
    : [
        `The server will answer at ${answersAt}. In Logto, create:`,
        `  - an API resource whose indicator is exactly ${v.resource}${scopes}, and a role granting its scopes;`,
        '  - an application for your MCP client (a third-party app shows users a consent screen).',
        `Or let the CLI do it: ${colors.cyan(printable(`${cliInvocation()} register ${shell(plan.targetDir)}`, Infinity))} (see README.md).`,
      ];
  return [
    '',
    `${colors.green('Done.')} Created ${colors.bold(v.projectName)} in ${printable(plan.targetDir)}`,
    '',
    'Next steps:',
    ...commands.map((command) => `  ${colors.cyan(printable(command!, Infinity))}`),
    '',
    ...logto,
    '',
  ].join('\n');
}
