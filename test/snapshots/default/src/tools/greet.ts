import type { McpServer } from '@modelcontextprotocol/server';
import { toolScopeChallenge } from '../auth.js';
import type { Config } from '../config.js';

/**
 * Greets the signed-in user. It needs the scope tool-scopes.json lists for it (greet:write), which `whoami`
 * does not: a client whose token lacks it gets a 403 step-up challenge, and calls it once the user consents.
 */
export function registerGreet(server: McpServer, config: Config): void {
  server.registerTool(
    'greet',
    {
      title: 'Greet',
      description: 'Says hello to the signed-in user. Needs the greet:write scope.',
      annotations: { readOnlyHint: true, openWorldHint: false },
      scopeChallenge: toolScopeChallenge(config, 'greet'),
    },
    async (ctx) => {
      const claims = ctx.http?.authInfo?.extra?.claims as Record<string, unknown> | undefined;
      const name =
        [claims?.name, claims?.username, claims?.sub].find(
          (value): value is string => typeof value === 'string' && value !== '',
        ) ?? 'there';
      return { content: [{ type: 'text', text: `Hello, ${name}!` }] };
    },
  );
}
