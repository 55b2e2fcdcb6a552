// Field and key access on nested values: structs arrive as plain objects, maps as objects from the
// key's text to the value (the value model's form) or as a JavaScript Map.

/** Reads a struct field or map key; NULL when the value has no such key. */
export function getKeyValue(v: unknown, key: unknown): unknown {
  if (v instanceof Map) return (v as Map<unknown, unknown>).get(key) ?? null;
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)) {
    const k = typeof key === 'string' || typeof key === 'number' ? key : typeof key === 'bigint' ? key.toString() : undefined;
    if (k === undefined) return null;
    return Object.prototype.hasOwnProperty.call(v, k) ? (v as Record<string, unknown>)[k] : null;
  }
  return null;
}
