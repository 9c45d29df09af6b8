/**
 * The templates compiled at build time: scripts/build.mjs fills PRECOMPILED in the bundle with each template
 * compiled to a plain function (compile-template.ts), one module per language, so that a run loads neither
 * Handlebars nor another language's templates. From source there are none, and render.ts compiles each
 * template with Handlebars itself. Each compiled template carries the source it was compiled from, so a
 * template changed since the build is compiled, never served stale.
 */
import type { TemplateHelpers } from './helpers.js';
import type * as TemplateRuntime from './template-runtime.js';

/** Handlebars escapes for HTML; generated code is not HTML (see render/encoders.ts). */
export const COMPILE_OPTIONS = Object.freeze({ noEscape: true, strict: true });

export interface PrecompiledTemplate {
  /** What it was compiled from. (Compared whole: hashing each source in JavaScript took longer than that.) */
  source: string;
  render: (variables: object, helpers: TemplateHelpers, runtime: typeof TemplateRuntime) => string;
}

/** Keyed by the template's path under templates/ (`/` separators); Python's are under `python/`. */
export type PrecompiledTemplates = Record<string, PrecompiledTemplate>;

export const PRECOMPILED: Record<'python' | 'typescript', () => Promise<PrecompiledTemplates>> = {
  python: async () => ({}),
  typescript: async () => ({}),
};

export function templateLanguage(templatePath: string): keyof typeof PRECOMPILED {
  return templatePath.startsWith('python/') ? 'python' : 'typescript';
}

const loaded = new Map<string, Promise<PrecompiledTemplates>>(); // each import() call is a trip through Node's loader

/** The render function compiled at build time from this very source, if there is one. */
export async function precompiledRender(
  templatePath: string,
  source: string,
): Promise<PrecompiledTemplate['render'] | undefined> {
  const language = templateLanguage(templatePath);
  if (!loaded.has(language)) loaded.set(language, PRECOMPILED[language]());
  const compiled = (await loaded.get(language)!)[templatePath];
  return compiled?.source === source ? compiled.render : undefined;
}
