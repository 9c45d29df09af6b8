import {
  packageManagers,
  type NodePackageManager,
  type PackageManager,
  type PythonPackageManager,
} from '../options/choices.js';
import { UsageError } from '../errors.js';
import { checkPython, installPythonProject } from './python.js';
import { printable } from '../printable.js';
import { shell } from '../render/encoders.js';
import type { Ui } from '../ui.js';

export interface InstallOutcome {
  installed: boolean;
  error?: UsageError;
}
export type Installer = (projectDir: string, ui: Ui) => Promise<InstallOutcome>;

/**
 * How projects are installed with the chosen package manager. What that needs beyond the package manager itself
 * (a new enough python3, uv when it is chosen) is checked now, so that it is said before anything is written.
 */
export async function prepareInstall(packageManager: PackageManager): Promise<Installer> {
  if (isPython(packageManager)) {
    const tools = await checkPython(packageManager);
    return (projectDir, ui) => installPythonProject(projectDir, ui, tools);
  }
  return (projectDir, ui) => installDependencies(projectDir, packageManager, ui);
}

function isPython(packageManager: PackageManager): packageManager is PythonPackageManager {
  return packageManagers.find((pm) => pm.value === packageManager)?.language === 'python';
}

/**
 * Installs a Node project's dependencies. A failure is returned, not thrown, so that the rest (git, the
 * summary) still happens; it carries the end of what the package manager printed.
 */
export async function installDependencies(
  projectDir: string,
  packageManager: NodePackageManager,
  ui: Ui,
): Promise<InstallOutcome> {
  const { execa } = await import('execa');
  const retry = `cd ${shell(projectDir)} && ${packageManager} install`;
  const child = execa(packageManager, ['install'], { cwd: projectDir, all: true, reject: false, stdin: 'ignore' });
  // Ctrl-C: the package manager is stopped, and the user told what is left, rather than a silent exit.
  const onSigint = () => {
    child.kill('SIGINT');
    ui.warn(
      `Interrupted while installing. The project is written in ${printable(projectDir)}; install it with \`${retry}\`.`,
    );
    process.exit(130);
  };
  process.once('SIGINT', onSigint);
  const result = await ui
    .step(`Installing dependencies with ${packageManager}`, async () => await child)
    .finally(() => process.off('SIGINT', onSigint));
  if (!result.failed) return { installed: true };
  const output = String(result.all ?? '')
    .trim()
    .split('\n')
    .slice(-30)
    .join('\n');
  const reason =
    result.code === 'ENOENT' ? `${packageManager} is not installed or not on PATH` : `${packageManager} install failed`;
  return {
    installed: false,
    error: new UsageError(
      `${reason}. The project is written; install it yourself with \`${retry}\`.${output ? `\n${output}` : ''}`,
    ),
  };
}
