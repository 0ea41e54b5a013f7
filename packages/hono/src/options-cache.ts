// Builds a client or receiver once per distinct options, so the function form `(c) => options`
// (edge secrets read per request) does not rebuild them on every request. The cache key holds
// only non-secret values and object identities; secrets are compared in place, never put in a key.

const identities = new WeakMap<object, number>();
let nextIdentity = 0;

function identity(value: object): number {
  let id = identities.get(value);
  if (id === undefined) {
    id = ++nextIdentity;
    identities.set(value, id);
  }
  return id;
}

function part(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object' || typeof value === 'function') return `#${identity(value)}`;
  return typeof value === 'string' ? JSON.stringify(value) : `${typeof value}:${String(value)}`;
}

interface Entry<V> {
  secrets: unknown[];
  value: V;
}

/**
 * Memoizes `build` by `fields` (plain values by value, functions and objects by identity) and
 * `secrets` (compared with `===`, kept only beside the built value). Holds at most `max` values.
 */
export function memoizeByOptions<O extends object, V>(
  fields: readonly (keyof O)[],
  secrets: readonly (keyof O)[],
  build: (options: O) => V,
  max = 32,
): (options: O) => V {
  const cache = new Map<string, Entry<V>>();
  return (options) => {
    let key = '';
    for (const f of fields) key += `${part(options[f])},`;
    const secretValues = secrets.map((s) => options[s]);
    let entry = cache.get(key);
    if (!entry || entry.secrets.some((s, i) => s !== secretValues[i])) {
      const value = build(options);
      if (!entry && cache.size >= max) cache.delete(cache.keys().next().value!);
      entry = { secrets: secretValues, value };
      cache.set(key, entry);
    }
    return entry.value;
  };
}
