/** One line of doctor's checklist. */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skipped';

export interface Check {
  /** Stable, for scripts: `server.metadata.resource`. */
  id: string;
  /** What was checked, in a few words. */
  title: string;
  status: CheckStatus;
  /** What was found (for skipped: why it was not checked). */
  detail: string;
  /** The fix in one sentence, for warn and fail. */
  fix?: string;
}

export const pass = (id: string, title: string, detail: string): Check => ({ id, title, status: 'pass', detail });
export const warn = (id: string, title: string, detail: string, fix: string): Check => ({
  id,
  title,
  status: 'warn',
  detail,
  fix,
});
export const fail = (id: string, title: string, detail: string, fix: string): Check => ({
  id,
  title,
  status: 'fail',
  detail,
  fix,
});
export const skipped = (id: string, title: string, why: string): Check => ({
  id,
  title,
  status: 'skipped',
  detail: why,
});

/** Collects checks in order; the section functions push to it. */
export class Checklist {
  readonly checks: Check[] = [];
  add(check: Check): Check {
    this.checks.push(check);
    return check;
  }
  get failed(): boolean {
    return this.checks.some((check) => check.status === 'fail');
  }
}
