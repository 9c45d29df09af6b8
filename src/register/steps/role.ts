import { UsageError } from '../../errors.js';
import type { Role } from '../../logto/management-api.js';
import type { StepContext, Status } from '../context.js';
import { isOwnRole, roleDescription } from '../ownership.js';
import { findOwn, type Found } from './find.js';

export interface RoleSummary {
  id: string;
  name: string;
  isDefault: boolean;
  status: Status;
}

/** The role to reuse (see findOwn); the name looked for is --role-name, else the default. */
export async function findRole(
  context: StepContext,
  defaultName: string,
  refusals: string[],
): Promise<Found<Role> | undefined> {
  const { api, options, mark, record } = context;
  const want = { hint: record.role?.id, name: options.roleName ?? defaultName, what: 'a role', flag: '--role-name' };
  const role = findOwn(context, await api.listRoles(), (item) => isOwnRole(item, mark), want, refusals);
  if (role && role.item.type !== 'User') {
    throw new UsageError(
      `A machine-to-machine role named "${role.item.name}" already exists; give a user role's name with --role-name.`,
    );
  }
  // What Logto marks as this copy's counts as created by it, also when the record did not say so.
  if (role?.own) record.created.role = role.item.id;
  return role;
}

/**
 * A user's token carries only the resource scopes one of their roles grants, hence a role. A role found
 * keeps its name unless --role-name gives another (then it is renamed), and gets the scopes it lacks.
 */
export async function ensureRole(
  { api, options, mark, record, save }: StepContext,
  found: Role | undefined,
  defaultName: string,
  scopes: Array<{ id: string }>,
): Promise<RoleSummary> {
  const scopeIds = scopes.map(({ id }) => id);
  if (!found) {
    const name = options.roleName ?? defaultName;
    const role = await api.createRole({
      name,
      description: roleDescription(mark),
      type: 'User',
      scopeIds,
      ...(options.defaultRole ? { isDefault: true } : {}),
    });
    record.created.role = role.id;
    record.role = { id: role.id, name };
    await save();
    return { id: role.id, name, isDefault: options.defaultRole, status: 'created' };
  }
  let status: Status = 'existing';
  const granted = new Set((await api.listRoleScopes(found.id)).map(({ id }) => id));
  const missing = scopeIds.filter((id) => !granted.has(id));
  if (missing.length > 0) {
    await api.addRoleScopes(found.id, missing);
    status = 'updated';
  }
  const name = options.roleName ?? found.name;
  const changes = {
    ...(name !== found.name ? { name } : {}),
    ...(options.defaultRole && !found.isDefault ? { isDefault: true } : {}),
  };
  if (Object.keys(changes).length > 0) {
    await api.updateRole(found.id, changes);
    status = 'updated';
  }
  record.role = { id: found.id, name };
  await save();
  return { id: found.id, name, isDefault: Boolean(found.isDefault) || options.defaultRole, status };
}
