// Every value a user typed reaches a generated file through one of these, chosen for where it lands.
// Handlebars runs with HTML escaping off (generated files are not HTML), so these are the only escaping.

/** A JSON value, which is also a valid JavaScript/TypeScript literal. */
export function json(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new Error(`cannot encode ${String(value)} as JSON`);
  // Valid in JSON but line terminators in pre-ES2019 JavaScript; escaping them costs nothing.
  return text.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * A .env value that Node's `process.loadEnvFile`/`util.parseEnv` and the dotenv package read back
 * unchanged. Single quotes are literal in both; when the value holds a single quote, another quote
 * style that it does not contain is used. Line breaks cannot be written safely and are refused.
 * A list is written space-separated.
 */
export function dotenv(value: unknown): string {
  const text = Array.isArray(value) ? value.join(' ') : String(value);
  if (/[\r\n\0]/.test(text)) throw new Error(`a .env value cannot contain a line break: ${json(text)}`);
  // Double quotes expand escapes such as \n, so they are only safe without a backslash.
  const quote = ["'", '"', '`'].find((q) => !text.includes(q) && (q !== '"' || !text.includes('\\')));
  if (!quote) throw new Error(`cannot write ${json(text)} to .env: it contains every quote character`);
  return `${quote}${text}${quote}`;
}

/** Inline Markdown text: every ASCII punctuation character is backslash-escaped (CommonMark §2.4), HTML is neutralised. */
export function markdown(value: unknown): string {
  return String(value)
    .replace(/[\r\n]+/g, ' ')
    .replace(/[!"#$%'()*+,\-./:;=?@[\\\]^_`{|}~]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** An inline Markdown code span: the fence is one backtick longer than any run inside (CommonMark §6.1). */
export function markdownCode(value: unknown): string {
  const text = String(value).replace(/[\r\n]+/g, ' ');
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || longestRun > 0 ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A POSIX shell word, single-quoted when it holds anything but safe characters. */
export function shell(value: unknown): string {
  const text = String(value);
  if (/^[\w@%+=:,./-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * A Python string literal (double-quoted): printable ASCII as it is, backslash and quote escaped, anything else as
 * `\xNN`, `\uNNNN` or `\UNNNNNNNN`, so no character of the value can end the literal, start an f-string field, or
 * reach the source file as a line break or an invisible character.
 */
export function pythonString(value: unknown): string {
  let out = '"';
  for (const char of String(value)) {
    const code = char.codePointAt(0)!;
    if (char === '\\' || char === '"') out += `\\${char}`;
    else if (code >= 0x20 && code < 0x7f) out += char;
    else if (code < 0x100) out += `\\x${hex(code, 2)}`;
    else if (code < 0x10000) out += `\\u${hex(code, 4)}`;
    else out += `\\U${hex(code, 8)}`;
  }
  return `${out}"`;
}

/**
 * A TOML basic string (TOML 1.0 §String): printable ASCII as it is, backslash and quote escaped, anything else as
 * `\uNNNN` or `\UNNNNNNNN`. A lone surrogate is no Unicode scalar value, which TOML cannot hold: refused.
 */
export function toml(value: unknown): string {
  let out = '"';
  for (const char of String(value)) {
    const code = char.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff)
      throw new Error(`cannot write ${json(String(value))} to TOML: it holds a lone surrogate`);
    if (char === '\\' || char === '"') out += `\\${char}`;
    else if (code >= 0x20 && code < 0x7f) out += char;
    else if (code < 0x10000) out += `\\u${hex(code, 4)}`;
    else out += `\\U${hex(code, 8)}`;
  }
  return `${out}"`;
}

function hex(code: number, digits: number): string {
  return code.toString(16).toUpperCase().padStart(digits, '0');
}
