import type { Choice } from './define.js';

// The variants the generator knows, as data: flags, prompts, help and validation derive from these.

export const frameworks = [
  { value: 'express', label: 'Express', hint: 'Express 5 with the official MCP SDK adapter' },
  { value: 'hono', label: 'Hono', hint: 'Hono 4 on Node (@hono/node-server)' },
] as const satisfies readonly Choice[];

export const transports = [
  { value: 'streamable-http', label: 'Streamable HTTP', hint: 'the current MCP transport (POST /mcp)' },
] as const satisfies readonly Choice[];

export const verifiers = [
  {
    value: 'jwt',
    label: 'JWT (verify locally with JWKS)',
    hint: "checks signature, issuer, audience and expiry against Logto's keys; no call to Logto per request",
  },
] as const satisfies readonly Choice[];

export const packageManagers = [
  { value: 'npm', label: 'npm' },
  { value: 'pnpm', label: 'pnpm' },
  { value: 'yarn', label: 'yarn' },
  { value: 'bun', label: 'bun' },
] as const satisfies readonly Choice[];

export type Framework = (typeof frameworks)[number]['value'];
export type Transport = (typeof transports)[number]['value'];
export type Verifier = (typeof verifiers)[number]['value'];
export type PackageManager = (typeof packageManagers)[number]['value'];
