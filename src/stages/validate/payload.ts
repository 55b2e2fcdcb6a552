// The original payload of a row for a dead-letter envelope: JSON that survives bigints, bytes and cycles.
import { ownGetter } from '../../core/own.ts';
import type { Row } from '../../core/record.ts';

/** A JSON rendering of the row (bigint as a number string, bytes as base64), or null when impossible. */
export function payloadOf(row: Readonly<Row>): string | null {
  try {
    return JSON.stringify(row, (_k, v: unknown) => {
      if (typeof v === 'bigint') return v.toString();
      if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
      return v;
    });
  } catch {
    return null;
  }
}

/** The value at a column path: `a` or `a.b.c` into nested structs. A name every object inherits
 * (`constructor`, `toString`) is a column like any other: missing means undefined. */
export function columnGetter(path: string): (row: Readonly<Row>) => unknown {
  if (!path.includes('.')) return ownGetter(path);
  const parts = path.split('.').map(ownGetter);
  return (row) => {
    let v: unknown = row;
    for (const get of parts) {
      if (v === null || typeof v !== 'object') return undefined;
      v = get(v as Readonly<Record<string, unknown>>);
    }
    return v;
  };
}
