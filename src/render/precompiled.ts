/**
 * The templates compiled at build time: scripts/build.mjs fills PRECOMPILED in the bundle, so that a run loads
 * Handlebars' runtime and not its compiler, and only its own language's templates (a module each). From source
 * there are none, and render.ts compiles each template itself. Each compiled template carries the source it was
 * compiled from, so a template changed since the build is compiled, never served stale.
 */

/** Handlebars escapes for HTML; generated code is not HTML (see render/encoders.ts). */
export const COMPILE_OPTIONS = Object.freeze({ noEscape: true, strict: true });

export interface PrecompiledTemplate {
  /** What it was compiled from. (Compared whole: hashing each source in JavaScript took longer than that.) */
  source: string;
  spec: TemplateSpecification;
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

/** The spec compiled at build time from this very source, if there is one. */
export async function precompiledSpec(
  templatePath: string,
  source: string,
): Promise<TemplateSpecification | undefined> {
  const language = templateLanguage(templatePath);
  if (!loaded.has(language)) loaded.set(language, PRECOMPILED[language]());
  const compiled = (await loaded.get(language)!)[templatePath];
  return compiled?.source === source ? compiled.spec : undefined;
}
