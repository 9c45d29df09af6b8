// What a spec-following MCP client finds at the server before it signs in: the 401 challenge, the
// protected-resource metadata it points at (RFC 9728), and what that metadata says.
import { printable } from '../printable.js';
import type { McpTransport } from '../try/target.js';
import { fail, pass, skipped, warn, type Checklist } from './check.js';
import { urlDifferences } from './compare-urls.js';
import { request, said, type Answer } from './http.js';

export interface ServerFindings {
  /** authorization_servers[0] of the metadata, when it was read. */
  authorizationServer?: string;
  /** scopes_supported of the metadata. */
  scopes?: string[];
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'create-logto-mcp doctor', version: '0' },
  },
});

export async function checkServer(
  list: Checklist,
  url: string,
  transport: McpTransport,
  fetchFn?: typeof fetch,
): Promise<ServerFindings> {
  const origin = new URL(url).origin;
  const headers = { origin, accept: 'application/json, text/event-stream', 'content-type': 'application/json' };
  const unauthenticated =
    transport === 'sse'
      ? await request(url, { method: 'GET', headers: { origin, accept: 'text/event-stream' } }, fetchFn)
      : await request(url, { method: 'POST', headers, body: INITIALIZE }, fetchFn);
  const challengeUrl = checkChallenge(list, url, unauthenticated);

  const pathInserted = metadataUrl(url);
  const root = `${origin}/.well-known/oauth-protected-resource`;
  const inserted = await request(pathInserted, { headers: { origin } }, fetchFn);
  const atRoot = pathInserted === root ? inserted : await request(root, { headers: { origin } }, fetchFn);
  const title = 'Protected-resource metadata served';
  const served = (answer: Answer) => answer.status === 200 && answer.json !== undefined;
  if (served(inserted) && served(atRoot))
    list.add(pass('server.metadata.served', title, `at ${pathInserted} and ${root}`));
  else if (served(inserted) || served(atRoot)) {
    const [ok, missing] = served(inserted) ? [pathInserted, atRoot] : [root, inserted];
    list.add(
      warn(
        'server.metadata.served',
        title,
        `at ${ok}, but ${missing.url} answers ${said(missing)}`,
        `Serve the same metadata at ${missing.url} too: clients that were given only the origin, and older ones, look there.`,
      ),
    );
  } else {
    list.add(
      fail(
        'server.metadata.served',
        title,
        `${pathInserted} answers ${said(inserted)} and ${root} answers ${said(atRoot)}`,
        `Serve RFC 9728 metadata at ${pathInserted}: without it no MCP client finds where to sign in.`,
      ),
    );
  }

  if (challengeUrl !== undefined) {
    const title = "401 challenge's resource_metadata points at the metadata";
    if (challengeUrl === pathInserted || challengeUrl === root)
      list.add(pass('server.challenge.metadata', title, challengeUrl));
    else {
      const differences = urlDifferences('the challenge', challengeUrl, 'the metadata URL', pathInserted);
      list.add(
        fail(
          'server.challenge.metadata',
          title,
          differences.join('; '),
          `Put resource_metadata="${pathInserted}" in the 401 challenge.`,
        ),
      );
    }
  }

  const metadata = (served(inserted) ? inserted : served(atRoot) ? atRoot : undefined)?.json;
  if (!metadata) {
    for (const id of ['resource', 'authorization-servers', 'scopes', 'offline-access'])
      list.add(skipped(`server.metadata.${id}`, `Metadata ${id}`, 'no metadata was served'));
    return {};
  }
  return checkMetadata(list, url, metadata);
}

/** The path-inserted well-known URL of RFC 9728 §3.1: `/.well-known/oauth-protected-resource` + the resource's path. */
export function metadataUrl(url: string): string {
  const { origin, pathname } = new URL(url);
  return `${origin}/.well-known/oauth-protected-resource${pathname === '/' ? '' : pathname}`;
}

function checkChallenge(list: Checklist, url: string, answer: Answer): string | undefined {
  const title = 'Unauthenticated request gets 401 with resource_metadata';
  if (answer.status === 0) {
    list.add(
      fail(
        'server.challenge',
        title,
        `${url}: ${said(answer)}`,
        'Start the server (npm run dev in the project) and check the URL.',
      ),
    );
    return undefined;
  }
  const challenge = answer.headers.get('www-authenticate') ?? '';
  if (answer.status !== 401) {
    list.add(
      fail(
        'server.challenge',
        title,
        `${url} answers ${said(answer)} without a token`,
        'Require a bearer token on the MCP endpoint and answer 401 with a WWW-Authenticate challenge.',
      ),
    );
    return undefined;
  }
  const metadata = /resource_metadata="([^"]*)"/i.exec(challenge)?.[1];
  if (!/^bearer\b/i.test(challenge) || metadata === undefined) {
    list.add(
      fail(
        'server.challenge',
        title,
        `WWW-Authenticate: ${printable(challenge || '(none)')}`,
        'Answer with WWW-Authenticate: Bearer resource_metadata="<metadata URL>" (RFC 9728 §5.1).',
      ),
    );
    return undefined;
  }
  if (!/^https?:\/\//i.test(metadata)) {
    list.add(
      fail(
        'server.challenge',
        title,
        `resource_metadata="${printable(metadata)}" is not an absolute URL`,
        `Give the absolute URL: resource_metadata="${metadataUrl(url)}".`,
      ),
    );
    return undefined;
  }
  list.add(pass('server.challenge', title, `WWW-Authenticate: ${printable(challenge, 300)}`));

  const exposed = (answer.headers.get('access-control-expose-headers') ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase());
  const corsTitle = 'CORS exposes WWW-Authenticate';
  if (exposed.includes('www-authenticate') || exposed.includes('*'))
    list.add(
      pass(
        'server.cors',
        corsTitle,
        `Access-Control-Expose-Headers: ${answer.headers.get('access-control-expose-headers')}`,
      ),
    );
  else
    list.add(
      warn(
        'server.cors',
        corsTitle,
        'the 401 answer has no Access-Control-Expose-Headers naming it',
        'Expose WWW-Authenticate to browsers (Access-Control-Expose-Headers), or browser-based clients cannot see the challenge.',
      ),
    );
  return metadata;
}

function checkMetadata(list: Checklist, url: string, metadata: Record<string, unknown>): ServerFindings {
  const resource = typeof metadata.resource === 'string' ? metadata.resource : undefined;
  const resourceTitle = "Metadata's resource equals the URL used";
  if (resource === url) list.add(pass('server.metadata.resource', resourceTitle, url));
  else {
    const differences =
      resource === undefined
        ? ['the metadata has no resource']
        : urlDifferences('the URL used', url, 'the metadata', resource);
    list.add(
      fail(
        'server.metadata.resource',
        resourceTitle,
        differences.join('; '),
        `Give clients the URL the server names, or set MCP_RESOURCE to ${url} (and register that exact indicator in Logto): clients refuse any other spelling.`,
      ),
    );
  }

  const servers = Array.isArray(metadata.authorization_servers)
    ? metadata.authorization_servers.filter((s): s is string => typeof s === 'string')
    : [];
  const authorizationServer = servers[0];
  if (authorizationServer === undefined) {
    list.add(
      fail(
        'server.metadata.authorization-servers',
        'Metadata names the issuer',
        'authorization_servers is missing or empty',
        'List the Logto issuer (https://<tenant>.logto.app/oidc) in authorization_servers.',
      ),
    );
  } else {
    list.add(
      pass(
        'server.metadata.authorization-servers',
        'Metadata names the issuer',
        `authorization_servers[0] = ${printable(authorizationServer)}${servers.length > 1 ? ' (clients use only the first)' : ''}`,
      ),
    );
  }

  const scopes = Array.isArray(metadata.scopes_supported)
    ? metadata.scopes_supported.filter((s): s is string => typeof s === 'string')
    : [];
  if (scopes.length === 0) {
    list.add(
      fail(
        'server.metadata.scopes',
        'At least one scope advertised',
        'scopes_supported is empty: clients then request no scope, and Logto denies the sign-in (access_denied)',
        'Advertise openid profile email (and the required scopes) in scopes_supported and the 401 challenge.',
      ),
    );
  } else
    list.add(
      pass('server.metadata.scopes', 'At least one scope advertised', scopes.map((s) => printable(s, 80)).join(' ')),
    );

  if (scopes.includes('offline_access')) {
    list.add(
      warn(
        'server.metadata.offline-access',
        'offline_access not advertised',
        'scopes_supported lists offline_access',
        'Remove offline_access from scopes_supported (the MCP spec says SHOULD NOT; clients add it themselves when they can refresh).',
      ),
    );
  } else list.add(pass('server.metadata.offline-access', 'offline_access not advertised', 'not listed'));
  return { authorizationServer, scopes };
}
