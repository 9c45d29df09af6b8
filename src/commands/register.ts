import type { CommandDefinition } from '../cli/command-line.js';
import { cliInvocation } from '../invocation.js';
import { resolveOptions } from '../options/define.js';
import { projectArgument, projectOptionSpecs, registerOptionSpecs, type RegisterOptions } from '../register/options.js';
import type { ManagementTarget } from '../logto/endpoints.js';
import { canPrompt, confirmer, createUi } from '../ui.js';

export function registerCommand(): CommandDefinition {
  return {
    name: 'register',
    description:
      'Register an existing project in Logto through the Management API: API resource, scopes, role and the app MCP clients sign in with',
    argument: projectArgument,
    optionGroups: [
      {
        specs: {
          json: {
            flag: '--json',
            description:
              'Print the result as one JSON object on stdout (no prompts; the app secret only with --show-secret)',
          },
          ...projectOptionSpecs(),
          ...registerOptionSpecs,
        },
      },
    ],
    helpAfter: `
Credentials come from a Logto machine-to-machine app with the Management API access role:
  export LOGTO_M2M_APP_ID='<M2M app ID>' LOGTO_M2M_APP_SECRET='<M2M app secret>'
  ${cliInvocation()} register my-server
A re-run creates only what is missing; the unregister command removes what register created.`,
    run: (directory, flags) => register(directory ?? projectArgument.default, flags),
  };
}

async function register(directory: string, flags: Record<string, unknown>): Promise<void> {
  const json = Boolean(flags.json);
  const ui = createUi({ json });
  // Loaded when the command runs, not for --help (which builds every command's definition): project.ts imports
  // node:crypto, whose loading takes 8 ms.
  const [{ readProject }, { checkCredentialsTarget, endpointSource }] = await Promise.all([
    import('../register/project.js'),
    import('../register/trusted-endpoints.js'),
  ]);
  const project = await readProject(directory);
  const interactive = canPrompt(json);
  const resolved = await resolveOptions({ ...projectOptionSpecs(project), ...registerOptionSpecs }, flags, {
    interactive,
    yes: false,
  });
  const options: RegisterOptions = { ...resolved, projectName: project.name };
  for (const [name, value] of [
    ['LOGTO_ISSUER', options.issuer],
    ['MCP_RESOURCE', options.resource],
  ] as const) {
    if (project.env[name] && project.env[name] !== value) {
      ui.warn(
        `The server reads ${name}=${project.env[name]} from .env, but ${value} is being registered; make them match.`,
      );
    }
  }
  const source = endpointSource(flags, project.env);
  const checkTarget = (target: ManagementTarget, issuer: string) =>
    checkCredentialsTarget(target, source, { issuer, ui, confirm: confirmer(interactive) });
  const { registerProject } = await import('../register/register.js');
  const summary = await registerProject({ projectDir: directory, options, ui, json, checkTarget });
  if (json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
}
