import { generatedPythonRequirements, generatedVersions, pythonRequirement } from '../versions.js';
import { dotenv, json, markdown, markdownCode, pythonString, shell, toml } from './encoders.js';

/**
 * The helpers templates call: the encoders (encoders.ts) by where a value lands, versions from versions.ts,
 * and two small expressions. Every argument is the last thing before a helper's options object, which
 * Handlebars, and the compiled templates (compile-template.ts), pass last.
 */
export const helpers = {
  json: (value: unknown) => json(value),
  env: (value: unknown) => dotenv(value),
  md: (value: unknown) => markdown(value),
  mdCode: (value: unknown) => markdownCode(value),
  shell: (value: unknown) => shell(value),
  py: (value: unknown) => pythonString(value),
  toml: (value: unknown) => toml(value),
  /** A pyproject.toml requirement, `"mcp>=2.3.0,<3"`, from src/versions.ts. */
  requirement(name: unknown) {
    const specifier = generatedPythonRequirements[name as keyof typeof generatedPythonRequirements];
    if (!specifier)
      throw new Error(`templates ask for the Python requirement ${String(name)}, which src/versions.ts does not list`);
    return toml(`${String(name)}${specifier}`);
  },
  requiresPython: () => toml(pythonRequirement.specifier),
  eq: (a: unknown, b: unknown) => a === b,
  /** `{{concat "src/" pythonModule}}`: the arguments joined (Handlebars passes its options object last). */
  concat: (...parts: unknown[]) => parts.slice(0, -1).map(String).join(''),
  version(name: unknown) {
    const range = generatedVersions[name as keyof typeof generatedVersions];
    if (!range)
      throw new Error(`templates ask for the version of ${String(name)}, which src/versions.ts does not list`);
    return json(range);
  },
};

export type TemplateHelpers = typeof helpers;
