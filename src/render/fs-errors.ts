import { UsageError } from '../errors.js';
import { printable } from '../printable.js';

/** What a file-system error code means for the user, and what to do about it. */
const CAUSES: Record<string, { reason: string; fix: string }> = {
  EACCES: { reason: 'permission denied', fix: 'Choose a folder you can write to, or change its permissions.' },
  EPERM: { reason: 'the operation is not permitted there', fix: 'Choose a folder you can write to.' },
  EROFS: { reason: 'the file system is read-only', fix: 'Choose a folder on a writable disk.' },
  ENOSPC: { reason: 'no space left on the device', fix: 'Free some space, or choose a folder on another disk.' },
  EDQUOT: { reason: 'your disk quota is used up', fix: 'Free some space, or choose a folder on another disk.' },
  ENAMETOOLONG: {
    reason: 'a name in the path is too long (at most 255 bytes per name)',
    fix: 'Choose a shorter name.',
  },
  ENOTDIR: { reason: 'a part of the path is a file, not a folder', fix: 'Choose a path made of folders.' },
  EISDIR: { reason: 'it is a folder, where a file is needed', fix: 'Move the folder away, or choose another folder.' },
  EEXIST: { reason: 'something of that name already exists', fix: 'Move it away, or choose another folder.' },
  ELOOP: {
    reason: 'too many symbolic links (a link that points to itself?)',
    fix: 'Fix the link, or choose another folder.',
  },
  ENOENT: { reason: 'no such file or folder', fix: 'Check the path.' },
};

/** What a file-system error's code means, e.g. `permission denied (EACCES)`; else its code or message. */
export function fileSystemReason(error: unknown): string {
  const { code, message } = (error ?? {}) as NodeJS.ErrnoException;
  const cause = code ? CAUSES[code] : undefined;
  return cause ? `${cause.reason} (${code})` : (code ?? message ?? String(error));
}

/**
 * A file-system error turned into one line that names the path (as the user knows it), the cause and
 * the fix, e.g. `Cannot write /x/y: the file system is read-only (EROFS). Choose a folder on a writable disk.`
 * An error with another code is returned as it is: it is a bug to report, with its stack.
 */
export function fileSystemError(error: unknown, action: string, shownPath: string, note = ''): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const cause = code ? CAUSES[code] : undefined;
  if (!cause) return error instanceof Error ? error : new Error(String(error));
  return new UsageError(
    `Cannot ${action} ${printable(shownPath)}: ${cause.reason} (${code}).${note ? ` ${note}` : ''} ${cause.fix}`,
  );
}
