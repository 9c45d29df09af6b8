import { printable } from '../printable.js';

/**
 * How two spellings of a URL differ, part by part, naming which side has which: MCP clients and Logto compare
 * resources and issuers as strings, so `http://localhost:3001/mcp` and `http://127.0.0.1:3001/mcp/` are three
 * differences, not one URL. Empty when they are equal byte for byte.
 */
export function urlDifferences(leftName: string, left: string, rightName: string, right: string): string[] {
  if (left === right) return [];
  if (!URL.canParse(left) || !URL.canParse(right))
    return [`${leftName} is "${printable(left)}", ${rightName} is "${printable(right)}"`];
  const a = new URL(left);
  const b = new URL(right);
  const differences: string[] = [];
  const part = (what: string, x: string, y: string) => {
    if (x !== y) differences.push(`${what}: ${leftName} has ${x || '(none)'}, ${rightName} has ${y || '(none)'}`);
  };
  part('scheme', a.protocol.replace(':', ''), b.protocol.replace(':', ''));
  part('host', a.hostname, b.hostname);
  part('port', a.port || `(default)`, b.port || `(default)`);
  const trim = (path: string) => (path.length > 1 ? path.replace(/\/+$/, '') : path);
  if (trim(a.pathname) !== trim(b.pathname)) part('path', a.pathname, b.pathname);
  else if (a.pathname !== b.pathname) {
    const slash = (url: URL) => (url.pathname.endsWith('/') ? 'a trailing slash' : 'no trailing slash');
    differences.push(`trailing slash: ${leftName} has ${slash(a)}, ${rightName} has ${slash(b)}`);
  }
  // The raw strings can differ where the parsed URLs agree (case, a default port written out, `/` added by URL).
  if (differences.length === 0)
    differences.push(`spelling: ${leftName} is "${printable(left)}", ${rightName} is "${printable(right)}"`);
  return differences;
}
