import { Command } from 'commander';
import { addOptions, resolveOptions } from '../options/define.js';
import { registerOptionSpecs } from '../register/options.js';
import { unregisterProject, type UnregisterOptions } from '../register/unregister.js';
import { canPrompt, createUi } from '../ui.js';

const { m2mAppId, m2mAppSecret, tenantId, managementEndpoint, managementResource } = registerOptionSpecs;
const unregisterOptionSpecs = { m2mAppId, m2mAppSecret, tenantId, managementEndpoint, managementResource };

export function unregisterCommand(): Command {
  const command = new Command('unregister')
    .description('Remove from Logto what register created for a project (as recorded in its logto-mcp.json)')
    .argument('[directory]', 'The project folder', '.')
    .option('--json', 'Print the result as one JSON object on stdout');
  addOptions(command, unregisterOptionSpecs);
  command.action(async (directory: string, flags: Record<string, unknown>) => {
    const json = Boolean(flags.json);
    const ui = createUi({ json });
    const interactive = canPrompt(json);
    const getOptions = async () => (await resolveOptions(unregisterOptionSpecs, flags, { interactive, yes: false })) as unknown as UnregisterOptions;
    const summary = await unregisterProject({ projectDir: directory, getOptions, ui, json });
    if (json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  });
  return command;
}
