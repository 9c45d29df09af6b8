import { lstatSync, mkdtempSync, readdirSync, readlinkSync, rmdirSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { printable } from '../printable.js';
import { fileSystemError } from '../render/fs-errors.js';

/** NAME_MAX of the common file systems (ext4, APFS, NTFS): bytes in one file or folder name. */
const NAME_MAX = 255;
/** The prefix of the folder a project is written to before it is moved into place (see render.ts). */
export const STAGING_PREFIX = '.create-logto-mcp-creating-';

/**
 * Checks, before anything is asked or written, that a project can be written at `target` (absolute):
 * every name fits, the target is a folder (empty unless `force`) or can be made one, and a folder can
 * be created where the files will be staged. An existing folder, a mount point included, is written
 * into, never replaced. Throws an Error whose message names the path, the cause and the fix.
 */
export function checkTarget(target: string, force: boolean): void {
  for (const name of target.split(path.sep)) {
    const bytes = Buffer.byteLength(name);
    if (bytes > NAME_MAX) {
      throw new Error(
        `the name "${printable(name, 40)}" is ${bytes} bytes long; file systems allow at most ${NAME_MAX} bytes per name. Choose a shorter one.`,
      );
    }
  }
  const existing = entryAt(target);
  if (existing) {
    if (!existing.isDirectory()) throw new Error(`${printable(target)} exists and is not a folder.`);
    if (!force && entriesOf(target) > 0) {
      throw new Error(
        `${printable(target)} is not empty. Choose another folder, or pass --force to write into it (files of the same name are replaced).`,
      );
    }
    probeFolder(target);
    return;
  }
  // The folders that do not exist yet are created, in the nearest one that does.
  let ancestor = path.dirname(target);
  let ancestorEntry = entryAt(ancestor);
  while (!ancestorEntry) {
    ancestor = path.dirname(ancestor);
    ancestorEntry = entryAt(ancestor);
  }
  if (!ancestorEntry.isDirectory())
    throw new Error(`${printable(ancestor)} is a file, not a folder, so ${printable(target)} cannot be created in it.`);
  probeFolder(ancestor);
}

/** What is at `where` (following a symbolic link), or undefined when nothing is, or a part of the path is a file. */
function entryAt(where: string): Stats | undefined {
  try {
    return statSync(where);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw fileSystemError(error, 'use', where);
  }
  const link = (() => {
    try {
      return lstatSync(where);
    } catch {
      return undefined; // not there, as stat said
    }
  })();
  if (link?.isSymbolicLink()) {
    throw new Error(
      `${printable(where)} is a symbolic link to ${printable(readlinkSync(where))}, which does not exist. Remove the link, or create the folder it points to.`,
    );
  }
  return undefined;
}

function entriesOf(dir: string): number {
  try {
    return readdirSync(dir).length;
  } catch (error) {
    throw fileSystemError(error, 'read', dir);
  }
}

/** Creates and removes a folder in `dir`: the one sure test that the project's staging folder can be made there. */
function probeFolder(dir: string): void {
  try {
    rmdirSync(mkdtempSync(path.join(dir, STAGING_PREFIX)));
  } catch (error) {
    // /proc, for one, exists but answers ENOENT to any new name: "no such file" would mislead.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        `Cannot create folders in ${printable(dir)}: its file system does not take new entries (it answers ENOENT, as /proc does). Choose a folder on a writable disk.`,
      );
    }
    throw fileSystemError(error, 'create folders in', dir);
  }
}
