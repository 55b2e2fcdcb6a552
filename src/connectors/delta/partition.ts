// Partition values: Delta's string serialization, hive-style folder names and URI-encoded add paths.
import { ErrorCodes, SinkError } from '../../core/errors.ts';
import { getOwn, setOwn } from '../../core/own.ts';
import type { Row } from '../../core/record.ts';
import type { DataType, StructType } from '../../core/schema.ts';

export const HIVE_DEFAULT_PARTITION = '__HIVE_DEFAULT_PARTITION__';

/** Characters Hive escapes in partition folder names (as %XX), so any value is a safe single segment. */
const HIVE_ESCAPE = new Set('"#%\'*/:=?\\\x7f{}[]^');

export function hiveEscape(s: string): string {
  let out = '';
  for (const c of s) {
    const code = c.charCodeAt(0);
    out += code < 0x20 || HIVE_ESCAPE.has(c) ? `%${code.toString(16).toUpperCase().padStart(2, '0')}` : c;
  }
  return out;
}

/** Serializes one partition value as the protocol prescribes; null stays null. */
export function serializePartitionValue(v: unknown, t: DataType, column: string): string | null {
  if (v === null || v === undefined) return null;
  if (typeof t !== 'string') throw new SinkError(ErrorCodes.CONFIG_INVALID, `partition column ${column} must have a primitive type`);
  switch (t) {
    case 'date': {
      const d = toDate(v, column);
      return d.toISOString().slice(0, 10);
    }
    case 'timestamp':
      return `${toDate(v, column).toISOString().slice(0, 23)}000Z`;
    case 'timestamp_ntz': {
      const iso = toDate(v, column).toISOString();
      return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`;
    }
    case 'boolean':
      return v === true || v === 'true' ? 'true' : 'false';
    case 'binary':
      if (v instanceof Uint8Array) return String.fromCharCode(...v);
      return typeof v === 'string' ? v : JSON.stringify(v);
    default:
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
      throw new SinkError(ErrorCodes.RECORD_INVALID, `partition column ${column} holds a non-scalar value`, { details: { column } });
  }
}

function toDate(v: unknown, column: string): Date {
  if (v instanceof Date) return v;
  if (typeof v === 'number') return new Date(v);
  if (typeof v === 'string') {
    const ms = Date.parse(/T\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(v) ? `${v}Z` : v);
    if (!Number.isNaN(ms)) return new Date(ms);
  }
  throw new SinkError(ErrorCodes.RECORD_INVALID, `partition column ${column} holds an invalid date/timestamp`, { details: { column } });
}

export interface PartitionGroup {
  readonly values: Record<string, string | null>;
  /** Folder relative to the table root on disk, e.g. `date=2024-01-01/country=FR` ('' when unpartitioned). */
  readonly dir: string;
  readonly rows: Row[];
}

/** Splits rows by their partition values, keeping first-seen order of groups. */
export function groupByPartition(rows: readonly Row[], schema: StructType, partitionBy: readonly string[]): PartitionGroup[] {
  if (partitionBy.length === 0) return [{ values: {}, dir: '', rows: rows as Row[] }];
  const types = partitionBy.map((c) => {
    const f = schema.fields.find((x) => x.name === c);
    if (f === undefined) throw new SinkError(ErrorCodes.CONFIG_INVALID, `partition column ${c} is not in the schema`, { details: { column: c } });
    return f.type;
  });
  const groups = new Map<string, PartitionGroup>();
  for (const row of rows) {
    const values: Record<string, string | null> = {};
    const segs: string[] = [];
    partitionBy.forEach((c, i) => {
      const s = serializePartitionValue(getOwn(row, c), types[i] as DataType, c);
      setOwn(values, c, s);
      segs.push(`${hiveEscape(c)}=${s === null || s === '' ? HIVE_DEFAULT_PARTITION : hiveEscape(s)}`);
    });
    const dir = segs.join('/');
    let g = groups.get(dir);
    if (g === undefined) {
      g = { values, dir, rows: [] };
      groups.set(dir, g);
    }
    g.rows.push(row);
  }
  return [...groups.values()];
}

/** The add.path for a file on disk: a relative URI, so each segment is percent-encoded. */
export function toAddPath(relativeDiskPath: string): string {
  return relativeDiskPath.split('/').map((s) => encodeURIComponent(s).replace(/%3D/g, '=')).join('/');
}
