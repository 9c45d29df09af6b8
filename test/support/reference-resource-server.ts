/**
 * A minimal MCP resource server that follows the contract of DESIGN.md §3, written directly on
 * node:http + jose + the SDK v1 stateless Streamable HTTP server transport.
 *
 * It exists to test the test fixtures (the Logto-like issuer, the headless OAuth clients and the
 * contract checks) independently of the generated template: if a contract check fails against
 * this server, the check is wrong; if it passes here and fails against the generated server,
 * the generated server is.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

import * as jose from 'jose';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { listenOnLoopback } from './ports.js';

export interface ReferenceServerOptions {
  issuer: string;
  /** Scopes a token must carry for MCP requests. */
  requiredScopes?: string[];
  /**
   * Scopes advertised in metadata and the 401 challenge besides the required ones (default
   * `openid profile email`, as the template). Never only resource scopes: oidc-provider (and so
   * Logto) answers `access_denied` when nothing requested can be granted.
   */
  baseScopes?: string[];
  /**
   * Deliberate misconfigurations, for doctor's tests: each changes one answer of the contract (§3) the way a
   * hand-written or misconfigured server gets it wrong.
   */
  misconfigure?: {
    /** The metadata's `resource`, from the server's origin (e.g. `${origin}/mcp/`, or with localhost). */
    resource?: (origin: string) => string;
    /** The metadata's `authorization_servers`. */
    authorizationServers?: string[];
    /** The metadata's `scopes_supported` (also the 401 challenge's scope; an empty list means none in the challenge). */
    scopes?: string[];
    /** No metadata at the root well-known URL (only the path-inserted one). */
    noRootMetadata?: boolean;
    /** CORS does not expose WWW-Authenticate. */
    hideWwwAuthenticate?: boolean;
    /** The 401 challenge names the metadata by a relative URL. */
    relativeResourceMetadata?: boolean;
  };
}

export interface ReferenceServer {
  url: string;
  resource: string;
  close(): Promise<void>;
}

const ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256'];

export async function startReferenceServer(options: ReferenceServerOptions): Promise<ReferenceServer> {
  const server = createServer();
  const origin = await listenOnLoopback(server);
  const resource = `${origin}/mcp`;
  const wrong = options.misconfigure ?? {};
  const advertisedResource = wrong.resource?.(origin) ?? resource;
  const prmUrl = wrong.relativeResourceMetadata
    ? '/.well-known/oauth-protected-resource/mcp'
    : `${origin}/.well-known/oauth-protected-resource/mcp`;
  const required = options.requiredScopes ?? [];
  const advertised = wrong.scopes ?? [
    ...new Set([...(options.baseScopes ?? ['openid', 'profile', 'email']), ...required]),
  ];

  const discovery = (await (await fetch(`${options.issuer}/.well-known/openid-configuration`)).json()) as {
    jwks_uri: string;
    issuer: string;
  };
  const jwks = jose.createRemoteJWKSet(new URL(discovery.jwks_uri));

  const challenge = (extra: Record<string, string> = {}, scope = advertised) =>
    'Bearer ' +
    Object.entries({ ...extra, ...(scope.length > 0 ? { scope: scope.join(' ') } : {}), resource_metadata: prmUrl })
      .map(([k, v]) => `${k}="${v.replace(/["\\]/g, '')}"`)
      .join(', ');

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return send(res, 200, { ok: true });
    if (
      path === '/.well-known/oauth-protected-resource/mcp' ||
      (path === '/.well-known/oauth-protected-resource' && !wrong.noRootMetadata)
    ) {
      const cors = {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'GET, OPTIONS',
        'access-control-allow-headers': '*',
      };
      if (req.method === 'OPTIONS') {
        res.writeHead(204, cors);
        return void res.end();
      }
      return send(
        res,
        200,
        {
          resource: advertisedResource,
          authorization_servers: wrong.authorizationServers ?? [options.issuer],
          scopes_supported: advertised,
          bearer_methods_supported: ['header'],
          resource_name: 'reference',
        },
        cors,
      );
    }
    if (path !== '/mcp') return send(res, 404, { error: 'not_found' });

    const requestOrigin = req.headers.origin;
    if (requestOrigin !== undefined && requestOrigin !== origin) return send(res, 403, { error: 'forbidden_origin' });

    const expose: Record<string, string> = wrong.hideWwwAuthenticate
      ? {}
      : { 'access-control-expose-headers': 'WWW-Authenticate' };
    const authorization = req.headers.authorization;
    if (!authorization?.startsWith('Bearer ')) {
      return send(res, 401, { error: 'unauthorized' }, { ...expose, 'www-authenticate': challenge() });
    }
    let payload: jose.JWTPayload;
    try {
      ({ payload } = await jose.jwtVerify(authorization.slice('Bearer '.length), jwks, {
        issuer: options.issuer,
        audience: resource,
        algorithms: ALGORITHMS,
        typ: 'at+jwt', // RFC 9068, as the generated server
        clockTolerance: 5,
      }));
      if (Array.isArray(payload.aud) && payload.aud.length !== 1) throw new Error('other audiences too');
    } catch {
      return send(
        res,
        401,
        { error: 'invalid_token' },
        { ...expose, 'www-authenticate': challenge({ error: 'invalid_token' }) },
      );
    }
    const granted = new Set(typeof payload.scope === 'string' ? payload.scope.split(' ') : []);
    if (!required.every((s) => granted.has(s))) {
      return send(
        res,
        403,
        { error: 'insufficient_scope' },
        { ...expose, 'www-authenticate': challenge({ error: 'insufficient_scope' }, required) },
      );
    }

    const mcp = new McpServer({ name: 'reference', version: '0.0.0' });
    mcp.registerTool('whoami', { description: 'Who the caller is' }, async () => {
      const identity = {
        sub: payload.sub,
        iss: payload.iss,
        aud: payload.aud,
        client_id: payload.client_id,
        scope: payload.scope,
      };
      return { content: [{ type: 'text', text: JSON.stringify(identity) }], structuredContent: identity };
    });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(req, res);
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { error: 'server_error' });
      else res.end();
    });
  });

  return {
    url: resource,
    resource,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
