/**
 * The templates compiled at build time, keyed by templateKey() of their source: scripts/build.mjs
 * replaces this module in the bundle, so that a run loads Handlebars' runtime and not its compiler.
 * From source there are none, and render.ts compiles each template itself. A key is a hash of the
 * source and the compile options, so a template changed since the build is compiled, never stale.
 */
import { createHash } from 'node:crypto';

/** Handlebars escapes for HTML; generated code is not HTML (see render/encoders.ts). */
export const COMPILE_OPTIONS = Object.freeze({ noEscape: true, strict: true });

export function templateKey(source: string, options: object = COMPILE_OPTIONS): string {
  return createHash('sha256').update(JSON.stringify(options)).update('\0').update(source).digest('base64url');
}

export const PRECOMPILED: Record<string, TemplateSpecification> = {};
