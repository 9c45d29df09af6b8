// A user role granting every scope the server declares, and whether any user holds it (or it is a default role).
import { printable } from '../printable.js';
import { fail, pass, warn } from './check.js';
import { add as addTo, skip, TITLES, type LogtoStep } from './logto-titles.js';

export async function checkRole(step: LogtoStep): Promise<void> {
  const { api, declared, scopeIds } = step;
  const add = (check: Parameters<typeof addTo>[1]) => addTo(step, check);
  const skipFrom = (ids: Parameters<typeof skip>[1], why: string) => skip(step, ids, why);
  if (declared.length === 0)
    skipFrom(
      ['logto.role', 'logto.role.users'],
      'the server requires no scope: any signed-in user gets a token for it',
    );
  else if (scopeIds.length < declared.length)
    skipFrom(['logto.role', 'logto.role.users'], 'the scopes do not all exist');
  else {
    const roles = (await api.listRoles()).filter((role) => role.type === 'User');
    const granting = [];
    for (const role of roles) {
      const held = new Set((await api.listRoleScopes(role.id)).map((scope) => scope.id));
      if (scopeIds.every((id) => held.has(id))) granting.push(role);
    }
    if (granting.length === 0) {
      add(
        fail(
          'logto.role',
          TITLES['logto.role'],
          `no user role grants ${declared.join(' ')}: tokens will carry none of them`,
          'Run register again: it creates a role granting the scopes (then assign it to users).',
        ),
      );
      skipFrom(['logto.role.users'], 'no role');
    } else {
      add(
        pass(
          'logto.role',
          TITLES['logto.role'],
          granting.map((role) => `"${printable(role.name)}"${role.isDefault ? ' (default role)' : ''}`).join(', '),
        ),
      );
      const holders = [];
      for (const role of granting) holders.push(...(await api.listRoleUsers(role.id)));
      if (granting.some((role) => role.isDefault))
        add(
          pass(
            'logto.role.users',
            TITLES['logto.role.users'],
            `a default role: every new user gets it${holders.length ? `; ${holders.length} user(s) hold one now` : ''}`,
          ),
        );
      else if (holders.length > 0)
        add(pass('logto.role.users', TITLES['logto.role.users'], `${holders.length} user(s)`));
      else {
        add(
          warn(
            'logto.role.users',
            TITLES['logto.role.users'],
            'no user holds it: every user gets a token without the scopes',
            'Assign the role in Logto Console > User management > a user > Roles, or make it a default role (register --default-role).',
          ),
        );
      }
    }
  }
}
