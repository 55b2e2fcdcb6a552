// Finds the float and double columns of an Arrow table that hold NaN. Parquet writers leave NaN out
// of a column chunk's min/max, and readers that prune row groups with those bounds (DuckDB does)
// then skip rows that Spark's order, with NaN above every number, says match `x > 5`; the writer
// drops the footer statistics of such columns instead.
import { Type, type Data, type Table } from 'apache-arrow';

/** Column paths (struct field names from the top) of the float/double leaves holding a NaN. */
export function nanColumns(table: Table): string[][] {
  const out: string[][] = [];
  for (const batch of table.batches) {
    batch.schema.fields.forEach((f, i) => {
      const d = batch.data.children[i];
      if (d !== undefined) scan(d, [f.name], out);
    });
  }
  const seen = new Set<string>();
  return out.filter((p) => {
    const k = JSON.stringify(p);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function scan(d: Data, path: string[], out: string[][]): void {
  if (d.typeId === Type.Float) {
    if (holdsNaN(d)) out.push(path);
    return;
  }
  const kids = d.type.children as readonly { name: string }[] | undefined;
  d.children.forEach((c, i) => scan(c, [...path, kids?.[i]?.name ?? String(i)], out));
}

function holdsNaN(d: Data): boolean {
  const a = d.values as Float64Array | Float32Array | Uint16Array;
  // Half floats (not written by sluice) are left alone.
  if (!(a instanceof Float64Array || a instanceof Float32Array)) return false;
  for (let i = 0; i < d.length; i++) {
    const v = a[i] as number;
    // A null slot's bytes are not a value: only a valid NaN counts.
    if (v !== v && d.getValid(i)) return true;
  }
  return false;
}
