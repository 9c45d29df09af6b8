import type { ManagementApi } from '../logto/management-api.js';
import type { ManagementTarget } from '../logto/endpoints.js';
import { printable } from '../printable.js';
import type { Ui } from '../ui.js';
import type { RegisterOptions } from './options.js';
import { isSignedCreated, REGISTRATION_KEY, type ProjectMark } from './ownership.js';
import { CONFIG_FILE, type LogtoRecord } from './project.js';

export type Status = 'created' | 'existing' | 'updated';

/**
 * What every registration step works with: the Management API client, the options, the mark of whoever
 * registers (a project's copy, or a workshop), and the record of what was found and created with how to
 * save it (logto-mcp.json for a project, workshop.json for a workshop).
 */
export interface StepContext {
  api: ManagementApi;
  options: RegisterOptions;
  mark: ProjectMark;
  record: LogtoRecord;
  save: () => Promise<void>;
  ui: Ui;
}

/**
 * The record of an earlier run against the same Logto is continued; one for another Logto is replaced.
 * Its list of what was created is kept only when signed with this copy's registration key: a list that
 * came with a clone, or was edited, is another copy's (or no one's), and stays out of this one's.
 */
export function startRecord(
  previous: LogtoRecord | undefined,
  target: ManagementTarget,
  mark: ProjectMark,
  ui: Ui,
  file = CONFIG_FILE,
): LogtoRecord {
  const fresh: LogtoRecord = {
    endpoint: target.logtoEndpoint,
    managementEndpoint: target.managementEndpoint,
    managementResource: target.resource,
    created: {},
  };
  if (!previous) return fresh;
  if (previous.endpoint !== target.logtoEndpoint) {
    ui.warn(
      `${file} recorded a registration at ${printable(previous.endpoint)}; it is replaced by this one (nothing there is removed).`,
    );
    return fresh;
  }
  const { signature: _, ...listed } = previous.created;
  const signed = isSignedCreated(previous.created, mark.key);
  if (!signed && Object.keys(listed).length > 0) {
    ui.warn(
      `${file} lists objects as created by register that this copy of the project did not record (not signed with its ${REGISTRATION_KEY}); they are left out of its record.`,
    );
  }
  return {
    ...previous,
    managementEndpoint: target.managementEndpoint,
    managementResource: target.resource,
    created: signed ? listed : {},
  };
}
