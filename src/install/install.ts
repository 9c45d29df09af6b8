import type { PackageManager } from '../options/choices.js';
import { UsageError } from '../errors.js';
import { shell } from '../render/encoders.js';
import type { Ui } from '../ui.js';

/**
 * Installs the project's dependencies. A failure is returned, not thrown, so that the rest (git, the
 * summary) still happens; it carries the end of what the package manager printed.
 */
export async function installDependencies(
  projectDir: string,
  packageManager: PackageManager,
  ui: Ui,
): Promise<{ installed: boolean; error?: UsageError }> {
  const { execa } = await import('execa');
  const result = await ui.step(`Installing dependencies with ${packageManager}`, () =>
    execa(packageManager, ['install'], { cwd: projectDir, all: true, reject: false, stdin: 'ignore' }),
  );
  if (!result.failed) return { installed: true };
  const output = String(result.all ?? '')
    .trim()
    .split('\n')
    .slice(-30)
    .join('\n');
  const reason =
    result.code === 'ENOENT' ? `${packageManager} is not installed or not on PATH` : `${packageManager} install failed`;
  const retry = `cd ${shell(projectDir)} && ${packageManager} install`;
  return {
    installed: false,
    error: new UsageError(
      `${reason}. The project is written; install it yourself with \`${retry}\`.${output ? `\n${output}` : ''}`,
    ),
  };
}
