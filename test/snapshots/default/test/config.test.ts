import { describe, expect, it } from 'vitest';
import { loadConfig, parseToolScopes } from '../src/config.js';

const env = { LOGTO_ISSUER: 'https://abc123.logto.app/oidc', MCP_RESOURCE: 'http://localhost:3001/mcp' };

describe('loadConfig', () => {
  it('has safe defaults', () => {
    expect(loadConfig(env)).toMatchObject({
      issuer: env.LOGTO_ISSUER,
      resource: env.MCP_RESOURCE,
      mcpPath: '/mcp',
      requiredScopes: [],
      toolScopes: { whoami: [], greet: ['greet:write'] },
      signInScopes: ['openid', 'profile', 'email'],
      scopesSupported: ['openid', 'profile', 'email', 'greet:write'],
      port: 3001,
      host: '127.0.0.1',
      allowedOrigins: [],
      allowMachineTokens: false,
    });
  });

  it.each([
    [{ LOGTO_ISSUER: '' }, /LOGTO_ISSUER is required/],
    [{ MCP_RESOURCE: undefined }, /MCP_RESOURCE is required/],
    [{ MCP_RESOURCE: '/mcp' }, /MCP_RESOURCE must be an absolute URL/],
    [{ MCP_RESOURCE: 'http://localhost:3001/mcp#x' }, /MCP_RESOURCE must not have a query or fragment/],
    [{ MCP_REQUIRED_SCOPES: 'offline_access' }, /MCP_REQUIRED_SCOPES/],
    [{ PORT: 'http' }, /PORT must be a port number/],
    [{ MCP_ALLOWED_ORIGINS: 'https://app.example.com/path' }, /MCP_ALLOWED_ORIGINS/],
    // Signing keys fetched over plain HTTP could be swapped on the way.
    [{ LOGTO_ISSUER: 'http://abc123.logto.app/oidc' }, /LOGTO_ISSUER must be an https URL/],
    [{ LOGTO_ISSUER: 'http://192.168.1.5:3001/oidc' }, /LOGTO_ISSUER must be an https URL/],
    [
      { LOGTO_ISSUER: 'https://user:secret@abc123.logto.app/oidc' },
      /^LOGTO_ISSUER must not contain credentials \(user:password@\)$/,
    ],
    [
      { MCP_RESOURCE: 'http://user:secret@localhost:3001/mcp' },
      /^MCP_RESOURCE must not contain credentials \(user:password@\)$/,
    ],
    [{ MCP_ALLOW_MACHINE_TOKENS: 'yes' }, /MCP_ALLOW_MACHINE_TOKENS must be true or false/],
  ])('refuses %o, naming the variable', (override, message) => {
    expect(() => loadConfig({ ...env, ...override })).toThrow(message);
  });

  it('reads lists separated by spaces or commas', () => {
    const config = loadConfig({
      ...env,
      MCP_REQUIRED_SCOPES: 'read:whoami  write:notes',
      MCP_ALLOWED_ORIGINS: 'https://App.example.com/,http://localhost:5173',
    });
    expect(config.requiredScopes).toEqual(['read:whoami', 'write:notes']);
    expect(config.signInScopes).toEqual(['openid', 'profile', 'email', 'read:whoami', 'write:notes']);
    expect(config.scopesSupported).toEqual(['openid', 'profile', 'email', 'read:whoami', 'write:notes', 'greet:write']);
    expect(config.allowedOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
  });
});

describe('loadConfig, transport security and machine tokens', () => {
  it.each([
    'http://localhost:3001/oidc',
    'http://127.0.0.1:3001/oidc',
    'http://[::1]:3001/oidc',
    'https://auth.example.com/oidc',
  ])('accepts the issuer %s', (issuer) => {
    expect(loadConfig({ ...env, LOGTO_ISSUER: issuer }).issuer).toBe(issuer);
  });

  it('never repeats credentials found in a URL', () => {
    expect(() => loadConfig({ ...env, LOGTO_ISSUER: 'ftp://user:secret@abc123.logto.app/oidc' })).toThrow(
      /^(?!.*secret)/,
    );
  });

  it.each([
    ['true', true],
    [' TRUE ', true],
    ['false', false],
    ['', false],
  ])('reads MCP_ALLOW_MACHINE_TOKENS=%j as %s', (value, expected) => {
    expect(loadConfig({ ...env, MCP_ALLOW_MACHINE_TOKENS: value }).allowMachineTokens).toBe(expected);
  });
});

describe('tool-scopes.json', () => {
  it('lists every tool with the scopes it needs; a scope two tools need is supported once', () => {
    const config = loadConfig(
      env,
      parseToolScopes({ tools: { a: ['x:write', 'x:write'], b: ['x:write', 'y:read'], c: [] } }),
    );
    expect(config.toolScopes).toEqual({ a: ['x:write'], b: ['x:write', 'y:read'], c: [] });
    expect(config.scopesSupported).toEqual(['openid', 'profile', 'email', 'x:write', 'y:read']);
  });

  it.each([
    [[], /must be an object/],
    [{}, /must be an object/],
    [{ tools: [] }, /must be an object/],
    [{ tools: { greet: 'greet:write' } }, /the scopes of greet must be an array/],
    [{ tools: { 'bad name': [] } }, /is not a tool name/],
    [{ tools: { greet: ['two words'] } }, /is not a valid scope/],
    [{ tools: { greet: ['quote"d'] } }, /is not a valid scope/],
    [{ tools: { greet: [42] } }, /is not a valid scope/],
    [{ tools: { greet: ['email'] } }, /OpenID Connect scope/],
    [{ tools: { greet: ['offline_access'] } }, /OpenID Connect scope/],
  ])('refuses %j', (value, message) => {
    expect(() => parseToolScopes(value)).toThrow(message);
  });

  it('keeps a tool named __proto__ as a tool', () => {
    expect(Object.keys(parseToolScopes(JSON.parse('{"tools": {"__proto__": ["x:y"]}}')))).toEqual(['__proto__']);
  });
});
