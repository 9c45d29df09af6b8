import { printable } from '../printable.js';
import type { Ui } from '../ui.js';
import type { TryResult } from './session.js';

/** The tool's answer, readably: one `name: value` line per claim for an object, else the text. */
export function printResult(ui: Ui, outcome: TryResult): void {
  const { result, tool } = outcome;
  if (outcome.isError) ui.warn(`${tool} answered with an error:`);
  else ui.success(`Signed in; ${tool} answered:`);
  if (typeof result === 'object' && result !== null && !Array.isArray(result)) {
    const entries = Object.entries(result as Record<string, unknown>);
    const width = Math.min(24, Math.max(...entries.map(([key]) => key.length)));
    for (const [key, value] of entries) {
      const shown = typeof value === 'string' ? value : JSON.stringify(value);
      ui.info(`  ${printable(key, 60).padEnd(width)}  ${printable(shown ?? String(value), 1000)}`);
    }
  } else {
    const text = typeof result === 'string' ? result : JSON.stringify(result, null, 2);
    for (const line of text.split('\n').slice(0, 200)) ui.info(printable(line, 1000));
  }
}
