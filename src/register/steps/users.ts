import { UsageError } from '../../errors.js';
import type { ManagementApi, User } from '../../logto/management-api.js';
import { printable } from '../../printable.js';
import type { Status } from '../context.js';

export interface AssignedUser {
  id: string;
  username: string | null;
  status: Status;
}

/**
 * The users --assign-user names (a username, or an email address when it has an @), found before anything is
 * created so that a typo stops the run with nothing done. Exact matches only (Logto's `mode.<field>=exact`).
 */
export async function findAssignees(api: ManagementApi, identifiers: string[]): Promise<User[]> {
  const users: User[] = [];
  const missing: string[] = [];
  for (const identifier of new Set(identifiers)) {
    const field = identifier.includes('@') ? 'primaryEmail' : 'username';
    const found = (await api.findUsers(field, identifier)).filter((user) => user[field] === identifier);
    if (found.length === 0) missing.push(printable(identifier, 100));
    else users.push(found[0]!);
  }
  if (missing.length > 0) {
    throw new UsageError(
      `No Logto user has the username or email ${missing.join(', ')} (--assign-user); nothing was changed. Check the spelling in Logto Console > User management.`,
    );
  }
  return users;
}

/** Gives each user the role unless they hold it already. */
export async function assignRole(api: ManagementApi, users: User[], roleId: string): Promise<AssignedUser[]> {
  const result: AssignedUser[] = [];
  for (const user of users) {
    const has = (await api.listUserRoles(user.id)).some((role) => role.id === roleId);
    if (!has) await api.assignUserRoles(user.id, [roleId]);
    result.push({ id: user.id, username: user.username, status: has ? 'existing' : 'created' });
  }
  return result;
}
