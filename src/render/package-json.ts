// The generated package.json, from one fragment per layer (templates/<layer>/package.json.hbs, rendered).

/** Fields holding package name -> version range. */
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface PackageJsonFragment {
  /** Where it came from, e.g. `framework/express/package.json.hbs`, to name it in errors. */
  source: string;
  text: string;
}

/**
 * Merges the fragments in layer order: objects key by key (keys keep the place they first had), anything
 * else (strings, arrays) replaced by the later layer. Then every dependency map is sorted by name, as npm
 * writes it, so the output does not depend on which layer brought a package; and a package in
 * `dependencies` is dropped from `devDependencies` (one layer's test helper may need what another ships).
 */
export function mergePackageJson(fragments: PackageJsonFragment[]): string {
  let merged: JsonObject = {};
  for (const { source, text } of fragments) merged = mergeObjects(merged, parseFragment(source, text));
  const runtime = merged.dependencies;
  if (isObject(runtime) && isObject(merged.devDependencies)) {
    const dev = Object.entries(merged.devDependencies).filter(([name]) => !(name in runtime));
    merged.devDependencies = Object.fromEntries(dev);
  }
  for (const field of DEPENDENCY_FIELDS) {
    const map = merged[field];
    // Code-unit order, not localeCompare: the same on every machine, and no ICU collator to load (~12 ms a run).
    if (isObject(map))
      merged[field] = Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  return `${JSON.stringify(merged, null, 2)}\n`;
}

function parseFragment(source: string, text: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`templates/${source} does not render to JSON: ${(error as Error).message}`);
  }
  if (!isObject(value)) throw new Error(`templates/${source} must render to a JSON object`);
  return value;
}

function mergeObjects(earlier: JsonObject, later: JsonObject): JsonObject {
  const result: JsonObject = { ...earlier };
  for (const [key, value] of Object.entries(later)) {
    const previous = result[key];
    result[key] = isObject(previous) && isObject(value) ? mergeObjects(previous, value) : value;
  }
  return result;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
