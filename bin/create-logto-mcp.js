#!/usr/bin/env node
// Checked before loading the bundle, which may use what older Node versions lack.
const [major, minor] = process.versions.node.split('.').map(Number);
if (!(major === 20 ? minor >= 19 : major === 22 ? minor >= 12 : major > 22)) {
  console.error(`create-logto-mcp needs Node.js ^20.19 or >=22.12; this is ${process.version}.`);
  process.exit(1);
}
// Node >= 22.1 keeps V8's compiled code of dist/ between runs (in the OS temp folder); Node 20 has no such cache.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
await import('../dist/index.js');
