/**
 * `npm run bench -- --instructions`: the CLI's runs counted in instructions under valgrind's callgrind, which
 * gives the same count for the same run whatever else the machine is doing (wall time here varies by a tenth
 * between runs). It counts the process's own instructions, not the kernel's: the files written cost time a
 * count does not show. Slow (about 15 s a run), so only with the flag, and only where valgrind is installed.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cliEnv } from './cli-env.js';

const run = promisify(execFile);

export async function valgrindMissing(): Promise<string | undefined> {
  try {
    await run('valgrind', ['--version'], { timeout: 10_000 });
    return undefined;
  } catch {
    return 'valgrind is not on PATH (Debian: apt-get install valgrind)';
  }
}

/** Instructions of `node <args>`, in millions: the median of `runs` counts. */
export async function countInstructions(args: (run: number) => string[], cwd: string, runs: number): Promise<number> {
  const counts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { stderr } = await run(
      'valgrind',
      // A fixed seed: V8's random hash seed otherwise moves a count by a few million between runs.
      ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, '--random-seed=12345', ...args(i)],
      { cwd, env: cliEnv(), timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
    );
    const collected = /Collected : (\d+)/.exec(stderr)?.[1];
    if (!collected) throw new Error(`callgrind printed no count:\n${stderr}`);
    counts.push(Number(collected) / 1e6);
  }
  return counts.sort((a, b) => a - b)[Math.floor(counts.length / 2)]!;
}
