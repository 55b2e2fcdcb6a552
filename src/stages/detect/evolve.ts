// Schema evolution steps: adding newly seen columns without changing known types, and rescuing the
// fields of a record that do not fit the schema into a JSON column.
import type { Row } from '../../core/record.ts';
import { getOwn, setOwn } from '../../core/own.ts';
import { copyOrigin } from '../../core/record.ts';
import { sameType, typeToString, type DataType, type StructField, type StructType } from '../../core/schema.ts';
import { mergeTypes } from '../../schema/infer.ts';
import type { Conformer } from '../../schema/conform.ts';
import { payloadOf } from '../validate/payload.ts';
import { fieldNamed } from './case.ts';

/** `base` plus the fields of `seen` it lacks (also inside structs and arrays of structs). Known
 * columns keep their type and their spelling (a field of `seen` that differs only by case is the
 * same column): a Delta table can change neither by appending. */
export function addFields(base: StructType, seen: StructType, prefix = ''): { schema: StructType; added: string[] } {
  const added: string[] = [];
  const fields: StructField[] = base.fields.map((f) => {
    const g = fieldNamed(seen.fields, f.name);
    if (g === undefined) return f;
    const t = addNested(f.type, g.type, `${prefix}${f.name}`, added);
    return t === f.type ? f : { ...f, type: t };
  });
  const known = new Set(base.fields.map((f) => f.name.toLowerCase()));
  for (const g of seen.fields) {
    if (known.has(g.name.toLowerCase())) continue;
    known.add(g.name.toLowerCase());
    fields.push({ ...g, nullable: true });
    added.push(`${prefix}${g.name}`);
  }
  return { schema: added.length === 0 ? base : { type: 'struct', fields }, added };
}

function addNested(a: DataType, b: DataType, path: string, added: string[]): DataType {
  if (typeof a === 'string' || typeof b === 'string') return a;
  if (a.type === 'struct' && b.type === 'struct') {
    const r = addFields(a, b, `${path}.`);
    added.push(...r.added);
    return r.schema;
  }
  if (a.type === 'array' && b.type === 'array') {
    const e = addNested(a.elementType, b.elementType, `${path}[]`, added);
    return e === a.elementType ? a : { ...a, elementType: e };
  }
  return a;
}

/** `base` with each known column widened to hold what `seen` found in it (long+double -> double,
 * conflicts -> string); new columns are not added here. */
export function widenFields(base: StructType, seen: StructType): { schema: StructType; widened: string[] } {
  const widened: string[] = [];
  const fields = base.fields.map((f) => {
    const g = fieldNamed(seen.fields, f.name);
    if (g === undefined) return f;
    const t = mergeTypes(f.type, g.type);
    if (sameType(t, f.type)) return f;
    widened.push(`${f.name}: ${typeToString(f.type)} -> ${typeToString(t)}`);
    return { ...f, type: t };
  });
  return { schema: widened.length === 0 ? base : { type: 'struct', fields }, widened };
}

/** The top-level column of a conformer path (`device.os` -> `device`, `tags[2]` -> `tags`). */
export function topColumn(path: string): string {
  const m = /^[^.[{]*/.exec(path);
  return m?.[0] ?? path;
}

function valueAt(row: Readonly<Row>, path: string): unknown {
  let v: unknown = row;
  for (const p of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = getOwn(v, p);
  }
  return v;
}

/** Fits a row to the schema by moving what does not fit (unknown columns, mismatched values) into
 * `rescued` as a JSON object; null when the row cannot be fitted (a NOT NULL column is missing). */
export function rescueRow(row: Readonly<Row>, schema: StructType, conform: Conformer, rescuedColumn: string): { row: Row; rescued: boolean } | null {
  const known = new Set(schema.fields.map((f) => f.name));
  const rescued: Record<string, unknown> = {};
  const copy: Row = {};
  for (const k of Object.keys(row)) {
    if (k === rescuedColumn) continue;
    // A null field is no data to rescue (a typed batch holds every column of its schema, null or not).
    if (known.has(k)) setOwn(copy, k, row[k]);
    else if (row[k] !== null && row[k] !== undefined) setOwn(rescued, k, row[k]);
  }
  copyOrigin(row, copy);
  for (let i = 0; i <= schema.fields.length; i++) {
    const r = conform(copy);
    if (r.ok) {
      for (const p of r.unknownFields) if (p.includes('.')) setOwn(rescued, p, valueAt(row, p));
      const out: Row = r.row === copy ? copy : { ...r.row };
      if (out !== r.row) copyOrigin(row, out);
      const any = Object.keys(rescued).length > 0;
      setOwn(out, rescuedColumn, any ? payloadOf(rescued) : null);
      return { row: out, rescued: any };
    }
    const top = topColumn(r.path);
    const v = getOwn(copy, top);
    if (v === null || v === undefined) return null;
    setOwn(rescued, top, v);
    setOwn(copy, top, null);
  }
  return null;
}
