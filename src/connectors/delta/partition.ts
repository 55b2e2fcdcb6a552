// Partition values: Delta's string serialization, hive-style folder names and URI-encoded add paths.
import { describeValue, ErrorCodes, SinkError } from '../../core/errors.ts';
import { getOwn, setOwn } from '../../core/own.ts';
import type { Row } from '../../core/record.ts';
import type { DataType, StructType } from '../../core/schema.ts';
import { inputRules, scalarConverter } from '../../schema/values/convert.ts';
import { doubleToString } from '../../schema/values/format.ts';
import { formatDate, formatTimestamp, isDateInRange, isTimestampInRange } from '../../schema/values/temporal.ts';

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

/** Serializes one partition value (in the value model's form) as the protocol prescribes: dates
 * `2024-01-31`, timestamps ISO-8601 in UTC with microseconds, timestamp_ntz `2024-01-31 10:00:00.000001`,
 * doubles as Java writes them; null stays null. */
export function serializePartitionValue(v: unknown, t: DataType, column: string): string | null {
  if (v === null || v === undefined) return null;
  if (typeof t !== 'string') throw new SinkError(ErrorCodes.CONFIG_INVALID, `partition column ${column} must have a primitive type`);
  switch (t) {
    case 'date':
      if (typeof v === 'number' && isDateInRange(v)) return formatDate(v);
      break;
    case 'timestamp':
      if (typeof v === 'bigint' && isTimestampInRange(v)) return formatTimestamp(v, { sep: 'T', fraction: 'micros', zone: 'Z' });
      break;
    case 'timestamp_ntz':
      if (typeof v === 'bigint' && isTimestampInRange(v)) return formatTimestamp(v, { sep: ' ', fraction: 'micros', zone: '' });
      break;
    case 'boolean':
      if (typeof v === 'boolean') return v ? 'true' : 'false';
      break;
    case 'binary':
      if (v instanceof Uint8Array) return String.fromCharCode(...v);
      break;
    case 'double':
    case 'float':
      if (typeof v === 'number') return doubleToString(v);
      break;
    default:
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint') return String(v);
  }
  throw new SinkError(ErrorCodes.RECORD_INVALID, `partition column ${column} holds ${describeValue(v)}, not a ${t} value`, { details: { column } });
}

/** The value model's form of a partition value read back from the log. */
export function parsePartitionValue(s: string | null, t: DataType): unknown {
  if (s === null || s === '') return null;
  if (typeof t !== 'string') return s;
  if (t === 'string') return s;
  if (t === 'binary') return Uint8Array.from(s, (c) => c.charCodeAt(0));
  if (t === 'double' || t === 'float') return Number(s);
  const v = scalarConverter(t, inputRules('text'))(s);
  return v === undefined ? s : v;
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
