/**
 * At build time (scripts/build.mjs), a template becomes a plain JavaScript function, so that a run does not
 * load Handlebars: its runtime, and the code of its precompiled templates, took a third of the instructions a
 * generation spends beyond create-vite's. Handlebars still parses each template (whitespace control
 * included) and is the reference: test/compile-template.test.ts renders every template both ways for every
 * variant. What our templates use is compiled: text, `{{value}}`, `{{helper arg (helper arg) "text"}}`,
 * `#if`/`#unless`/`#each` with `{{else}}`, `this` and `@index`/`@first`/`@last`/`@key`, with Handlebars'
 * `strict` and `noEscape` semantics (src/render/precompiled.ts); anything else is a build error naming the
 * template and line, so a template never renders differently from Handlebars.
 */
import Handlebars from 'handlebars';

/** What compiled code calls from src/render/template-runtime.ts, which it is given as its third argument. */
const RUNTIME_FUNCTIONS = ['each', 'lookup', 'show', 'strictLookup', 'truthy'] as const;

interface Scope {
  /** The JavaScript expression of the current context (`this`) and of the current @data. */
  context: string;
  data: string;
  depth: number;
}

const BLOCK_HELPERS = new Set(['if', 'unless', 'each']);
/** Handlebars' own helpers: `{{log}}` calls one there, where compiled code would look up a value. */
const HANDLEBARS_HELPERS = new Set([
  'blockHelperMissing',
  'each',
  'helperMissing',
  'if',
  'log',
  'lookup',
  'unless',
  'with',
]);

/**
 * `(root, h, runtime) => string` as JavaScript source, for a template's source: `h` holds the helpers, named by
 * `helperNames`, and `runtime` template-runtime.ts's functions.
 */
export function compileTemplate(source: string, templatePath: string, helperNames: readonly string[]): string {
  const known = new Set(helperNames);
  const refuse = (node: hbs.AST.Node, what: string): never => {
    throw new Error(
      `${templatePath}:${node.loc?.start.line ?? '?'}: ${what} is not supported by the compiled templates (src/render/compile-template.ts)`,
    );
  };

  const program = (node: hbs.AST.Program | undefined, scope: Scope): string => {
    if (!node) return '""';
    if (node.blockParams?.length) refuse(node, 'block parameters');
    return ['""', ...node.body.map((statement) => statementCode(statement, scope))].join(' + ');
  };

  const statementCode = (node: hbs.AST.Statement, scope: Scope): string => {
    switch (node.type) {
      case 'ContentStatement':
        return JSON.stringify((node as hbs.AST.ContentStatement).value);
      case 'CommentStatement':
        return '""';
      case 'MustacheStatement': {
        const mustache = node as hbs.AST.MustacheStatement;
        noHash(mustache);
        const path = mustache.path as hbs.AST.PathExpression;
        if (path.type !== 'PathExpression') refuse(node, 'a literal in place of a name');
        if (isSimpleName(path) && HANDLEBARS_HELPERS.has(path.parts[0]!))
          refuse(node, `{{${path.original}}}, one of Handlebars' own helpers,`);
        const isHelper = mustache.params.length > 0 || (isSimpleName(path) && known.has(path.parts[0]!));
        return `show(${isHelper ? helperCall(path, mustache.params, scope) : pathCode(path, scope, true)})`;
      }
      case 'BlockStatement':
        return blockCode(node as hbs.AST.BlockStatement, scope);
      default:
        return refuse(node, node.type);
    }
  };

  const blockCode = (block: hbs.AST.BlockStatement, scope: Scope): string => {
    noHash(block);
    const name = isSimpleName(block.path) ? block.path.parts[0]! : '';
    if (!BLOCK_HELPERS.has(name)) refuse(block, `the block {{#${block.path.original}}}`);
    if (block.params.length !== 1) refuse(block, `#${name} without exactly one argument`);
    const value = argumentCode(block.params[0]!, scope);
    if (name === 'each') {
      const depth = scope.depth + 1;
      const inner = { context: `item${depth}`, data: `data${depth}`, depth };
      return `each(${value}, (${inner.context}, ${inner.data}) => ${program(block.program, inner)}, () => ${program(block.inverse, scope)})`;
    }
    const [whenTrue, whenFalse] = name === 'if' ? [block.program, block.inverse] : [block.inverse, block.program];
    return `(truthy(${value}) ? ${program(whenTrue, scope)} : ${program(whenFalse, scope)})`;
  };

  const helperCall = (path: hbs.AST.PathExpression, params: hbs.AST.Expression[], scope: Scope): string => {
    const name = isSimpleName(path) ? path.parts[0]! : '';
    if (!known.has(name)) refuse(path, `the helper ${path.original} (src/render/helpers.ts has no such helper)`);
    // Handlebars also gives data and loc; our helpers use none of it (concat only drops it).
    const options = `{ name: ${JSON.stringify(name)}, hash: {} }`;
    return `h[${JSON.stringify(name)}](${[...params.map((param) => argumentCode(param, scope)), options].join(', ')})`;
  };

  const argumentCode = (node: hbs.AST.Expression, scope: Scope): string => {
    switch (node.type) {
      case 'PathExpression':
        return pathCode(node as hbs.AST.PathExpression, scope, false);
      case 'SubExpression': {
        const call = node as hbs.AST.SubExpression;
        noHash(call);
        return helperCall(call.path, call.params, scope);
      }
      case 'StringLiteral':
      case 'NumberLiteral':
      case 'BooleanLiteral':
        return JSON.stringify((node as hbs.AST.StringLiteral).value);
      case 'UndefinedLiteral':
        return 'undefined';
      case 'NullLiteral':
        return 'null';
      default:
        return refuse(node, node.type);
    }
  };

  /**
   * A name's value, as Handlebars' strict mode looks it up: each part an own property; the last one must exist
   * for `{{a.b}}` itself, while a helper's argument or a block's condition may be missing (undefined).
   */
  const pathCode = (path: hbs.AST.PathExpression, scope: Scope, strictLast: boolean): string => {
    if (path.depth > 0) refuse(path, `the parent context (${path.original})`);
    if (path.data && (scope.depth === 0 || !['index', 'key', 'first', 'last'].includes(path.parts[0]!)))
      refuse(path, `${path.original} outside #each, or other than @index, @key, @first or @last`);
    return path.parts.reduce(
      (code, part, index) =>
        `${index === path.parts.length - 1 && strictLast ? 'strictLookup' : 'lookup'}(${code}, ${JSON.stringify(part)})`,
      path.data ? scope.data : scope.context,
    );
  };

  const noHash = (node: { hash?: hbs.AST.Hash; loc: hbs.AST.SourceLocation }) => {
    if (node.hash?.pairs.length) refuse(node as hbs.AST.Node, 'a hash argument (name=value)');
  };

  const root: Scope = { context: 'root', data: 'undefined', depth: 0 };
  return `(root, h, { ${RUNTIME_FUNCTIONS.join(', ')} }) => ${program(Handlebars.parse(source), root)}`;
}

function isSimpleName(path: hbs.AST.PathExpression | hbs.AST.Expression): path is hbs.AST.PathExpression {
  const candidate = path as hbs.AST.PathExpression;
  return (
    candidate.type === 'PathExpression' &&
    !candidate.data &&
    candidate.depth === 0 &&
    candidate.parts.length === 1 &&
    !/^this\b|^\.\//.test(candidate.original)
  );
}
