import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { GitOutcome } from '../install/git.js';
import type { CreateOptions } from '../options/create-options.js';
import { planProject } from '../plan.js';
import { printable } from '../printable.js';
import { renderFiles, writeProject } from '../render/render.js';
import type { Ui } from '../ui.js';
import type { Attendee } from './manifest.js';
import { starterGit } from './git.js';
import type { StarterAnswers } from './options.js';

/** Starters written at once: each is mostly file writes and three git processes (git.ts). */
const CONCURRENCY = 4;

/** The create options of one attendee's starter: the workshop's answers, their folder, port and resource. */
export function starterOptions(folder: string, answers: StarterAnswers, attendee: Attendee): CreateOptions {
  return {
    ...answers,
    directory: path.join(folder, attendee.folder),
    port: attendee.port,
    resource: attendee.resource,
    install: false,
    register: false,
    force: false,
    skipIssuerCheck: true,
  };
}

/**
 * Writes each starter not yet generated, through the same planner and renderer as `create` (so they differ
 * only in what is per attendee: the package name, and with --distinct-ports the port and resource), each its
 * own git repository with a first commit. `onWriting` records that a starter is being written and
 * `onGenerated` that it is done, so an interrupted run leaves a manifest the next one completes.
 */
export async function generateStarters(
  folder: string,
  answers: StarterAnswers,
  attendees: Attendee[],
  ui: Ui,
  onWriting: () => Promise<void>,
  onGenerated: (attendee: Attendee, git: GitOutcome | 'skipped') => Promise<void>,
): Promise<void> {
  const pending = attendees.filter((attendee) => !attendee.generated);
  for (const attendee of pending) {
    const dir = path.join(folder, attendee.folder);
    if (!attendee.writing && (await lstat(dir).catch(() => undefined))) {
      throw new UsageError(
        `${printable(dir)} exists, but ${path.join(folder, 'workshop.json')} does not list it as generated: move it away, then run again. Nothing was written.`,
      );
    }
  }
  const initGit = answers.git && pending.length > 0 ? await starterGit(folder, ui) : undefined;
  let next = 0;
  const worker = async () => {
    while (next < pending.length) {
      const attendee = pending[next++]!;
      const plan = planProject(starterOptions(folder, answers, attendee));
      attendee.writing = true;
      await onWriting();
      // Into a folder an interrupted run left, the same files again: writeProject replaces files of the same name.
      await writeProject(plan.targetDir, await renderFiles(plan));
      const git = initGit ? await initGit(plan.targetDir) : 'skipped';
      await onGenerated(attendee, git);
    }
  };
  if (pending.length > 0) {
    await ui.step(`Writing ${pending.length} starter${pending.length === 1 ? '' : 's'}`, () =>
      Promise.all(Array.from({ length: Math.min(CONCURRENCY, pending.length) }, worker)),
    );
  }
}
