import { printable } from '../printable.js';
import { colors, type Ui } from '../ui.js';
import type { Check, CheckStatus } from './check.js';

const MARK: Record<CheckStatus, string> = {
  pass: colors.green('✔ pass'),
  warn: colors.yellow('⚠ warn'),
  fail: colors.red('✖ fail'),
  skipped: colors.gray('- skipped'),
};

/** One line per check, the fix on the next; then a count. */
export function printChecklist(ui: Ui, checks: Check[]): void {
  for (const check of checks) {
    ui.info(`${MARK[check.status]}  ${check.title}: ${printable(check.detail, 1000)}`);
    if (check.fix && (check.status === 'fail' || check.status === 'warn'))
      ui.info(`         fix: ${printable(check.fix, 1000)}`);
  }
  const count = (status: CheckStatus) => checks.filter((check) => check.status === status).length;
  ui.info('');
  ui.info(`${count('pass')} passed, ${count('warn')} warnings, ${count('fail')} failed, ${count('skipped')} skipped.`);
}
