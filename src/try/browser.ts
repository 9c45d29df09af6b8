import { spawn } from 'node:child_process';

/**
 * Opens `url` in the system browser, as `open`, `xdg-open` and `start` do; resolves false when none could be
 * started (no desktop, a container, SSH). The URL goes as one argument, never through a shell: Windows' `start`
 * runs under cmd, so there the URL's `&` are escaped for it.
 */
export function openBrowser(url: string): Promise<boolean> {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url.replace(/[&^|<>]/g, '^$&')]]
        : ['xdg-open', [url]];
  return new Promise((resolve) => {
    try {
      const child = spawn(command, args, {
        stdio: 'ignore',
        detached: true,
        windowsVerbatimArguments: process.platform === 'win32',
      });
      child.once('error', () => resolve(false));
      child.once('spawn', () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
}
