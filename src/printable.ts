/**
 * Text that came from outside (a server's answer, a file, a folder name) made safe to print on a terminal:
 * C0/C1 control characters (so escape sequences), DEL, and Unicode bidi and zero-width controls are shown
 * as `\u{...}` instead of being sent to the terminal. Long text is cut, so a hostile answer cannot flood it.
 */
export function printable(text: string, maxLength = 500): string {
  const shown = text.replace(UNPRINTABLE, (char) => `\\u{${char.codePointAt(0)!.toString(16)}}`);
  return shown.length > maxLength ? `${shown.slice(0, maxLength)}…` : shown;
}

/** The first character `printable` would change, or undefined: for refusing input rather than rewriting it. */
export function firstUnprintable(text: string): string | undefined {
  return UNPRINTABLE_ONE.exec(text)?.[0];
}

const CLASS = '[\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u2028-\\u202e\\u2066-\\u2069\\ufeff]';
const UNPRINTABLE = new RegExp(CLASS, 'g');
const UNPRINTABLE_ONE = new RegExp(CLASS);
