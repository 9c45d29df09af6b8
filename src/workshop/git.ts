import { execa } from 'execa';
import { GENERATOR_NAME } from '../plan.js';
import type { Ui } from '../ui.js';
import type { GitOutcome } from '../install/git.js';

/**
 * What initGit (src/install/git.ts) does for one project, for many starters of one folder: whether git is
 * there, the folder is inside a repository and git has an identity is asked once; then each starter costs
 * three git processes (init, add, commit) instead of six, which is most of a workshop's generation time.
 */
export async function starterGit(folder: string, ui: Ui): Promise<(dir: string) => Promise<GitOutcome>> {
  const git = (cwd: string, ...args: string[]) => execa('git', args, { cwd, reject: false, stdin: 'ignore' });
  const inside = await git(folder, 'rev-parse', '--is-inside-work-tree');
  if (inside.code === 'ENOENT') {
    ui.warn('git is not installed: the starters are not git repositories.');
    return async () => 'no-git';
  }
  const identity =
    (await git(folder, 'config', 'user.name')).exitCode === 0 &&
    (await git(folder, 'config', 'user.email')).exitCode === 0;
  if (!identity)
    ui.warn('git has no user.name/user.email: each starter is a repository with its files staged, but no commit.');
  return async (dir) => {
    // No template: the sample hooks git copies into every new repository are a third of its files.
    await git(dir, 'init', '--quiet', '--template=');
    await git(dir, 'add', '--all');
    if (!identity) return 'staged';
    const commit = await git(dir, 'commit', '--quiet', '--no-verify', '-m', `Initial commit from ${GENERATOR_NAME}`);
    // A starter an interrupted run had committed already has nothing new to commit.
    if (commit.exitCode !== 0 && (await git(dir, 'rev-parse', '--verify', '--quiet', 'HEAD')).exitCode === 0)
      return 'committed';
    if (commit.exitCode !== 0) {
      ui.warn(`git commit failed in ${dir}, its files are staged: ${commit.stderr.trim()}`);
      return 'staged';
    }
    return 'committed';
  };
}
