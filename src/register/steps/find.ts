import { UsageError } from '../../errors.js';
import { printable } from '../../printable.js';
import type { StepContext } from '../context.js';
import { REGISTRATION_KEY } from '../ownership.js';
import { CONFIG_FILE } from '../project.js';

export interface Found<T> {
  item: T;
  /** Logto marks it as made by this copy (ownership.ts); else it is adopted (--adopt). */
  own: boolean;
}

/**
 * What to reuse among `items`, found before anything is created. Reused without asking: one that Logto
 * marks as this copy's, found by the recorded ID (a hint from a file anyone may have changed) or by name.
 * With --adopt only: any other of the same name. Two projects may share a name and so the default app
 * and role names: taking the other's unasked would merge them (the role would grant both servers'
 * scopes, and unregistering one would delete what the other uses). Without --adopt, one of the same name
 * that is not this copy's is a refusal, pushed to `refusals` so that all of them are said at once.
 */
export function findOwn<T extends { id: string; name: string }>(
  { options, ui }: Pick<StepContext, 'options' | 'ui'>,
  items: T[],
  isOwn: (item: T) => boolean,
  want: { hint: string | undefined; name: string; what: string; flag: string },
  refusals: string[],
): Found<T> | undefined {
  const own = items.filter(isOwn);
  const found = own.find((item) => item.id === want.hint) ?? own.find((item) => item.name === want.name);
  if (want.hint && found?.id !== want.hint && items.some((item) => item.id === want.hint)) {
    ui.warn(
      `${CONFIG_FILE} names ${want.what} ${printable(want.hint, 100)} that Logto does not mark as made by this copy of the project (${REGISTRATION_KEY} in .env); it is not reused.`,
    );
  }
  if (found) return { item: found, own: true };
  const sameName = items.find((item) => item.name === want.name);
  if (sameName && !options.adopt) {
    refusals.push(
      `Logto already has ${want.what} named "${want.name}" (${sameName.id}) that this project did not create; it may be another project's. ` +
        `Pass ${want.flag} <name> for a new one, or --adopt to reuse it.`,
    );
  }
  return sameName ? { item: sameName, own: false } : undefined;
}

export function refuseAll(refusals: string[]): void {
  if (refusals.length > 0) throw new UsageError(refusals.join('\n'));
}
