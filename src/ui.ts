import kleur from 'kleur';
import { printable } from './printable.js';

// Colours only for a terminal that wants them.
kleur.enabled = Boolean(process.stdout.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';

export const colors = kleur;

/** Prompts may be shown only in a terminal, and never when stdout is reserved for --json. */
export function canPrompt(json: boolean): boolean {
  // stdout first: process.stdin is made on first use (about a millisecond), and a script's stdout is no terminal.
  return !json && Boolean(process.stdout.isTTY && process.stdin.isTTY);
}

/** A yes/no question in a terminal, defaulting to no; undefined where nobody can be asked. */
export function confirmer(interactive: boolean): ((question: string) => Promise<boolean>) | undefined {
  return interactive
    ? async (message) => (await import('@inquirer/prompts')).confirm({ message, default: false })
    : undefined;
}

/** Human-facing output. Everything goes to stderr when stdout is reserved for --json. */
export interface Ui {
  info(message: string): void;
  success(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Runs a step with a spinner in a terminal, or a plain line otherwise. */
  step<T>(text: string, work: () => Promise<T>): Promise<T>;
}

export function createUi({ json = false }: { json?: boolean } = {}): Ui {
  const out = json ? process.stderr : process.stdout;
  const write = (line: string) => out.write(`${line}\n`);
  return {
    info: (message) => write(message),
    success: (message) => write(`${kleur.green('✔')} ${message}`),
    warn: (message) => process.stderr.write(`${kleur.yellow('⚠')} ${safeLines(message)}\n`),
    error: (message) => process.stderr.write(`${kleur.red('✖')} ${safeLines(message)}\n`),
    async step(text, work) {
      if (!out.isTTY) {
        write(`… ${text}`);
        return work();
      }
      // Loaded only for a terminal: it imports node:process and node:tty, whose loading costs a run without one 15 ms.
      const { default: yoctoSpinner } = await import('yocto-spinner');
      const spinner = yoctoSpinner({ text, stream: out }).start();
      try {
        const result = await work();
        spinner.success(text);
        return result;
      } catch (error) {
        spinner.error(text);
        throw error;
      }
    },
  };
}

/**
 * Warnings and errors often quote outside text (a server's answer, a file, a path): each line goes
 * through printable(), so none reaches the terminal raw, however the message was built.
 */
function safeLines(message: string): string {
  return message
    .split('\n')
    .map((line) => printable(line, Infinity))
    .join('\n');
}
