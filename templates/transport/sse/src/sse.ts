// The HTTP+SSE transport (MCP 2024-11-05; deprecated by later revisions, kept for clients that still speak it):
// `GET <stream>` opens an event stream, whose first event names `POST <messages>?sessionId=...`, where the client
// sends its JSON-RPC messages; the answers come back on the stream. The SDK v2 has no SSE server transport, so the
// stream is v1's SSEServerTransport (@modelcontextprotocol/sdk), driving the same v2 McpServer as the other transports.
import type { ServerResponse } from 'node:http';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import {
  bearerAuthChallengeResponse,
  isJSONRPCRequest,
  OAuthError,
  OAuthErrorCode,
} from '@modelcontextprotocol/server';
import type { AuthInfo, McpServer, ScopeChallengeHandler, Transport } from '@modelcontextprotocol/server';
import type { Config } from './config.js';
import type { McpEndpoint, McpRequest } from './http.js';
import { createMcpServer } from './server.js';

// Larger message bodies are answered 413.
const MAX_BODY_BYTES = 1024 * 1024;
/** Read when the endpoints are created (tests lower them). */
export const SESSION_LIMITS = {
  /** Open streams at most; more are answered 503. */
  maxSessions: 1000,
  /** ms: a stream no message was posted to for this long is closed. */
  idleMs: 10 * 60 * 1000,
};

/** The SDK v1 transport, also taking the scope-challenge resolver McpServer.connect() hands transports that ask for it. */
class SseTransport extends SSEServerTransport {
  scopeChallenge: ScopeChallengeHandler | undefined;
  setScopeChallengeResolver(resolver: ScopeChallengeHandler): void {
    this.scopeChallenge = resolver;
  }
}

interface Session {
  transport: SseTransport;
  server: McpServer;
  /** Who opened the stream: only the same user through the same client may post to it. */
  owner: string;
  idle: NodeJS.Timeout;
}

/** The event stream at `streamPath`, and the messages endpoint next to it (`/sse` -> `/messages`). */
export function sseEndpoints(config: Config, streamPath: string): McpEndpoint[] {
  const limits = { ...SESSION_LIMITS };
  const messagesPath = new URL('messages', new URL(streamPath || '/', 'http://x')).pathname;
  if (messagesPath === streamPath)
    throw new Error(`MCP_RESOURCE: the SSE stream cannot be at ${messagesPath}, where its messages are posted`);
  const sessions = new Map<string, Session>();

  const forget = (id: string) => {
    const session = sessions.get(id);
    if (!session) return;
    sessions.delete(id);
    clearTimeout(session.idle);
    void session.server.close().catch(() => undefined);
  };
  const closeWhenIdle = (id: string) =>
    setTimeout(() => {
      void sessions.get(id)?.transport.close();
      forget(id);
    }, limits.idleMs).unref();

  async function openStream(req: McpRequest, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET')
      return send(res, 405, 'method_not_allowed', `${req.method} is not allowed here`, { Allow: 'GET' });
    if (sessions.size >= limits.maxSessions)
      return send(res, 503, 'temporarily_unavailable', 'Too many open sessions', { 'Retry-After': '30' });
    const transport = new SseTransport(messagesPath, res);
    const server = createMcpServer(config);
    const id = transport.sessionId;
    sessions.set(id, { transport, server, owner: ownerOf(req.auth), idle: closeWhenIdle(id) });
    // A closed stream frees its session at once (the SDK answers 500 to posts for a session it still holds).
    res.on('close', () => forget(id));
    server.server.onerror = (error) => console.error('MCP error:', error.message);
    await server.connect(transport as unknown as Transport);
  }

  async function postMessage(req: McpRequest, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST')
      return send(res, 405, 'method_not_allowed', `${req.method} is not allowed here`, { Allow: 'POST' });
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES)
      return send(res, 413, 'invalid_request', 'The message is too large');
    const id = new URL(req.url ?? '/', 'http://x').searchParams.get('sessionId') ?? '';
    const session = sessions.get(id);
    // Another user's or client's session is answered as an unknown one: nothing tells it exists.
    if (!session || session.owner !== ownerOf(req.auth)) return send(res, 404, 'not_found', 'No such session');
    const body = await readBody(req);
    if (body === undefined) return send(res, 413, 'invalid_request', 'The message is too large');
    let message: unknown;
    try {
      message = JSON.parse(body);
    } catch {
      return send(res, 400, 'invalid_request', 'The message is not JSON');
    }
    clearTimeout(session.idle);
    session.idle = closeWhenIdle(id);
    // Per-tool scopes (tool-scopes.json): the same 403 step-up challenge as the Streamable HTTP transport, before dispatch.
    const challenge = isJSONRPCRequest(message)
      ? await session.transport.scopeChallenge?.({ request: message, ...(req.auth && { authInfo: req.auth }) })
      : undefined;
    if (challenge) {
      const refusal = bearerAuthChallengeResponse(
        new OAuthError(OAuthErrorCode.InsufficientScope, challenge.errorDescription ?? 'Insufficient scope'),
        {
          requiredScopes: [...challenge.scopes],
          resourceMetadataUrl: req.auth?.resourceMetadataUrl,
        },
      );
      res.writeHead(refusal.status, Object.fromEntries(refusal.headers));
      res.end(await refusal.text());
      return;
    }
    await session.transport.handlePostMessage(
      req as Parameters<SSEServerTransport['handlePostMessage']>[0],
      res,
      message,
    );
  }

  return [
    { path: streamPath, methods: ['GET', 'OPTIONS'], handle: openStream },
    { path: messagesPath, methods: ['POST', 'OPTIONS'], handle: postMessage },
  ];
}

/** The user (`sub`) and the client (`client_id`) the token stands for. */
function ownerOf(authInfo: AuthInfo | undefined): string {
  const claims = (authInfo?.extra?.claims ?? {}) as { sub?: unknown };
  return JSON.stringify([String(claims.sub ?? ''), authInfo?.clientId ?? '']);
}

/** The body as text, or undefined when it is larger than MAX_BODY_BYTES (the rest is not read: the connection closes after the answer). */
function readBody(req: McpRequest): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
      req.off('data', onData).off('end', onEnd).pause();
      resolve(undefined);
    };
    const onEnd = () => resolve(Buffer.concat(chunks).toString('utf8'));
    req.on('data', onData).on('end', onEnd).once('error', reject);
  });
}

function send(
  res: ServerResponse,
  status: number,
  error: string,
  description: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ error, error_description: description }));
}
