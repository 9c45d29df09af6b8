import type { StepContext, Status } from '../context.js';

/** The API resource whose indicator is the server's URL: found, else created and recorded as created. */
export async function ensureResource({ api, options, record, save }: StepContext, name: string) {
  const found = (await api.listResources()).find(({ indicator }) => indicator === options.resource);
  const resource = found
    ? { ...found, status: 'existing' as Status }
    : { ...(await api.createResource({ name, indicator: options.resource })), status: 'created' as Status };
  if (!found) record.created.resource = resource.id;
  record.resource = { id: resource.id, indicator: resource.indicator };
  await save();
  return resource;
}

/** The resource's scopes of these names: those missing are created (and recorded as created). */
export async function ensureScopes({ api, options, record, save }: StepContext, resourceId: string, names: string[]) {
  if (names.length === 0) return [];
  const existing = await api.listScopes(resourceId);
  const result: Array<{ id: string; name: string; status: Status }> = [];
  for (const name of names) {
    const found = existing.find((scope) => scope.name === name);
    if (found) {
      result.push({ id: found.id, name, status: 'existing' });
      continue;
    }
    const created = await api.createScope(resourceId, { name, description: `${name} on ${options.projectName}` });
    record.created.scopeIds = [...(record.created.scopeIds ?? []), created.id];
    result.push({ id: created.id, name, status: 'created' });
  }
  record.scopes = Object.fromEntries(result.map(({ name, id }) => [name, id]));
  await save();
  return result;
}
