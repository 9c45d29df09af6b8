import { execa } from 'execa';
import type { PackageManager } from '../options/choices.js';
import { UsageError } from '../errors.js';
import type { Ui } from '../ui.js';

/** Installs the project's dependencies; on failure shows what the package manager printed. */
export async function installDependencies(projectDir: string, packageManager: PackageManager, ui: Ui): Promise<void> {
  const result = await ui.step(`Installing dependencies with ${packageManager}`, () =>
    execa(packageManager, ['install'], { cwd: projectDir, all: true, reject: false, stdin: 'ignore' }),
  );
  if (result.failed) {
    const output = String(result.all ?? '').trim().split('\n').slice(-30).join('\n');
    const reason = result.code === 'ENOENT' ? `${packageManager} is not installed or not on PATH` : `${packageManager} install failed`;
    throw new UsageError(`${reason}. The project is written; install it yourself with \`cd ${projectDir} && ${packageManager} install\`.${output ? `\n${output}` : ''}`);
  }
}
