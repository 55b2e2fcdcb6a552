// Keeps a batch's schema true to its rows after a user transform returned plain rows: columns the
// rows no longer carry are dropped, new columns get an inferred type, known columns keep theirs.
import type { Row } from '../core/record.ts';
import { field, struct, type DataType, type StructType } from '../core/schema.ts';
import { inferSchema, inferValueType, mergeTypes } from '../schema/infer.ts';

export function deriveSchema(rows: readonly Row[], base: StructType | null): StructType | null {
  if (rows.length === 0) return base;
  if (base === null) return inferSchema(rows);
  const known = new Set(base.fields.map((f) => f.name));
  const seen = new Set<string>();
  const added = new Map<string, DataType | null>();
  for (const row of rows) {
    for (const k in row) {
      if (known.has(k)) {
        seen.add(k);
        continue;
      }
      const t = inferValueType(row[k]);
      const prev = added.get(k);
      added.set(k, prev === undefined || prev === null ? t : t === null ? prev : mergeTypes(prev, t));
    }
  }
  if (added.size === 0 && seen.size === known.size) return base;
  const fields = base.fields.filter((f) => seen.has(f.name));
  for (const [name, t] of added) fields.push(field(name, t ?? 'string'));
  return struct(fields);
}
