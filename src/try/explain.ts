// One sentence for what went wrong, naming the likely cause and the next step.
import { printable } from '../printable.js';
import { messageOf } from '../errors.js';

/** An error the authorization server redirected back with (RFC 6749 §4.1.2.1). */
export function explainDenial(error: string, description: string | undefined, requestedScope: string): string {
  const said = `Logto refused the sign-in: ${printable(error, 100)}${description ? ` (${printable(description, 300)})` : ''}.`;
  switch (error) {
    case 'access_denied':
      if (requestedScope === '') {
        return (
          `${said} Nothing was requested: the server advertises no scope (neither in its 401 challenge nor in scopes_supported), ` +
          'and Logto denies a sign-in that requests none. Make the server advertise openid profile email; run doctor to check.'
        );
      }
      return (
        `${said} The user declined the consent screen or the sign-in, or nothing requested (${printable(requestedScope, 200)}) ` +
        "could be granted: the app must have the scopes among its consent scopes. Run doctor to check the app's consent scopes."
      );
    case 'invalid_scope':
      return `${said} A third-party app may request only the OpenID Connect scopes among its consent scopes; run register again, or doctor to see which.`;
    case 'invalid_target':
      return `${said} Logto has no API resource with exactly the server's resource indicator; run register (or doctor to compare the spellings).`;
    case 'invalid_request':
    case 'invalid_redirect_uri':
      return (
        `${said} The app's redirect URIs must allow http://127.0.0.1/callback: a Native app matches it on any port (register gives native apps that URI); ` +
        'for a Traditional or SPA app, register http://127.0.0.1:<port>/callback and pass --port <port>.'
      );
    default:
      return `${said} Run doctor to check the server's and the app's configuration.`;
  }
}

/** A failure before or after signing in that was not an authorization answer. */
export function explainFailure(error: unknown, url: string): string {
  const message = printable(messageOf(error), 400);
  const code = causeCode(error);
  if (code === 'ECONNREFUSED' || /ECONNREFUSED|fetch failed/.test(message)) {
    return `Nothing answers at ${url}: start the server first (npm run dev in the project), then run try again.`;
  }
  if (/resource/i.test(message) && /match|does not|not allowed|mismatch/i.test(message)) {
    return `The MCP client refused the server's metadata: ${message}. The resource it names must equal ${url} byte for byte; run doctor ${url}.`;
  }
  if (/issuer/i.test(message))
    return `The MCP client refused Logto's metadata: ${message}. Run doctor ${url} to compare the issuers.`;
  return `The MCP client failed: ${message}. Run doctor ${url} to check the configuration.`;
}

function causeCode(error: unknown): string | undefined {
  for (
    let current = error as { cause?: unknown; code?: unknown } | undefined, depth = 0;
    current && depth < 5;
    current = current.cause as typeof current, depth++
  ) {
    if (typeof current.code === 'string') return current.code;
  }
  return undefined;
}
