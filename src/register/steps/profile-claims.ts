import { LogtoApiError } from '../../logto/management-api.js';
import { printable } from '../../printable.js';
import { PROFILE_CLAIMS, parseScript, profileClaimsBlock, scriptFor, withBlock } from '../claims-script.js';
import type { StepContext, Status } from '../context.js';

export interface ProfileClaimsSummary {
  claims: string[];
  status: Status | 'refused';
  reason?: string;
}

const PLAN_REFUSAL_CODES = new Set(['subscription.limit_exceeded']);

/**
 * Puts this server's block (username, name and email, for tokens whose audience is its resource) into the
 * tenant's one custom access-token claims script, keeping every other block and any script someone wrote
 * (claims-script.ts): read, merge, write back only when it changed. The block carries this copy's mark,
 * so the record's `profileClaims` lets unregister take out exactly it. Refused by the tenant's plan (Logto
 * Cloud: 403 subscription.limit_exceeded) or by a script it cannot merge safely: said, and registration goes on.
 */
export async function ensureProfileClaims({ api, mark, record, save }: StepContext): Promise<ProfileClaimsSummary> {
  const claims = Object.keys(PROFILE_CLAIMS);
  const current = await api.getAccessTokenClaims();
  const parsed = parseScript(current?.script);
  if (!parsed.ok) {
    return {
      claims,
      status: 'refused',
      reason:
        `The tenant's custom access-token claims script was left as it is (${printable(parsed.reason)}), so tokens carry no ${claims.join(', ')}: ` +
        `see README "Profile claims", or pass --no-profile-claims.`,
    };
  }
  const block = profileClaimsBlock(mark);
  const script = scriptFor(withBlock(parsed.blocks, block))!;
  let status: Status = 'existing';
  if (current?.script !== script) {
    try {
      // PATCH keeps the stored environment variables and samples; PUT creates the first script.
      await (current ? api.patchAccessTokenClaims({ script }) : api.putAccessTokenClaims({ script }));
    } catch (error) {
      if (!(error instanceof LogtoApiError && error.status === 403 && PLAN_REFUSAL_CODES.has(error.code ?? '')))
        throw error;
      return {
        claims,
        status: 'refused',
        reason: `Your Logto plan does not include custom JWT claims (403 ${error.code}), so tokens carry no ${claims.join(', ')}; registration goes on without them.`,
      };
    }
    status = parsed.blocks.some(({ label }) => label === block.label) ? 'updated' : 'created';
  }
  record.created.profileClaims = true;
  await save();
  return { claims, status };
}
