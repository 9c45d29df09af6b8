// The profile claims script: whoami shows username, name and email only through this server's block of the
// tenant's custom access-token claims script (src/register/claims-script.ts).
import { blockLabel, parseScript } from '../register/claims-script.js';
import { fail, pass, warn } from './check.js';
import { add as addTo, TITLES, type LogtoStep } from './logto-titles.js';

export async function checkProfileClaims(
  step: LogtoStep,
  { resource, key, expected }: { resource: string; key?: string; expected: boolean },
): Promise<void> {
  const add = (check: Parameters<typeof addTo>[1]) => addTo(step, check);
  const script = await step.api.getAccessTokenClaims();
  const parsed = parseScript(script?.script);
  const label = key ? blockLabel({ resource, key }) : undefined;
  const prefix = `profile claims for ${JSON.stringify(resource)}`;
  const found =
    parsed.ok && parsed.blocks.some((block) => (label ? block.label === label : block.label.startsWith(prefix)));
  if (found)
    add(
      pass(
        'logto.profile-claims',
        TITLES['logto.profile-claims'],
        `the tenant's access-token script has this server's block`,
      ),
    );
  else {
    const detail = parsed.ok
      ? "the tenant's access-token script has no block for this server"
      : `the tenant's access-token script cannot be read as blocks (${parsed.reason})`;
    const fix =
      'Run register again (without --no-profile-claims), or add the claims by hand: see the project README, "Profile claims".';
    add(
      expected
        ? fail(
            'logto.profile-claims',
            TITLES['logto.profile-claims'],
            `${detail}, although register installed one`,
            fix,
          )
        : warn(
            'logto.profile-claims',
            TITLES['logto.profile-claims'],
            `${detail}: whoami will show no username, name or email`,
            fix,
          ),
    );
  }
}
