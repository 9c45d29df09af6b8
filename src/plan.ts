import type { CreateOptions } from './options/create-options.js';
import { projectNameFor } from './options/create-options.js';
import { pythonModuleName } from './options/python-names.js';
import path from 'node:path';
import { endpointUrls, transportLayers, type NodePackageManager, type Transport } from './options/choices.js';

export const GENERATOR_NAME = 'create-logto-mcp';
declare const __CLI_VERSION__: string | undefined;
/** Set by the bundler from package.json; '0.0.0-dev' when run from source. */
export const GENERATOR_VERSION = typeof __CLI_VERSION__ === 'string' ? __CLI_VERSION__ : '0.0.0-dev';

/** What the templates see. Strings a user typed must go through an encoding helper (see render/encoders.ts). */
export interface TemplateVariables {
  /** The npm package name, or for Python the project (distribution) name, which is also its command. */
  projectName: string;
  language: string;
  /** Python only: the import package under src/ (the `__module__` folder of templates/python). */
  pythonModule: string;
  issuer: string;
  resource: string;
  port: number;
  /** The address the server binds: the loopback address the resource names, else 127.0.0.1. */
  host: string;
  requiredScopes: string[];
  framework: string;
  transport: string;
  /** The URL clients of each transport the server speaks connect to (one of them is `resource`). */
  streamableHttpUrl: string | undefined;
  sseUrl: string | undefined;
  /** Where SSE clients post their messages (`/messages`, next to the stream). */
  sseMessagesPath: string | undefined;
  /** The URL to give MCP clients: the Streamable HTTP endpoint's when there is one. */
  clientUrl: string;
  verifier: string;
  generatorName: string;
  generatorVersion: string;
  packageManager: string;
  /** How to run a package script with the chosen package manager, e.g. `npm run` (TypeScript only). */
  run: string;
}

export interface ProjectPlan {
  targetDir: string;
  /**
   * Template folders under templates/, applied in order (see templates/README.md): a later one replaces a
   * file of the same path, except package.json, whose fragments are merged.
   */
  layers: string[];
  variables: TemplateVariables;
}

const RUN_SCRIPT: Record<NodePackageManager, string> = { npm: 'npm run', pnpm: 'pnpm', yarn: 'yarn', bun: 'bun run' };

/** Decides what to generate; pure, so it is tested without touching the disk. */
export function planProject(options: CreateOptions, cwd = process.cwd()): ProjectPlan {
  const projectName = projectNameFor(options.directory, options.language);
  return {
    targetDir: path.resolve(cwd, options.directory),
    layers: templateLayers(options),
    variables: {
      ...endpointVariables(options.transport, options.resource),
      projectName,
      language: options.language,
      pythonModule: options.language === 'python' ? pythonModuleName(projectName) : '',
      issuer: options.issuer,
      resource: options.resource,
      port: options.port,
      host: new URL(options.resource).hostname === '[::1]' ? '::1' : '127.0.0.1',
      requiredScopes: options.scopes,
      framework: options.framework,
      transport: options.transport,
      verifier: options.verifier,
      generatorName: GENERATOR_NAME,
      generatorVersion: GENERATOR_VERSION,
      packageManager: options.packageManager,
      run: options.packageManager in RUN_SCRIPT ? RUN_SCRIPT[options.packageManager as NodePackageManager] : '',
    },
  };
}

function endpointVariables(transport: Transport, resource: string) {
  const { streamableHttp, sse, sseMessagesPath } = endpointUrls(transport, resource);
  return {
    streamableHttpUrl: streamableHttp,
    sseUrl: sse,
    sseMessagesPath,
    clientUrl: streamableHttp ?? sse ?? resource,
  };
}

/**
 * The template layers (templates/README.md), TypeScript's at the top of templates/ and Python's under templates/python/:
 * `--transport both` takes both transport modules, and the endpoints layer says where each is served.
 */
function templateLayers(options: CreateOptions): string[] {
  const root = options.language === 'python' ? 'python/' : '';
  return [
    'base',
    ...transportLayers[options.transport].map((layer) => `transport/${layer}`),
    `endpoints/${options.transport}`,
    `framework/${options.framework}`,
    `verifier/${options.verifier}`,
  ].map((layer) => `${root}${layer}`);
}
