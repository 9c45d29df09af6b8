import { UsageError } from '../errors.js';
import { shell } from '../render/encoders.js';
import type { Ui } from '../ui.js';
import type { PythonPackageManager } from '../options/choices.js';
import { pythonRequirement } from '../versions.js';

export interface PythonTools {
  python: string;
  installer: PythonPackageManager;
}

/** The interpreter the project's virtual environment is made from. */
const PYTHON = 'python3';
const NEEDED = `Python ${pythonRequirement.minimum.join('.')} or later`;

/**
 * Checks, before anything is written, that `python3` is there and new enough for the project (`requires-python`),
 * and that uv runs when it is the installer. Throws a UsageError naming what is needed.
 */
export async function checkPython(installer: PythonPackageManager): Promise<PythonTools> {
  const { execa } = await import('execa');
  const probe = await execa(PYTHON, ['-c', 'import sys, venv, ensurepip; print("%d.%d.%d" % sys.version_info[:3])'], {
    reject: false,
    stdin: 'ignore',
  });
  if (probe.failed) {
    const why =
      probe.code === 'ENOENT'
        ? `${PYTHON} is not on PATH`
        : `${PYTHON} cannot make virtual environments (the venv and ensurepip modules)`;
    throw new UsageError(
      `${why}: the Python project needs ${NEEDED} to install. Install it, or pass --no-install; nothing was written.`,
    );
  }
  const version = String(probe.stdout).trim();
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [neededMajor, neededMinor] = pythonRequirement.minimum;
  if (major < neededMajor || (major === neededMajor && minor < neededMinor)) {
    throw new UsageError(
      `${PYTHON} is Python ${version}; the project needs ${NEEDED}. Install it, or pass --no-install; nothing was written.`,
    );
  }
  if (installer === 'uv') {
    const uv = await execa('uv', ['--version'], { reject: false, stdin: 'ignore' });
    if (uv.failed) {
      throw new UsageError(
        `${uv.code === 'ENOENT' ? 'uv is not on PATH' : 'uv --version failed'}: install uv (https://docs.astral.sh/uv/), or pass --package-manager pip or --no-install; nothing was written.`,
      );
    }
  }
  return { python: PYTHON, installer };
}

/**
 * Installs the project with its dev group into `.venv`: `uv sync` (it never downloads a Python of its own here), or
 * `python3 -m venv .venv` and pip. A failure is returned, not thrown, so that git and the summary
 * still happen; it carries the end of what the installer printed.
 */
export async function installPythonProject(
  projectDir: string,
  ui: Ui,
  tools: PythonTools,
): Promise<{ installed: boolean; error?: UsageError }> {
  const uv = tools.installer === 'uv';
  const steps: Array<[string, string[], string]> = uv
    ? [['uv', ['sync', '--python', tools.python], 'Installing dependencies into .venv with uv']]
    : [
        [tools.python, ['-m', 'venv', '.venv'], 'Creating .venv'],
        // --group needs pip 25.1
        ['.venv/bin/python', ['-m', 'pip', 'install', '--quiet', '--upgrade', 'pip>=25.1'], 'Updating pip in .venv'],
        [
          '.venv/bin/python',
          ['-m', 'pip', 'install', '--quiet', '--editable', '.', '--group', 'dev'],
          'Installing dependencies into .venv with pip',
        ],
      ];
  const { execa } = await import('execa');
  for (const [command, args, title] of steps) {
    const result = await ui.step(title, () =>
      execa(command, args, {
        cwd: projectDir,
        all: true,
        reject: false,
        stdin: 'ignore',
        env: { UV_PYTHON_DOWNLOADS: 'never', PIP_DISABLE_PIP_VERSION_CHECK: '1' },
      }),
    );
    if (result.failed) {
      const output = String(result.all ?? '')
        .trim()
        .split('\n')
        .slice(-30)
        .join('\n');
      const retry = `cd ${shell(projectDir)} && ${uv ? 'uv sync' : `${tools.python} -m venv .venv && .venv/bin/pip install -e . --group dev`}`;
      return {
        installed: false,
        error: new UsageError(
          `${command} ${args[0]} failed. The project is written; install it yourself with \`${retry}\`.${output ? `\n${output}` : ''}`,
        ),
      };
    }
  }
  return { installed: true };
}
