/**
 * The templates compiled at build time, keyed by templateKey() of their source: scripts/build.mjs
 * replaces this module in the bundle, so that a run loads Handlebars' runtime and not its compiler.
 * From source there are none, and render.ts compiles each template itself. A key is the source itself
 * with the compile options, so a template changed since the build is compiled, never stale. (Not a
 * hash of it: loading node:crypto for one would cost each run more than the bundle's longer keys do.)
 */

/** Handlebars escapes for HTML; generated code is not HTML (see render/encoders.ts). */
export const COMPILE_OPTIONS = Object.freeze({ noEscape: true, strict: true });

export function templateKey(source: string, options: object = COMPILE_OPTIONS): string {
  return `${JSON.stringify(options)}\0${source}`;
}

export const PRECOMPILED: Record<string, TemplateSpecification> = {};
