// Column names are data: `__proto__`, `constructor` or `toString` are ordinary columns. A plain
// object treats them specially (assigning `__proto__` replaces the prototype and stores nothing;
// reading `constructor` from a row that lacks it gives Object), so code that builds or reads rows
// by a computed name goes through these helpers.

/** Whether a plain object would not hold `name` as an ordinary data key (an inherited member). */
export function isPrototypeName(name: string): boolean {
  return name in Object.prototype;
}

/** `obj[key] = value` that defines an own property for every key, `__proto__` included. */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

/** `obj[key]` when `obj` holds it itself; undefined for what it merely inherits. */
export function getOwn(obj: object, key: string): unknown {
  return Object.hasOwn(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
}

/** A reader of one column compiled once: a plain property read unless the name is inherited. */
export function ownGetter(key: string): (obj: Readonly<Record<string, unknown>>) => unknown {
  if (!isPrototypeName(key)) return (obj) => obj[key];
  return (obj) => (Object.hasOwn(obj, key) ? obj[key] : undefined);
}

/** A writer of one column compiled once: a plain assignment unless the name is `__proto__`. */
export function ownSetter(key: string): (obj: Record<string, unknown>, value: unknown) => void {
  if (key !== '__proto__') return (obj, value) => {
    obj[key] = value;
  };
  return (obj, value) => setOwn(obj, key, value);
}
