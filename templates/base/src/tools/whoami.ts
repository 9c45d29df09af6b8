import type { McpServer } from '@modelcontextprotocol/server';
import { toolScopeChallenge } from '../auth.js';
import type { Config } from '../config.js';

/** The user's profile claims. Logto's access tokens carry them only through a custom claims script (README, "Profile claims"). */
const PROFILE_CLAIMS = ['username', 'name', 'email'] as const;

/**
 * Returns the claims of the verified access token the request came with, and whether it stands for a user or a
 * machine. For a user, it lists the profile claims the token lacks (`missingProfileClaims`) and says why (`note`).
 */
export function registerWhoami(server: McpServer, config: Config): void {
  server.registerTool(
    'whoami',
    {
      title: 'Who am I',
      description:
        'Returns the identity claims (sub, username, name, email, client_id, scope, ...) of the access token this request was made with, ' +
        'and subjectType: "user", or "machine" for an application acting for itself. Profile claims the token lacks are listed in missingProfileClaims.',
      annotations: { readOnlyHint: true, openWorldHint: false },
      scopeChallenge: toolScopeChallenge(config, 'whoami'),
    },
    async (ctx) => {
      const { claims, subjectType } = ctx.http?.authInfo?.extra ?? {};
      if (typeof claims !== 'object' || claims === null) {
        return { isError: true, content: [{ type: 'text', text: 'No verified access token on this request.' }] };
      }
      const identity: Record<string, unknown> = { ...(claims as Record<string, unknown>), subjectType };
      const missing = PROFILE_CLAIMS.filter((claim) => typeof identity[claim] !== 'string' || identity[claim] === '');
      if (subjectType === 'user' && missing.length > 0) {
        identity.missingProfileClaims = missing;
        identity.note =
          `The access token carries no ${missing.join(', ')}. Logto adds them when \`register\` installed the custom claims script ` +
          `and the user has them in Logto; see README "Profile claims".`;
      }
      return {
        structuredContent: identity,
        content: [{ type: 'text', text: JSON.stringify(identity, null, 2) }],
      };
    },
  );
}
