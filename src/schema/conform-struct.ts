// Generates the per-schema struct conformer as straight-line JavaScript, once per schema: every field
// read is a constant-name property load, which V8 keeps monomorphic across the rows of a batch, and
// values that already have the column's type are accepted inline without a call.
//
// Why generated code: a loop over the fields reads `row[field.name]` with a changing key, which V8
// can only serve through its megamorphic cache; on wide batches that loop, not the conversions,
// dominated conforming. The source embeds field names only as JSON string literals, never as code.
import type { DataType } from '../core/schema.ts';
import { isPrototypeName, setOwn } from '../core/own.ts';

/** What the generator needs to know of one field; `convert` is the general (slow-path) converter. */
export interface StructFieldPlan<S> {
  readonly name: string;
  readonly nullable: boolean;
  readonly type: DataType;
  readonly convert: StructConvert<S>;
}

/** Helpers the generated code calls on its rare paths (failures and unknown fields). */
export interface StructHelpers<S> {
  /** Records a failure of the whole value (not an object) and returns the FAIL marker. */
  readonly notObject: (v: unknown, st: S) => unknown;
  /** Records that field `i` is null or missing but not nullable; returns FAIL. */
  readonly missing: (i: number, x: unknown, st: S) => unknown;
  /** Prefixes the failure path with field `i`'s name; returns FAIL. */
  readonly failedAt: (i: number, st: S) => unknown;
  /** Handles a row with keys beyond the schema: notes them, returns the row to use. */
  readonly extra: (v: Record<string, unknown>, out: Record<string, unknown> | null, st: S) => unknown;
  readonly FAIL: unknown;
}

export type StructConvert<S> = (v: unknown, st: S) => unknown;


/** An inline test under which a value is already of the field's type and passes unchanged. */
function acceptsAsIs(t: DataType): string | null {
  switch (t) {
    case 'string': return "typeof x === 'string'";
    case 'double': return "typeof x === 'number'";
    case 'float': return "typeof x === 'number' && Math.fround(x) === x";
    case 'long': return "typeof x === 'number' && Number.isSafeInteger(x)";
    case 'integer': return "typeof x === 'number' && (x | 0) === x";
    case 'boolean': return "typeof x === 'boolean'";
    default: return null;
  }
}

/** How the conformed value is produced: `copy` returns the input when nothing changes and copies it
 * lazily otherwise; `rebuild` always builds a compact new row (see below). */
export type StructMode = 'copy' | 'rebuild';

/** Builds the conformer of one struct.
 *
 * `rebuild` is for rows the caller owns and has just parsed. The new row is one object literal
 * holding its columns and its origin tags (`originKeys`) in its own slots, where tagging the parsed
 * object would add a separate property block. Batch rows live long, so V8 soon allocates the objects
 * of this literal directly in the old generation and the young-generation collector stops copying
 * them; the parsed objects die young. */
export function generateStructConformer<S>(fields: readonly StructFieldPlan<S>[], mode: StructMode, h: StructHelpers<S>, originKeys: readonly symbol[] = []): StructConvert<S> {
  const rebuild = mode === 'rebuild';
  const lit = fields.map((f) => JSON.stringify(f.name));
  const src: string[] = [
    'return function conformStruct(v, st) {',
    "  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Date || v instanceof Uint8Array) return h.notObject(v, st);",
    '  let out = null, present = 0, x, y;',
    ...(rebuild ? [`  let ${fields.map((_, i) => `y${i}`).join(', ') || '_none'};`] : []),
  ];
  // A name that objects inherit (`__proto__`, `constructor`, `toString` ...) is read only as an own
  // property, since an inherited member is no column; `__proto__` is also written with setOwn.
  const read = (l: string): string => (isPrototypeName(JSON.parse(l) as string) ? `(Object.hasOwn(v, ${l}) ? v[${l}] : undefined)` : `v[${l}]`);
  const write = (l: string, val: string): string => (l === '"__proto__"' ? `setOwn(out, ${l}, ${val});` : `out[${l}] = ${val};`);
  fields.forEach((f, i) => {
    const asIs = acceptsAsIs(f.type);
    src.push(`  x = ${read(lit[i] ?? '')};`);
    src.push('  if (x === null || x === undefined) {');
    src.push(f.nullable ? '    y = null; if (x !== undefined) present++;' : `    return h.missing(${i}, x, st);`);
    src.push('  } else {');
    src.push('    present++;');
    src.push(asIs === null ? `    y = c[${i}](x, st);` : `    y = ${asIs} ? x : c[${i}](x, st);`);
    src.push(`    if (y === FAIL) return h.failedAt(${i}, st);`);
    src.push('  }');
    if (rebuild) {
      src.push(`  y${i} = y;`);
    } else {
      const earlier = lit.slice(0, i).map((l) => write(l, read(l))).join(' ');
      src.push(`  if (out === null && (y !== x || x === undefined)) { out = {}; ${earlier} }`);
      src.push(`  if (out !== null) ${write(lit[i] ?? '', 'y')}`);
    }
  });
  // A computed key defines an own property even for "__proto__", which a plain key would not.
  const slot = (i: number): string => (fields[i]?.name === '__proto__' ? `[${lit[i]}]` : (lit[i] ?? ''));
  if (rebuild) src.push(`  out = { ${[...fields.map((_, i) => `${slot(i)}: y${i}`), ...originKeys.map((_, k) => `[k${k}]: v[k${k}]`)].join(', ')} };`);
  src.push('  let keys = 0;');
  src.push('  for (const _k in v) keys++;');
  src.push('  if (keys > present) return h.extra(v, out, st);');
  src.push('  return out === null ? v : out;');
  src.push('};');
  const keyNames = originKeys.map((_, k) => `k${k}`);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from field names quoted as JSON literals (see the module comment)
  const make = new Function('c', 'h', 'FAIL', 'setOwn', ...keyNames, ["'use strict';", ...src].join('\n')) as (c: readonly StructConvert<S>[], h: StructHelpers<S>, fail: unknown, set: typeof setOwn, ...keys: symbol[]) => StructConvert<S>;
  return make(fields.map((f) => f.convert), h, h.FAIL, setOwn, ...originKeys);
}
