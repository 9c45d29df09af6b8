import { childEnv } from '../test/support/generated-project.js';

/**
 * The environment both CLIs are measured in: the tests' (childEnv) without NODE_EXTRA_CA_CERTS. With it set,
 * every Node start parses that file's certificates before it runs anything: on the machines this project is
 * built on, about 400 M instructions and 40–50 ms, more than either CLI's own work. A ratio measured with it
 * measures the file more than the CLIs, and a user without such a file sees the CLIs' own difference.
 */
export function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  const { NODE_EXTRA_CA_CERTS: _, ...env } = childEnv(extra);
  return env;
}

/** Said with the CLI figures when it applies. */
export const extraCaCertsNote =
  process.env.NODE_EXTRA_CA_CERTS === undefined
    ? undefined
    : "NODE_EXTRA_CA_CERTS is set here and left out of the CLIs' environment (see bench/cli-env.ts)";
