import type { CommandDefinition } from '../cli/command-line.js';
import { doctorCommand } from './doctor-command.js';
import { registerCommand } from './register.js';
import { tryCommand } from './try-command.js';
import { unregisterCommand } from './unregister.js';
import { workshopCommand } from './workshop-command.js';

/** The commands beside the default one (create), by the name that runs each (test/cli.test.ts checks the names). */
export const otherCommands: Record<string, () => CommandDefinition> = {
  register: registerCommand,
  unregister: unregisterCommand,
  try: tryCommand,
  doctor: doctorCommand,
  workshop: workshopCommand,
};
