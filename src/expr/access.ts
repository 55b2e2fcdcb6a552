// Field and key access on nested values: structs arrive as plain objects, maps as plain objects or Map.

/** Reads a struct field or map key; NULL when the value has no such key. */
export function getKeyValue(v: unknown, key: unknown): unknown {
  if (v instanceof Map) return (v as Map<unknown, unknown>).get(key) ?? null;
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && (typeof key === 'string' || typeof key === 'number')) {
    return Object.prototype.hasOwnProperty.call(v, key) ? (v as Record<string, unknown>)[key] : null;
  }
  return null;
}
