// What `try` and `doctor` are pointed at: an MCP URL given on the command line, or the project in a folder
// (the current one by default), whose private .env names the URL and the app that register made.
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { CONFIG_FILE, readProject, type Project } from '../register/project.js';
import { parseMcpUrl } from './options.js';

export type McpTransport = 'streamable-http' | 'sse';

export interface Target {
  /** The MCP endpoint, as a client is given it. */
  url: string;
  /** How the URL was found, for messages. */
  urlSource: string;
  transport: McpTransport;
  /** The project, when there is one in the folder given (or the current one). */
  project?: Project;
}

/**
 * `[mcp-url]` is a URL (http:// or https://) or a project folder; without it the current folder is used when it
 * holds a project. A URL with a project in the current folder still uses that project's app.
 */
export async function resolveTarget(argument: string | undefined, { urlRequired = true } = {}): Promise<Target> {
  const isUrl = argument !== undefined && /^https?:\/\//i.test(argument);
  const dir = isUrl || argument === undefined ? '.' : argument;
  const hasProject = await isFile(path.join(dir, CONFIG_FILE));
  if (!hasProject && !isUrl && argument !== undefined) {
    throw new UsageError(
      `${path.resolve(dir)} is not a project made by create-logto-mcp (it has no ${CONFIG_FILE}); give the MCP server's URL instead.`,
    );
  }
  const project = hasProject ? await readProject(dir) : undefined;
  let url: string | undefined;
  let urlSource: string;
  if (isUrl) {
    url = checkedUrl(argument);
    urlSource = 'the command line';
  } else {
    url = project?.env.MCP_RESOURCE ? checkedUrl(project.env.MCP_RESOURCE) : undefined;
    urlSource = `MCP_RESOURCE in ${path.join(dir, '.env')}`;
  }
  if (url === undefined && urlRequired) {
    const why = project
      ? `the project has no MCP_RESOURCE in its .env${project.envNote ? ` (${project.envNote})` : ''}`
      : `there is no ${CONFIG_FILE} here`;
    throw new UsageError(
      `Which MCP server? Give its URL (e.g. http://localhost:3001/mcp) or a project folder: ${why}.`,
    );
  }
  return { url: url ?? '', urlSource, transport: transportFor(url, project), project };
}

/** The project's transport (logto-mcp.json), and for a server with both, the one its URL names. */
function transportFor(url: string | undefined, project: Project | undefined): McpTransport {
  const declared = project?.config.transport;
  if (declared === 'sse') return 'sse';
  if (declared === 'both' || declared === undefined)
    return url !== undefined && new URL(url).pathname.endsWith('/sse') ? 'sse' : 'streamable-http';
  return 'streamable-http';
}

function checkedUrl(raw: string): string {
  try {
    parseMcpUrl(raw);
  } catch (error) {
    throw new UsageError(`Invalid MCP server URL: ${(error as Error).message}`);
  }
  // Kept as given: the server's resource must equal it byte for byte, and doctor says so when it does not.
  return raw.trim();
}

async function isFile(file: string): Promise<boolean> {
  const stats = await lstat(file).catch(() => undefined);
  return Boolean(stats);
}
