// DNS-rebinding and cross-site protection for the MCP endpoint (MCP transports spec: servers MUST validate Origin),
// and CORS. Framework-neutral: the framework layer sets the headers and sends the answer.
import { LOOPBACK } from './config.js';
import type { Config } from './config.js';
import type { Answer } from './http.js';

/** Host names the MCP endpoint answers to: the resource's own host (also when it is public) and loopback. */
export function allowedHosts(config: Config): string[] {
  return [...new Set([new URL(config.resource).hostname, ...LOOPBACK])];
}

/** A browser `Origin` is allowed when it is the resource's origin, a loopback origin (any port) or listed in MCP_ALLOWED_ORIGINS. */
export function isAllowedOrigin(origin: string, config: Config): boolean {
  const value = origin.toLowerCase();
  if (value === new URL(config.resource).origin || config.allowedOrigins.includes(value)) return true;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK.includes(url.hostname);
  } catch {
    return false;
  }
}

/** Headers to set on the response, and the answer when the request ends here (a refusal, a preflight). */
export interface Cors {
  headers: Record<string, string>;
  answer?: Answer;
}

export interface CorsRequest {
  method: string;
  origin: string | undefined;
  /** `Access-Control-Request-Headers`, in a preflight. */
  requestedHeaders: string | undefined;
}

/** CORS for public documents (the metadata): any origin may read them. */
export function openCors({ method, requestedHeaders }: CorsRequest): Cors {
  const headers: Record<string, string> = {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Methods': 'GET, OPTIONS',
  };
  if (method !== 'OPTIONS') return { headers };
  if (requestedHeaders) headers['Access-Control-Allow-Headers'] = requestedHeaders;
  return { headers, answer: { status: 204 } };
}

/** For an MCP endpoint: a foreign browser origin (DNS rebinding, cross-site calls) is refused with 403; an allowed one gets CORS. */
export function mcpCors({ method, origin, requestedHeaders }: CorsRequest, config: Config, methods: string[]): Cors {
  const headers: Record<string, string> = {
    'Access-Control-Expose-Headers': 'WWW-Authenticate, Mcp-Session-Id, Mcp-Protocol-Version',
  };
  if (origin === undefined) return { headers };
  if (!isAllowedOrigin(origin, config))
    return { headers, answer: { status: 403, body: { error: 'forbidden', error_description: 'Origin not allowed' } } };
  Object.assign(headers, { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' });
  if (method !== 'OPTIONS') return { headers };
  Object.assign(headers, {
    'Access-Control-Allow-Methods': methods.join(', '),
    'Access-Control-Allow-Headers': requestedHeaders ?? 'Authorization, Content-Type',
    'Access-Control-Max-Age': '600',
  });
  return { headers, answer: { status: 204 } };
}
