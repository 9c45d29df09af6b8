/**
 * A scripted user at a browser, for commands that print an authorization URL and wait on a loopback redirect
 * (`create-logto-mcp try`): it follows the URL through the Logto-like issuer's login and consent (cookies kept
 * between rounds, as a browser does) and then requests the redirect, so the command's own listener receives it.
 * Only loopback URLs are fetched.
 */
import { assertLoopback, CookieJar, followAuthorization } from './mcp-oauth-client.js';

export interface BrowserVisit {
  authorizationUrl: URL;
  callbackUrl: URL;
  /** What the command's listener answered the redirect with. */
  callbackStatus: number;
}

export class ScriptedUserAgent {
  readonly jar = new CookieJar();
  readonly visits: BrowserVisit[] = [];

  async visit(authorizationUrl: string): Promise<BrowserVisit> {
    const url = assertLoopback(authorizationUrl);
    const redirectUri = url.searchParams.get('redirect_uri');
    if (!redirectUri) throw new Error(`the authorization URL has no redirect_uri: ${url.href}`);
    const { callbackUrl } = await followAuthorization(url, redirectUri, this.jar);
    const response = await fetch(assertLoopback(callbackUrl), { redirect: 'manual' });
    await response.body?.cancel();
    const visit = { authorizationUrl: url, callbackUrl, callbackStatus: response.status };
    this.visits.push(visit);
    return visit;
  }
}

/** The lines of a child's output as they come, and a wait for the next one that matches (each line is matched once). */
export function lineWatcher(stream: NodeJS.ReadableStream) {
  const lines: string[] = [];
  let buffer = '';
  let consumed = 0;
  let wake = () => undefined as void;
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (buffer + chunk).split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts);
    wake();
  });
  return {
    lines,
    async next(match: (line: string) => boolean, timeoutMs = 60_000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = lines.findIndex((line, i) => i >= consumed && match(line));
        if (index >= 0) {
          consumed = index + 1;
          return lines[index]!;
        }
        if (Date.now() > deadline)
          throw new Error(`no matching line within ${timeoutMs} ms; got:\n${lines.join('\n')}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 500);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
  };
}
