import type { McpServer } from '@modelcontextprotocol/server';
import { toolScopeChallenge } from '../auth.js';
import type { Config } from '../config.js';

/** Returns the claims of the verified access token the request came with, and whether it stands for a user or a machine. */
export function registerWhoami(server: McpServer, config: Config): void {
  server.registerTool(
    'whoami',
    {
      title: 'Who am I',
      description:
        'Returns the identity claims (sub, client_id, scope, ...) of the access token this request was made with, and subjectType: "user", or "machine" for an application acting for itself.',
      annotations: { readOnlyHint: true, openWorldHint: false },
      scopeChallenge: toolScopeChallenge(config, 'whoami'),
    },
    async (ctx) => {
      const { claims, subjectType } = ctx.http?.authInfo?.extra ?? {};
      if (typeof claims !== 'object' || claims === null) {
        return { isError: true, content: [{ type: 'text', text: 'No verified access token on this request.' }] };
      }
      const identity = { ...(claims as Record<string, unknown>), subjectType };
      return {
        structuredContent: identity,
        content: [{ type: 'text', text: JSON.stringify(identity, null, 2) }],
      };
    },
  );
}
