import type { CommandDefinition } from '../cli/command-line.js';
import { resolveOptions } from '../options/define.js';
import { projectArgument, projectOptionSpecs, registerOptionSpecs } from '../register/options.js';
import type { UnregisterOptions } from '../register/unregister.js';
import type { ManagementTarget } from '../logto/endpoints.js';
import { canPrompt, confirmer, createUi } from '../ui.js';

const { m2mAppId, m2mAppSecret, tenantId, managementEndpoint, managementResource } = registerOptionSpecs;
const credentialSpecs = { m2mAppId, m2mAppSecret, tenantId, managementEndpoint, managementResource };

function unregisterOptionSpecs(project?: Parameters<typeof projectOptionSpecs>[0]) {
  const { issuer, resource } = projectOptionSpecs(project);
  return { issuer, resource, ...credentialSpecs };
}

export function unregisterCommand(): CommandDefinition {
  return {
    name: 'unregister',
    description:
      "Remove from Logto what register created for a project: what its logto-mcp.json lists and Logto shows is this project's",
    argument: projectArgument,
    optionGroups: [
      {
        specs: {
          yes: { flag: '-y, --yes', description: 'Remove without asking (needed when there is no terminal to ask in)' },
          json: { flag: '--json', description: 'Print the result as one JSON object on stdout' },
          ...unregisterOptionSpecs(),
        },
      },
    ],
    run: (directory, flags) => unregister(directory ?? projectArgument.default, flags),
  };
}

async function unregister(directory: string, flags: Record<string, unknown>): Promise<void> {
  const json = Boolean(flags.json);
  const ui = createUi({ json });
  const interactive = canPrompt(json);
  // Loaded when the command runs, not for --help (which builds every command's definition): project.ts imports
  // node:crypto, whose loading takes 8 ms.
  const [{ readProject }, { checkCredentialsTarget, endpointSource }] = await Promise.all([
    import('../register/project.js'),
    import('../register/trusted-endpoints.js'),
  ]);
  const project = await readProject(directory);
  const getOptions = async (): Promise<UnregisterOptions> => ({
    ...(await resolveOptions(unregisterOptionSpecs(project), flags, { interactive, yes: false })),
    yes: Boolean(flags.yes),
  });
  const confirm = confirmer(interactive);
  const source = endpointSource(flags, project.env);
  const checkTarget = (target: ManagementTarget, issuer: string) =>
    checkCredentialsTarget(target, source, { issuer, ui, confirm });
  const { unregisterProject } = await import('../register/unregister.js');
  const summary = await unregisterProject({ projectDir: directory, getOptions, confirm, checkTarget, ui, json });
  if (json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
}
