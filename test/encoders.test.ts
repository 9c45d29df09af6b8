import fc from 'fast-check';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { dotenv, json, markdown, markdownCode, shell } from '../src/render/encoders.js';
import { execFileSync } from 'node:child_process';

const HOSTILE = [
  'a"b\'c`${process.exit(1)}',
  '</script><script>alert(1)</script>',
  '\\"; process.exit(1); //',
  '$(touch /tmp/pwned) `id` ${HOME}',
  'line\u2028separator\u2029paragraph',
  '# not a comment',
  'it\'s "quoted" `thrice`',
];
const singleLine = fc.string({ unit: 'binary' }).filter((s) => !/[\r\n\0]/.test(s));

describe('json', () => {
  it('gives a JavaScript literal that evaluates back to the same string', () => {
    for (const value of [...HOSTILE]) expect(new Function(`return ${json(value)};`)()).toBe(value);
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => new Function(`return ${json(value)};`)() === value),
    );
  });

  it('gives JSON that parses back to the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => JSON.stringify(JSON.parse(json(value))) === JSON.stringify(value)),
    );
  });
});

describe('dotenv', () => {
  it("round-trips through Node's .env parser", () => {
    const encodable = HOSTILE.filter((v) => !["'", '"', '`'].every((q) => v.includes(q)));
    expect(encodable.length).toBeGreaterThan(4);
    for (const value of encodable) {
      expect(parseEnv(`KEY=${dotenv(value)}\nNEXT=1\n`)).toEqual({ KEY: value, NEXT: '1' });
    }
    expect(() => dotenv('it\'s "quoted" `thrice`')).toThrow(/every quote character/);
    fc.assert(
      fc.property(singleLine, (value) => {
        let encoded: string;
        try {
          encoded = dotenv(value);
        } catch {
          // Refused only when the value holds all three quote characters.
          return ["'", '"', '`'].every((q) => value.includes(q));
        }
        expect(parseEnv(`KEY=${encoded}\nNEXT=1\n`)).toEqual({ KEY: value, NEXT: '1' });
      }),
    );
  });

  it('refuses line breaks instead of writing a second variable', () => {
    expect(() => dotenv('x\nLOGTO_ISSUER=https://evil.example')).toThrow(/line break/);
  });
});

describe('markdown', () => {
  it('leaves no active Markdown or HTML', () => {
    const out = markdown('[click](javascript:alert(1)) <img src=x onerror=alert(1)> *bold* `code`');
    expect(out).not.toMatch(/(?<!\\)[[\]()*`]/);
    expect(out).not.toContain('<');
  });

  it('makes a code span whose fence is longer than any backtick run inside', () => {
    expect(markdownCode('a ``b`` c')).toBe('``` a ``b`` c ```');
    expect(markdownCode('plain')).toBe('`plain`');
  });
});

describe('shell', () => {
  it('quotes so that a POSIX shell sees exactly one word with the same text', () => {
    for (const value of [...HOSTILE, 'simple/path-1.0', '']) {
      const echoed = execFileSync('sh', ['-c', `printf %s ${shell(value)}`], { encoding: 'utf8' });
      expect(echoed).toBe(value);
    }
  });
});
