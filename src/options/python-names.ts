// How a project folder's name becomes a Python project's names: the distribution name (PEP 503/508), which is
// also the command `[project.scripts]` installs, and the import package under src/.

/**
 * The public top-level modules of Python 3.11's standard library (`sys.stdlib_module_names`): an import package
 * of the same name would shadow them. test/python-names.test.ts compares it with the local python3's.
 */
export const PYTHON_STDLIB_MODULES: ReadonlySet<string> = new Set(
  (
    'abc aifc antigravity argparse array ast asynchat asyncio asyncore atexit audioop base64 bdb binascii bisect ' +
    'builtins bz2 cProfile calendar cgi cgitb chunk cmath cmd code codecs codeop collections colorsys compileall ' +
    'concurrent configparser contextlib contextvars copy copyreg crypt csv ctypes curses dataclasses datetime dbm ' +
    'decimal difflib dis distutils doctest email encodings ensurepip enum errno faulthandler fcntl filecmp ' +
    'fileinput fnmatch fractions ftplib functools gc genericpath getopt getpass gettext glob graphlib grp gzip ' +
    'hashlib heapq hmac html http idlelib imaplib imghdr imp importlib inspect io ipaddress itertools json ' +
    'keyword lib2to3 linecache locale logging lzma mailbox mailcap marshal math mimetypes mmap modulefinder ' +
    'msilib msvcrt multiprocessing netrc nis nntplib nt ntpath nturl2path numbers opcode operator optparse os ' +
    'ossaudiodev pathlib pdb pickle pickletools pipes pkgutil platform plistlib poplib posix posixpath pprint ' +
    'profile pstats pty pwd py_compile pyclbr pydoc pydoc_data pyexpat queue quopri random re readline reprlib ' +
    'resource rlcompleter runpy sched secrets select selectors shelve shlex shutil signal site smtpd smtplib ' +
    'sndhdr socket socketserver spwd sqlite3 sre_compile sre_constants sre_parse ssl stat statistics string ' +
    'stringprep struct subprocess sunau symtable sys sysconfig syslog tabnanny tarfile telnetlib tempfile termios ' +
    'textwrap this threading time timeit tkinter token tokenize tomllib trace traceback tracemalloc tty turtle ' +
    'turtledemo types typing unicodedata unittest urllib uu uuid venv warnings wave weakref webbrowser winreg ' +
    'winsound wsgiref xdrlib xml xmlrpc zipapp zipfile zipimport zlib zoneinfo'
  ).split(' '),
);
/** Python's keywords (`keyword.kwlist`, lower-case ones): not usable as a module name. */
const PYTHON_KEYWORDS = new Set(
  'and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(
    ' ',
  ),
);
/** What the generated server imports: a package of the same name would shadow it. */
const PROJECT_IMPORTS = new Set([
  'mcp',
  'mcp_types',
  'starlette',
  'uvicorn',
  'jwt',
  'httpx',
  'anyio',
  'pydantic',
  'dotenv',
  'cryptography',
  'pytest',
  'tests',
]);

/**
 * The project's name as Python packaging normalises it (PEP 503: lower case, runs of `-_.` as one `-`), from the
 * folder's base name. Throws when nothing usable is left.
 */
export function pythonProjectName(baseName: string): string {
  const name = baseName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!name) throw new Error(`"${baseName}" cannot be a Python project name: it needs a letter or digit.`);
  return name;
}

/**
 * The import package under src/: the project name with `_` for `-`; prefixed with `mcp_` when it would start with a
 * digit, and suffixed with `_server` when it would be a keyword or shadow a module of the standard library or one
 * the server imports (a project named `json` or `mcp`).
 */
export function pythonModuleName(projectName: string): string {
  let module = projectName.replace(/-/g, '_');
  if (/^\d/.test(module)) module = `mcp_${module}`;
  if (PYTHON_KEYWORDS.has(module) || PYTHON_STDLIB_MODULES.has(module) || PROJECT_IMPORTS.has(module))
    module = `${module}_server`;
  return module;
}
