// Values of the value model back to text: as JSON (for Kafka values, console rows, dead letters and
// JSON-lines files) and as Spark's string form (CAST AS STRING, the console table). The column type
// decides, since a bigint may be a BIGINT or a TIMESTAMP and a number an INT, a DOUBLE or a DATE.
import type { DataType, StructType } from '../../core/schema.ts';
import { NumberText } from './numbers.ts';
import { formatDate, formatTimestamp, ISO_INSTANT, ISO_LOCAL, SPARK_STRING } from './temporal.ts';

/** Java's Double.toString, which Spark uses when a double becomes a string. */
export function doubleToString(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e7) {
    const s = String(x);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mant = '', exp = '0'] = x.toExponential().split('e');
  return `${mant.includes('.') ? mant : `${mant}.0`}E${exp.startsWith('+') ? exp.slice(1) : exp}`;
}

export function bytesToBase64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

type Type = DataType | null;

/** JSON text of a value of type `t` (null: untyped, as read from JSON). Timestamps are ISO-8601 with
 * microseconds when they have them, dates `YYYY-MM-DD`, binary base64, 64-bit integers and decimals
 * exact number literals, NaN and ±Infinity strings (as Spark's JSON writer quotes them). */
export interface JsonOptions {
  /** Leave out the fields of objects whose value is null, as Spark's JSON writer does by default. */
  readonly omitNulls?: boolean;
}

export function toJsonText(v: unknown, t: Type, o: JsonOptions = {}): string {
  if (v === null || v === undefined) return 'null';
  if (typeof t === 'string') {
    switch (t) {
      case 'timestamp': if (typeof v === 'bigint') return `"${formatTimestamp(v, ISO_INSTANT)}"`; break;
      case 'timestamp_ntz': if (typeof v === 'bigint') return `"${formatTimestamp(v, ISO_LOCAL)}"`; break;
      case 'date': if (typeof v === 'number') return `"${formatDate(v)}"`; break;
      default:
        if (t.startsWith('decimal(') && typeof v === 'string') return v;
    }
    return untypedJson(v, o);
  }
  if (t === null) return untypedJson(v, o);
  switch (t.type) {
    case 'struct': {
      if (typeof v !== 'object') return untypedJson(v, o);
      const obj = v as Record<string, unknown>;
      const parts: string[] = [];
      for (const f of t.fields) {
        const x = own(obj, f.name);
        if (o.omitNulls === true && (x === null || x === undefined)) continue;
        parts.push(`${JSON.stringify(f.name)}:${toJsonText(x, f.type, o)}`);
      }
      return `{${parts.join(',')}}`;
    }
    case 'array':
      return Array.isArray(v) ? `[${v.map((x) => toJsonText(x, t.elementType, o)).join(',')}]` : untypedJson(v, o);
    case 'map': {
      if (typeof v !== 'object') return untypedJson(v, o);
      const entries = v instanceof Map ? [...(v as Map<unknown, unknown>)] : Object.entries(v as Record<string, unknown>);
      return `{${entries.map(([k, x]) => `${JSON.stringify(String(k))}:${toJsonText(x, t.valueType, o)}`).join(',')}}`;
    }
  }
}

function own(o: Record<string, unknown>, k: string): unknown {
  return Object.hasOwn(o, k) ? o[k] : undefined;
}

function untypedJson(v: unknown, o: JsonOptions = {}): string {
  switch (typeof v) {
    case 'string': return JSON.stringify(v);
    case 'number': return Number.isFinite(v) ? JSON.stringify(v) : `"${doubleToString(v)}"`;
    case 'bigint': return v.toString();
    case 'boolean': return v ? 'true' : 'false';
    case 'object': {
      if (v === null) return 'null';
      if (v instanceof NumberText) return v.text;
      if (v instanceof Uint8Array) return `"${bytesToBase64(v)}"`;
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'null' : `"${v.toISOString()}"`;
      if (Array.isArray(v)) return `[${v.map((x) => untypedJson(x, o)).join(',')}]`;
      if (v instanceof Map) return `{${[...(v as Map<unknown, unknown>)].map(([k, x]) => `${JSON.stringify(String(k))}:${untypedJson(x, o)}`).join(',')}}`;
      const parts: string[] = [];
      for (const k of Object.keys(v)) {
        const x = (v as Record<string, unknown>)[k];
        if (x === undefined || (x === null && o.omitNulls === true)) continue;
        parts.push(`${JSON.stringify(k)}:${untypedJson(x, o)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default: return 'null';
  }
}

/** One row as a JSON object in the schema's column order (or its own key order when untyped). */
export function rowToJson(row: Readonly<Record<string, unknown>>, schema: StructType | null, o: JsonOptions = {}): string {
  return toJsonText(row, schema, o);
}

/** Spark's string form of a value (CAST AS STRING; the console table): `2024-03-01 10:00:00.5`,
 * `1.0E10`, `[1, 2]`, `{a -> 1}`. Null for SQL NULL. */
export function valueToString(v: unknown, t: DataType | 'unknown'): string | null {
  if (v === null || v === undefined) return null;
  if (typeof t === 'string') {
    if ((t === 'timestamp' || t === 'timestamp_ntz') && typeof v === 'bigint') return formatTimestamp(v, SPARK_STRING);
    if (t === 'date' && typeof v === 'number') return formatDate(v);
    if ((t === 'double' || t === 'float') && typeof v === 'number') return doubleToString(v);
  }
  switch (typeof v) {
    case 'string': return v;
    case 'number': return Number.isInteger(v) && t !== 'double' && t !== 'float' ? String(v) : doubleToString(v);
    case 'bigint':
    case 'boolean': return String(v);
    case 'object': {
      if (v instanceof NumberText) return v.text;
      if (v instanceof Uint8Array) return new TextDecoder().decode(v);
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : formatTimestamp(BigInt(v.getTime()) * 1000n, SPARK_STRING);
      const nested = (x: unknown, xt: DataType | 'unknown'): string => valueToString(x, xt) ?? 'null';
      if (Array.isArray(v)) {
        const et = typeof t === 'object' && t.type === 'array' ? t.elementType : 'unknown';
        return `[${v.map((x) => nested(x, et)).join(', ')}]`;
      }
      if (typeof t === 'object' && t.type === 'map') {
        const entries = v instanceof Map ? [...(v as Map<unknown, unknown>)] : Object.entries(v as Record<string, unknown>);
        return `{${entries.map(([k, x]) => `${nested(k, t.keyType)} -> ${nested(x, t.valueType)}`).join(', ')}}`;
      }
      if (v instanceof Map) return `{${[...(v as Map<unknown, unknown>)].map(([k, x]) => `${nested(k, 'unknown')} -> ${nested(x, 'unknown')}`).join(', ')}}`;
      const o = v as Record<string, unknown>;
      if (typeof t === 'object' && t.type === 'struct') return `{${t.fields.map((f) => nested(own(o, f.name), f.type)).join(', ')}}`;
      return `{${Object.keys(o).map((k) => nested(o[k], 'unknown')).join(', ')}}`;
    }
    default: return null;
  }
}
