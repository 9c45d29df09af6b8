import path from 'node:path';
import { shell } from './render/encoders.js';

/**
 * How to run this CLI again, for commands we print: `npx create-logto-mcp` when it runs from an
 * installed package, else `node <path to the bin>` (a clone). Printing `npx create-logto-mcp` to someone
 * running a clone would send them, with their Logto credentials in the environment, to whatever
 * package holds that name on the registry.
 */
export function cliInvocation(argv1 = process.argv[1] ?? ''): string {
  const installed = argv1.split(path.sep).includes('node_modules');
  return installed ? 'npx create-logto-mcp' : `node ${shell(argv1)}`;
}
