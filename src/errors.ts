/** A problem with what the user asked for: printed as is, without a stack trace, exit code 1. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The user pressed Ctrl-C at a prompt. */
export class CancelledError extends Error {
  override name = 'CancelledError';
  constructor() {
    super('Cancelled.');
  }
}

/** What went wrong, from anything thrown: an Error's message, else the value as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
