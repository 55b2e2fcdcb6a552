// Column names that differ only by case are one column to Spark's analyzer and to a Delta table, so
// detection never makes two of them: the first spelling seen names the column, and a record spelling
// it otherwise is read into it (rescue mode aside, which rescues such fields as Auto Loader does).
import { getOwn, setOwn } from '../../core/own.ts';
import { copyOrigin, type Row } from '../../core/record.ts';
import { isArray, isMap, isStruct, type DataType, type StructField, type StructType } from '../../core/schema.ts';
import { mergeTypes } from '../../schema/infer.ts';

/** `s` with the fields of each struct that differ only by case merged into the first spelling (types
 * merged, nullable if either is), at every level. */
export function foldSchema(s: StructType): StructType {
  return foldType(s) as StructType;
}

function foldType(t: DataType): DataType {
  if (isStruct(t)) {
    const byKey = new Map<string, StructField>();
    for (const f of t.fields) {
      const key = f.name.toLowerCase();
      const prev = byKey.get(key);
      byKey.set(key, prev === undefined ? f : { ...prev, type: mergeTypes(prev.type, f.type), nullable: prev.nullable || f.nullable });
    }
    const fields = [...byKey.values()].map((f) => {
      const ft = foldType(f.type);
      return ft === f.type ? f : { ...f, type: ft };
    });
    const same = fields.length === t.fields.length && fields.every((f, i) => f === t.fields[i]);
    return same ? t : { type: 'struct', fields };
  }
  if (isArray(t)) {
    const e = foldType(t.elementType);
    return e === t.elementType ? t : { ...t, elementType: e };
  }
  if (isMap(t)) {
    const v = foldType(t.valueType);
    return v === t.valueType ? t : { ...t, valueType: v };
  }
  return t;
}

/** The field of `fields` named `name` exactly, else regardless of case. */
export function fieldNamed(fields: readonly StructField[], name: string): StructField | undefined {
  const key = name.toLowerCase();
  return fields.find((f) => f.name === name) ?? fields.find((f) => f.name.toLowerCase() === key);
}

/** The result of reading a record under a schema's spellings. */
export type Folded = { readonly row: Row; readonly changed: boolean } | { readonly clash: string };

/** Lower-cased name -> schema spelling, per struct type (schemas are immutable and long-lived). */
const spellings = new WeakMap<StructType, Map<string, string>>();

function spellingsOf(t: StructType): Map<string, string> {
  let m = spellings.get(t);
  if (m === undefined) {
    m = new Map(t.fields.map((f) => [f.name.toLowerCase(), f.name]));
    spellings.set(t, m);
  }
  return m;
}

/**
 * `row` with every key that names a schema field only when case is ignored renamed to the field's
 * spelling, at every level (structs in arrays and map values included). A record that spells one
 * field two ways with two different values is a clash: which one is meant cannot be told.
 */
export function foldRow(row: Readonly<Row>, schema: StructType): Folded {
  const st = { clash: '' };
  const out = foldValue(row, schema, '', st);
  if (st.clash !== '') return { clash: st.clash };
  if (out === row) return { row: row, changed: false };
  copyOrigin(row, out as Row);
  return { row: out as Row, changed: true };
}

function foldValue(v: unknown, t: DataType, path: string, st: { clash: string }): unknown {
  if (v === null || typeof v !== 'object' || typeof t === 'string') return v;
  if (isStruct(t)) return isPlainObject(v) ? foldStruct(v, t, path, st) : v;
  if (isArray(t)) {
    if (!Array.isArray(v)) return v;
    let out: unknown[] | null = null;
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      const y = foldValue(x, t.elementType, `${path}[${i}]`, st);
      if (out === null && y !== x) out = v.slice(0, i) as unknown[];
      if (out !== null) out.push(y);
    }
    return out ?? v;
  }
  if (!isPlainObject(v)) return v;
  let out: Record<string, unknown> | null = null;
  for (const k of Object.keys(v)) {
    const x = v[k];
    const y = foldValue(x, t.valueType, `${path}{${k}}`, st);
    if (out === null && y !== x) out = copyOwn(v);
    if (out !== null) setOwn(out, k, y);
  }
  return out ?? v;
}

function foldStruct(v: Record<string, unknown>, t: StructType, path: string, st: { clash: string }): unknown {
  const names = spellingsOf(t);
  let out: Record<string, unknown> | null = null;
  for (const k of Object.keys(v)) {
    const x = v[k];
    const name = names.get(k.toLowerCase());
    if (name === undefined) continue; // not in the schema in any spelling: left for the mode
    const f = t.fields.find((g) => g.name === name) as StructField;
    const at = path === '' ? name : `${path}.${name}`;
    const y = foldValue(x, f.type, at, st);
    if (name === k) {
      if (y !== x) setOwn((out ??= copyOwn(v)), k, y);
      continue;
    }
    out ??= copyOwn(v);
    delete out[k];
    const other = Object.hasOwn(out, name) ? getOwn(out, name) : undefined;
    if (other !== null && other !== undefined && y !== null && y !== undefined && !sameValue(other, y)) {
      st.clash = `${path === '' ? '' : `${path}.`}${k} and ${at} differ only by case and hold different values (column names are case-insensitive, so they are one column)`;
      return v;
    }
    if (y !== null && y !== undefined) setOwn(out, name, y);
    else if (!Object.hasOwn(out, name)) setOwn(out, name, y);
  }
  return out ?? v;
}

function copyOwn(v: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) setOwn(out, k, v[k]);
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Uint8Array) && !(v instanceof Map);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  try {
    return JSON.stringify(a, big) === JSON.stringify(b, big);
  } catch {
    return false;
  }
}

function big(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

/** Every field path of `s` in lower case, spelled as the conformer names unknown fields (`a.b`,
 * `list[].x`, `map{}.x`): an unknown field whose path is among them is a known one spelled otherwise. */
export function lowerPaths(s: StructType): Set<string> {
  const out = new Set<string>();
  const walk = (t: DataType, path: string): void => {
    if (isStruct(t)) {
      for (const f of t.fields) {
        const p = path === '' ? f.name : `${path}.${f.name}`;
        out.add(p.toLowerCase());
        walk(f.type, p);
      }
    } else if (isArray(t)) walk(t.elementType, `${path}[]`);
    else if (isMap(t)) walk(t.valueType, `${path}{}`);
  };
  walk(s, '');
  return out;
}
