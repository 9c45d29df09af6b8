/**
 * What user text becomes in a Python project: the encoders for Python string literals and TOML strings, read back by
 * Python itself (ast.literal_eval, tomllib) for hostile and random values; the project and module names, with the
 * standard-library list compared with the local python3's.
 */
import { execFileSync } from 'node:child_process';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { PYTHON_STDLIB_MODULES, pythonModuleName, pythonProjectName } from '../src/options/python-names.js';
import { pythonString, toml } from '../src/render/encoders.js';

const HOSTILE = [
  'a"b\'c`${x}',
  '"""; import os; os.system("id"); """',
  "'''\\\n",
  '{__import__("os").system("id")}',
  'back\\slash \\x41 \\N{BULLET} \\u0041',
  'line\nbreak\r\u2028\u2029\u0085',
  '\u0000nul \u007f del \u202e bidi \ufeff bom',
  '# comment" = 1\n[table]\nkey = "x',
  'emoji 🐍 and 中文',
];

/** Runs python3 on `code` with the values as JSON on stdin; returns what it printed, as JSON. */
function python(code: string, values: unknown): unknown {
  return JSON.parse(execFileSync('python3', ['-c', code], { input: JSON.stringify(values), encoding: 'utf8' }));
}

describe('pythonString', () => {
  it('gives a literal that Python reads back as the same string, and nothing else', () => {
    const random = fc.sample(fc.string({ unit: 'grapheme' }), 200);
    const values = [...HOSTILE, ...random];
    const literals = values.map(pythonString);
    for (const literal of literals) expect(literal).toMatch(/^"[\x20-\x7e]*"$/);
    const read = python(
      'import ast, json, sys; print(json.dumps([ast.literal_eval(s) for s in json.load(sys.stdin)]))',
      literals,
    );
    expect(read).toEqual(values);
  });

  it('keeps a lone surrogate as an escape, which Python reads as that code point', () => {
    expect(pythonString('\ud800x')).toBe('"\\uD800x"');
  });
});

describe('toml', () => {
  it('gives a basic string that tomllib reads back as the same string', () => {
    const random = fc.sample(fc.string({ unit: 'grapheme' }), 200);
    const values = [...HOSTILE, ...random];
    const documents = values.map((value) => `name = ${toml(value)}\n`);
    const read = python(
      'import json, sys, tomllib; print(json.dumps([tomllib.loads(d)["name"] for d in json.load(sys.stdin)]))',
      documents,
    );
    expect(read).toEqual(values);
  });

  it('refuses a lone surrogate, which TOML cannot hold', () => {
    expect(() => toml('a\udc00')).toThrow(/lone surrogate/);
  });
});

describe('Python project names', () => {
  it('normalises the folder name as Python packaging does (PEP 503)', () => {
    expect(pythonProjectName('My_Server..2')).toBe('my-server-2');
    expect(pythonProjectName('a"b\'c`${x}')).toBe('a-b-c-x');
    expect(() => pythonProjectName('---')).toThrow(/needs a letter or digit/);
  });

  it('gives a module name that is an identifier and shadows nothing the server imports', () => {
    expect(pythonModuleName('my-server')).toBe('my_server');
    expect(pythonModuleName('2fa')).toBe('mcp_2fa');
    expect(pythonModuleName('json')).toBe('json_server');
    expect(pythonModuleName('mcp')).toBe('mcp_server');
    expect(pythonModuleName('class')).toBe('class_server');
  });

  it("lists the local python3's standard-library modules", () => {
    const local = python(
      'import json, sys; print(json.dumps(sorted(n for n in sys.stdlib_module_names if not n.startswith("_"))))',
      null,
    ) as string[];
    expect([...PYTHON_STDLIB_MODULES].sort()).toEqual(local.sort());
  });
});
