import type { McpServer } from '@modelcontextprotocol/server';

/** Returns the claims of the verified access token the request came with. */
export function registerWhoami(server: McpServer): void {
  server.registerTool(
    'whoami',
    {
      title: 'Who am I',
      description: 'Returns the identity claims (sub, client_id, scope, ...) of the access token this request was made with.',
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (ctx) => {
      const claims = ctx.http?.authInfo?.extra?.claims;
      if (typeof claims !== 'object' || claims === null) {
        return { isError: true, content: [{ type: 'text', text: 'No verified access token on this request.' }] };
      }
      return {
        structuredContent: claims as Record<string, unknown>,
        content: [{ type: 'text', text: JSON.stringify(claims, null, 2) }],
      };
    },
  );
}
