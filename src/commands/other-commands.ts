import type { CommandDefinition } from '../cli/command-line.js';

/**
 * The commands beside the default one (create), by the name that runs each (test/cli.test.ts checks the names).
 * Each is loaded only when the command line names it, or for the list in --help: a generation loads none.
 */
export const otherCommands: Record<string, () => Promise<CommandDefinition>> = {
  register: async () => (await import('./register.js')).registerCommand(),
  unregister: async () => (await import('./unregister.js')).unregisterCommand(),
  try: async () => (await import('./try-command.js')).tryCommand(),
  doctor: async () => (await import('./doctor-command.js')).doctorCommand(),
  workshop: async () => (await import('./workshop-command.js')).workshopCommand(),
};
