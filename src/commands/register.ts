import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { createOptionSpecs, parseScopes } from '../options/create-options.js';
import { cliInvocation } from '../invocation.js';
import { addOptions, resolveOptions, type OptionSpecs } from '../options/define.js';
import { registerOptionSpecs, type RegisterOptions } from '../register/options.js';
import { readProject } from '../register/project.js';
import { registerProject } from '../register/register.js';
import { canPrompt, createUi } from '../ui.js';

/** --issuer, --resource, --scopes: read from the project's .env; a flag overrides it. */
function projectSpecs(env: Record<string, string> = {}) {
  const fromEnv = (name: string) => env[name] || undefined;
  let scopes: string[] = [];
  try {
    scopes = parseScopes(env.MCP_REQUIRED_SCOPES ?? '');
  } catch (error) {
    throw new UsageError(`The project's MCP_REQUIRED_SCOPES is invalid: ${(error as Error).message}`);
  }
  return {
    issuer: { ...createOptionSpecs.issuer, default: fromEnv('LOGTO_ISSUER'), defaultDescription: "LOGTO_ISSUER in the project's .env", prompt: fromEnv('LOGTO_ISSUER') ? undefined : createOptionSpecs.issuer.prompt },
    resource: { ...createOptionSpecs.resource, default: fromEnv('MCP_RESOURCE'), defaultDescription: "MCP_RESOURCE in the project's .env", prompt: undefined },
    scopes: {
      ...createOptionSpecs.scopes,
      description: "The API resource's scopes: those the server requires plus per-tool ones, space- or comma-separated",
      default: scopes,
      defaultDescription: "MCP_REQUIRED_SCOPES in the project's .env",
      prompt: undefined,
    },
  } satisfies OptionSpecs;
}

export function registerCommand(): Command {
  const command = new Command('register')
    .description("Register an existing project in Logto through the Management API: API resource, scopes, role and the app MCP clients sign in with")
    .argument('[directory]', 'The project folder', '.')
    .option('--json', 'Print the result as one JSON object on stdout (no prompts; the app secret only with --show-secret)');
  addOptions(command, { ...projectSpecs(), ...registerOptionSpecs });
  command.addHelpText(
    'after',
    `
Credentials come from a Logto machine-to-machine app with the Management API access role:
  export LOGTO_M2M_APP_ID='<M2M app ID>' LOGTO_M2M_APP_SECRET='<M2M app secret>'
  ${cliInvocation()} register my-server
A re-run creates only what is missing; the unregister command removes what register created.`,
  );
  command.action(async (directory: string, flags: Record<string, unknown>) => {
    const json = Boolean(flags.json);
    const ui = createUi({ json });
    const project = await readProject(directory);
    const interactive = canPrompt(json);
    const resolved = await resolveOptions({ ...projectSpecs(project.env), ...registerOptionSpecs }, flags, { interactive, yes: false });
    const options = { ...resolved, projectName: project.name } as RegisterOptions;
    for (const [name, value] of [['LOGTO_ISSUER', options.issuer], ['MCP_RESOURCE', options.resource]] as const) {
      if (project.env[name] && project.env[name] !== value) {
        ui.warn(`The server reads ${name}=${project.env[name]} from .env, but ${value} is being registered; make them match.`);
      }
    }
    const summary = await registerProject({ projectDir: directory, options, ui, json });
    if (json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  });
  return command;
}
