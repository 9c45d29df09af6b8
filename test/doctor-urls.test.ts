import { describe, expect, it } from 'vitest';
import { urlDifferences } from '../src/doctor/compare-urls.js';
import { discoveryUrls } from '../src/doctor/issuer-checks.js';
import { metadataUrl } from '../src/doctor/server-checks.js';
import { parseDuration } from '../src/try/duration.js';

describe('urlDifferences', () => {
  it('is empty only for the same string', () => {
    expect(urlDifferences('a', 'http://localhost:3001/mcp', 'b', 'http://localhost:3001/mcp')).toEqual([]);
  });

  it('names each differing part and which side has which', () => {
    expect(urlDifferences('the URL used', 'http://localhost:3001/mcp', 'Logto', 'https://127.0.0.1:3002/mcp/')).toEqual(
      [
        'scheme: the URL used has http, Logto has https',
        'host: the URL used has localhost, Logto has 127.0.0.1',
        'port: the URL used has 3001, Logto has 3002',
        'trailing slash: the URL used has no trailing slash, Logto has a trailing slash',
      ],
    );
    expect(urlDifferences('a', 'https://x.example/mcp', 'b', 'https://x.example/api')).toEqual([
      'path: a has /mcp, b has /api',
    ]);
  });

  it('names a spelling difference the parsed URLs hide (case, a default port written out)', () => {
    expect(urlDifferences('a', 'https://X.example/mcp', 'b', 'https://x.example/mcp')).toEqual([
      'spelling: a is "https://X.example/mcp", b is "https://x.example/mcp"',
    ]);
    expect(urlDifferences('a', 'https://x.example:443/mcp', 'b', 'https://x.example/mcp')[0]).toMatch(/^spelling/);
  });
});

describe('discovery and metadata URLs', () => {
  it('lists the discovery URLs in the order MCP SDK clients try them (DESIGN §4)', () => {
    expect(discoveryUrls('https://t.logto.app/oidc')).toEqual([
      'https://t.logto.app/.well-known/oauth-authorization-server/oidc',
      'https://t.logto.app/.well-known/openid-configuration/oidc',
      'https://t.logto.app/oidc/.well-known/openid-configuration',
    ]);
    expect(discoveryUrls('https://as.example')).toEqual([
      'https://as.example/.well-known/oauth-authorization-server',
      'https://as.example/.well-known/openid-configuration',
    ]);
  });

  it('inserts the resource path after the well-known prefix (RFC 9728 §3.1)', () => {
    expect(metadataUrl('http://localhost:3001/mcp')).toBe(
      'http://localhost:3001/.well-known/oauth-protected-resource/mcp',
    );
    expect(metadataUrl('https://x.example/')).toBe('https://x.example/.well-known/oauth-protected-resource');
  });
});

describe('try --timeout', () => {
  it('takes seconds, s or m, within 1s and 60m', () => {
    expect(parseDuration('300')).toBe(300_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('5m')).toBe(300_000);
    for (const bad of ['0', '61m', 'soon', '-5', '5h']) expect(() => parseDuration(bad)).toThrow(/not a duration/);
  });
});
