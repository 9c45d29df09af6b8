/**
 * What the templates compiled at build time (compile-template.ts) call at run time: Handlebars' semantics for
 * looking up, showing and testing a value, and for #each, for the values a ProjectPlan holds (strings,
 * numbers, booleans, arrays, plain objects). A value outside those (a function, an iterable that is not an
 * array) is refused rather than rendered differently from Handlebars.
 */

/**
 * One part of a name (`a` and `b` of `a.b`): an own property, else undefined, as Handlebars' lookupProperty
 * (which, in strict mode, also throws on a null or undefined parent: `a.b` with no `a`).
 */
export function lookup(parent: unknown, name: string): unknown {
  const value = (parent as Record<string, unknown>)[name];
  if (value === null || value === undefined) return value;
  return Object.hasOwn(Object(parent), name) ? value : undefined;
}

/** The last part of the name in `{{a.b}}` itself, in strict mode: a missing property is an error naming it. */
export function strictLookup(parent: unknown, name: string): unknown {
  // A primitive parent throws too, as `name in parent` does in Handlebars.
  if (!parent || (typeof parent !== 'object' && typeof parent !== 'function') || !(name in parent))
    throw new Error(`"${name}" not defined in ${String(parent)}`);
  return lookup(parent, name);
}

/** What `{{value}}` appends (with escaping off): nothing for null and undefined, else the value itself. */
export function show(value: unknown): unknown {
  refuseFunction(value);
  return value === null || value === undefined ? '' : value;
}

/** #if's test: false for falsy values (0 included) and empty arrays. */
export function truthy(value: unknown): boolean {
  refuseFunction(value);
  return Boolean(value) && !(Array.isArray(value) && value.length === 0);
}

/** #each over an array, with @index, @first, @last and @key; the inverse ({{else}}) when there is nothing to iterate. */
export function each(
  list: unknown,
  body: (item: unknown, data: { index: number; key: number; first: boolean; last: boolean }) => string,
  inverse: () => string,
): string {
  refuseFunction(list);
  if (Array.isArray(list)) {
    if (list.length === 0) return inverse();
    let out = '';
    for (let index = 0; index < list.length; index++) {
      if (index in list)
        out += body(list[index], { index, key: index, first: index === 0, last: index === list.length - 1 });
    }
    return out;
  }
  if (list !== null && typeof list === 'object') throw new Error('#each over something other than an array');
  return inverse();
}

function refuseFunction(value: unknown): void {
  if (typeof value === 'function') throw new Error('a template value is a function, which Handlebars would call');
}
