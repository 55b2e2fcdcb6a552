// The original payload of a row for a dead-letter envelope: JSON that survives bigints, bytes and cycles.
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

/** The value at a column path: `a` or `a.b.c` into nested structs. */
export function columnGetter(path: string): (row: Readonly<Row>) => unknown {
  if (!path.includes('.')) return (row) => row[path];
  const parts = path.split('.');
  return (row) => {
    let v: unknown = row;
    for (const p of parts) {
      if (v === null || typeof v !== 'object') return undefined;
      v = (v as Record<string, unknown>)[p];
    }
    return v;
  };
}
