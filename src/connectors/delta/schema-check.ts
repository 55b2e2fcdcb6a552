// Compares a batch schema with a Delta table schema and names every missing, extra or changed column.

import { DeltaError, DeltaErrorCodes } from './errors.ts';
import { typeToString, type DataType, type StructType } from '../../core/schema.ts';

/** Structural type equality ignoring nullability and metadata (nullability is enforced per value). */
export function sameShape(a: DataType, b: DataType): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (a.type === 'struct' && b.type === 'struct') {
    return a.fields.length === b.fields.length && a.fields.every((f, i) => {
      const g = b.fields[i];
      return g !== undefined && g.name === f.name && sameShape(f.type, g.type);
    });
  }
  if (a.type === 'array' && b.type === 'array') return sameShape(a.elementType, b.elementType);
  if (a.type === 'map' && b.type === 'map') return sameShape(a.keyType, b.keyType) && sameShape(a.valueType, b.valueType);
  return false;
}

export interface SchemaDiff {
  readonly missing: string[];
  readonly extra: string[];
  readonly changed: { column: string; table: string; batch: string }[];
}

/** Differences that forbid appending `batch` rows to a table with schema `table`. */
export function diffSchemas(table: StructType, batch: StructType): SchemaDiff {
  const byName = new Map(batch.fields.map((f) => [f.name, f]));
  const tableNames = new Set(table.fields.map((f) => f.name));
  const missing: string[] = [];
  const changed: SchemaDiff['changed'] = [];
  for (const f of table.fields) {
    const g = byName.get(f.name);
    if (g === undefined) {
      if (!f.nullable) missing.push(f.name); // a nullable column the batch lacks is written as null
      continue;
    }
    if (!sameShape(f.type, g.type)) changed.push({ column: f.name, table: typeToString(f.type), batch: typeToString(g.type) });
  }
  const extra = batch.fields.filter((f) => !tableNames.has(f.name)).map((f) => f.name);
  return { missing, extra, changed };
}

export function assertAppendable(table: StructType, batch: StructType, path: string): void {
  const d = diffSchemas(table, batch);
  if (d.missing.length === 0 && d.extra.length === 0 && d.changed.length === 0) return;
  const parts: string[] = [];
  if (d.missing.length > 0) parts.push(`missing NOT NULL column(s) ${d.missing.join(', ')}`);
  if (d.extra.length > 0) parts.push(`extra column(s) ${d.extra.join(', ')} (set mergeSchema: true on the delta sink to add them)`);
  if (d.changed.length > 0) parts.push(`changed type(s) ${d.changed.map((c) => `${c.column} (table ${c.table}, batch ${c.batch})`).join(', ')}`);
  throw new DeltaError(DeltaErrorCodes.SCHEMA_MISMATCH, `batch schema does not match Delta table ${path}: ${parts.join('; ')}`, {
    details: { path, missing: d.missing, extra: d.extra, changed: d.changed },
  });
}

/** mergeSchema: the table schema plus the batch's new columns (appended at the end, nullable; new
 * fields of nested structs too, inside arrays and maps included), or null when the batch adds
 * nothing. Types never change here. */
export function mergeNewColumns(table: StructType, batch: StructType): StructType | null {
  const merged = mergeStruct(table, batch);
  return merged === table ? null : merged;
}

function mergeStruct(table: StructType, batch: StructType): StructType {
  const byName = new Map(batch.fields.map((f) => [f.name, f]));
  let changed = false;
  const fields = table.fields.map((f) => {
    const g = byName.get(f.name);
    if (g === undefined) return f;
    const t = mergeType(f.type, g.type);
    if (t === f.type) return f;
    changed = true;
    return { ...f, type: t };
  });
  const names = new Set(table.fields.map((f) => f.name));
  for (const g of batch.fields) {
    if (names.has(g.name)) continue;
    fields.push({ ...g, nullable: true });
    changed = true;
  }
  return changed ? { type: 'struct', fields } : table;
}

/** `table` with the struct fields `batch` adds below it; `table` itself when nothing is added. */
function mergeType(table: DataType, batch: DataType): DataType {
  if (typeof table === 'string' || typeof batch === 'string') return table;
  if (table.type === 'struct' && batch.type === 'struct') return mergeStruct(table, batch);
  if (table.type === 'array' && batch.type === 'array') {
    const e = mergeType(table.elementType, batch.elementType);
    return e === table.elementType ? table : { ...table, elementType: e };
  }
  if (table.type === 'map' && batch.type === 'map') {
    const k = mergeType(table.keyType, batch.keyType);
    const v = mergeType(table.valueType, batch.valueType);
    return k === table.keyType && v === table.valueType ? table : { ...table, keyType: k, valueType: v };
  }
  return table;
}
