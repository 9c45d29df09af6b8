// The tenant's custom access-token claims script (Logto Console > Custom JWT > Access token), which register
// uses to add the user's profile claims to this server's access tokens. A tenant has one such script, and
// other servers (other projects, or a script someone wrote by hand) may own parts of it. So register keeps
// its part as a block of its own, between marker lines that name the resource and this copy's
// registration key (its mark, as in ownership.ts), and composes the script from blocks:
//
//   // Composed by create-logto-mcp from blocks ...            <- fixed header
//   const createLogtoMcpClaims = [];
//   // >>> create-logto-mcp block: <label>                       <- one block per owner, verbatim between
//   createLogtoMcpClaims.push(async ({ token, context }) => ...);   its marker lines
//   // <<< create-logto-mcp block: <label>
//   const getCustomJwtClaims = async (payload) => { ... }        <- fixed footer: calls each block's
//                                                                   function in order, merges the objects
//
// A script that someone else wrote (not composed) becomes the first block, unchanged inside a function
// scope that returns its getCustomJwtClaims, so it keeps working (errors it throws, e.g. api.denyAccess(),
// still stop the token); when only that block is left, unregister puts the original text back as it was.
// Anything else (a composed script edited outside its blocks, a script without getCustomJwtClaims, one that
// does not compile) is not touched: the caller says so and goes on.
import { Script } from 'node:vm';

const LIST = 'createLogtoMcpClaims';
const HEADER = [
  '// Composed by create-logto-mcp from blocks, each between its ">>> create-logto-mcp block" and "<<<" lines.',
  '// Each block adds a function to the list; getCustomJwtClaims calls them in order and merges what they return.',
  '// Edit inside a block, or add a block of your own in the same form; register and unregister change only their own.',
  `const ${LIST} = [];`,
  '',
].join('\n');
const FOOTER = [
  'const getCustomJwtClaims = async (payload) => {',
  '  const claims = {};',
  `  for (const block of ${LIST}) {`,
  '    const result = await block(payload);',
  "    if (result && typeof result === 'object') Object.assign(claims, result);",
  '  }',
  '  return claims;',
  '};',
  '',
].join('\n');
const BEGIN = '// >>> create-logto-mcp block: ';
const END = '// <<< create-logto-mcp block: ';
const KEPT_LABEL = 'the script that was here before create-logto-mcp';
const KEPT_PREFIX = `${LIST}.push((() => {\n`;
const KEPT_SUFFIX = '\n;return getCustomJwtClaims;\n})());';

/** The profile claims the block adds, and the user fields of Logto's script context they come from. */
export const PROFILE_CLAIMS = { username: 'username', name: 'name', email: 'primaryEmail' } as const;

export interface Block {
  label: string;
  body: string;
}

export interface BlockMark {
  resource: string;
  key: string;
}

/** What a script is, for this module: composed of blocks, or refused with the reason (said to the user). */
export type ParsedScript = { ok: true; blocks: Block[] } | { ok: false; reason: string };

export function blockLabel({ resource, key }: BlockMark): string {
  return `profile claims for ${JSON.stringify(resource)}, registration ${key}`;
}

/** This server's block: username, name and email of the user, in access tokens whose audience is its resource only. */
export function profileClaimsBlock(mark: BlockMark): Block {
  const lines = Object.entries(PROFILE_CLAIMS).map(
    ([claim, field]) => `  if (user.${field}) claims.${claim} = user.${field};`,
  );
  const body = [
    `${LIST}.push(async ({ token, context }) => {`,
    `  // Only in access tokens for the MCP server ${JSON.stringify(mark.resource)}: other APIs of the tenant get nothing more.`,
    '  const audience = Array.isArray(token.aud) ? token.aud : [token.aud];',
    `  if (!audience.includes(${JSON.stringify(mark.resource)})) return {};`,
    '  const user = (context && context.user) || {};',
    '  const claims = {};',
    ...lines,
    '  return claims;',
    '});',
  ].join('\n');
  return { label: blockLabel(mark), body };
}

export function renderScript(blocks: Block[]): string {
  return HEADER + blocks.map(({ label, body }) => `${BEGIN}${label}\n${body}\n${END}${label}\n\n`).join('') + FOOTER;
}

/**
 * The blocks of the tenant's script: none for no script, one block wrapping a script someone else wrote,
 * or those of a composed one. Refused: a composed script that does not read back exactly as it renders
 * (edited outside its blocks), a foreign one that does not define getCustomJwtClaims or does not compile.
 */
export function parseScript(script: string | undefined): ParsedScript {
  if (script === undefined || script.trim() === '') return { ok: true, blocks: [] };
  if (!script.startsWith(HEADER.split('\n')[0]!)) return wrapForeign(script);
  if (!script.startsWith(HEADER) || !script.endsWith(FOOTER))
    return { ok: false, reason: 'its create-logto-mcp header or footer was changed' };
  const blocks: Block[] = [];
  let rest = script.slice(HEADER.length, script.length - FOOTER.length);
  while (rest !== '') {
    const firstLine = rest.slice(0, rest.indexOf('\n') + 1 || undefined);
    if (!firstLine.startsWith(BEGIN) || !firstLine.endsWith('\n'))
      return { ok: false, reason: 'it has text outside its create-logto-mcp blocks' };
    const label = firstLine.slice(BEGIN.length, -1);
    const end = `\n${END}${label}\n\n`;
    const at = rest.indexOf(end, firstLine.length);
    if (at < 0) return { ok: false, reason: `the block "${label}" has no end line` };
    const body = rest.slice(firstLine.length, at);
    if (body.includes(BEGIN) || body.includes(END))
      return { ok: false, reason: `the block "${label}" holds another block's marker line` };
    blocks.push({ label, body });
    rest = rest.slice(at + end.length);
  }
  if (renderScript(blocks) !== script)
    return { ok: false, reason: 'it does not read back as create-logto-mcp writes it' };
  return { ok: true, blocks };
}

function wrapForeign(script: string): ParsedScript {
  if (script.includes(BEGIN) || script.includes(END) || script.includes(LIST)) {
    return { ok: false, reason: 'it mentions create-logto-mcp blocks without being composed of them' };
  }
  if (!/(?:\bfunction\s*\*?\s*getCustomJwtClaims\b|\b(?:const|let|var)\s+getCustomJwtClaims\b)/.test(script)) {
    return {
      ok: false,
      reason: 'it does not define getCustomJwtClaims, so it cannot be kept working beside another block',
    };
  }
  const body = `${KEPT_PREFIX}${script}${KEPT_SUFFIX}`;
  if (!compiles(body)) return { ok: false, reason: 'it does not compile as JavaScript inside a function' };
  return { ok: true, blocks: [{ label: KEPT_LABEL, body }] };
}

/** Compiled only, never run: the script is the tenant's, not this CLI's to execute. */
function compiles(source: string): boolean {
  try {
    new Script(source);
    return true;
  } catch {
    return false;
  }
}

/**
 * The script to write for these blocks: undefined when nothing is left (the caller deletes it), the
 * original text when only the kept foreign script is left, else the composed script (checked to compile).
 */
export function scriptFor(blocks: Block[]): string | undefined {
  if (blocks.length === 0) return undefined;
  const only = blocks.length === 1 ? blocks[0]! : undefined;
  if (only?.label === KEPT_LABEL && only.body.startsWith(KEPT_PREFIX) && only.body.endsWith(KEPT_SUFFIX)) {
    return only.body.slice(KEPT_PREFIX.length, only.body.length - KEPT_SUFFIX.length);
  }
  const script = renderScript(blocks);
  if (!compiles(script)) throw new Error('the composed custom claims script does not compile');
  return script;
}

/** The blocks with this server's block in place of its old one (or added at the end). */
export function withBlock(blocks: Block[], block: Block): Block[] {
  const index = blocks.findIndex(({ label }) => label === block.label);
  if (index < 0) return [...blocks, block];
  return blocks.map((item, i) => (i === index ? block : item));
}

export function withoutBlock(blocks: Block[], label: string): Block[] {
  return blocks.filter((block) => block.label !== label);
}
