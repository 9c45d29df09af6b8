// DNS-rebinding and cross-site protection for the MCP endpoint (MCP transports spec: servers MUST validate Origin).
import { LOOPBACK } from './config.js';
import type { Config } from './config.js';

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
