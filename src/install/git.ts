import type { Ui } from '../ui.js';

export type GitOutcome = 'committed' | 'staged' | 'inside-repository' | 'no-git';

/**
 * `git init` and a first commit. Without a git identity the files are only staged (a commit would fail
 * or be made in someone else's name); inside an existing repository nothing is done.
 */
export async function initGit(projectDir: string, generator: string, ui: Ui): Promise<GitOutcome> {
  const { execa } = await import('execa');
  const git = (...args: string[]) => execa('git', args, { cwd: projectDir, reject: false, stdin: 'ignore' });
  const inside = await git('rev-parse', '--is-inside-work-tree');
  if (inside.code === 'ENOENT') {
    ui.warn('git is not installed: skipped creating a repository.');
    return 'no-git';
  }
  if (inside.exitCode === 0) return 'inside-repository';

  await git('init', '--quiet');
  await git('add', '--all');
  const name = await git('config', 'user.name');
  const email = await git('config', 'user.email');
  if (name.exitCode !== 0 || email.exitCode !== 0) {
    ui.warn('git has no user.name/user.email: initialised the repository and staged the files, but made no commit.');
    return 'staged';
  }
  const commit = await git('commit', '--quiet', '--no-verify', '-m', `Initial commit from ${generator}`);
  if (commit.exitCode !== 0) {
    ui.warn(`git commit failed, the files are staged: ${commit.stderr.trim()}`);
    return 'staged';
  }
  return 'committed';
}
