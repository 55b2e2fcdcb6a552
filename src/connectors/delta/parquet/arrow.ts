// Builds Arrow columns straight into typed buffers from rows and a StructType (the write path's hot loop).
import {
  Binary, Bool, DateDay, Decimal, Field, Float32, Float64, Int16, Int32, Int64, Int8, List, Map_, RecordBatch, Schema,
  Struct, Table, TimeUnit, Timestamp, Utf8, makeData, type Data, type DataType as ArrowType,
} from 'apache-arrow';
import { ErrorCodes, SinkError } from '../../../core/errors.ts';
import type { Row } from '../../../core/record.ts';
import { isDecimal, type DataType, type StructType } from '../../../core/schema.ts';
import { parseIsoMicros } from '../../../core/iso-time.ts';
import { columnValues, releaseColumnValues } from './columns.ts';

const TWO32 = 4294967296;
const MS_PER_DAY = 86_400_000;

/** The Arrow type a Delta type is written as. */
export function arrowType(t: DataType): ArrowType {
  if (typeof t === 'string') {
    switch (t) {
      case 'string': return new Utf8();
      case 'long': return new Int64();
      case 'integer': return new Int32();
      case 'short': return new Int16();
      case 'byte': return new Int8();
      case 'double': return new Float64();
      case 'float': return new Float32();
      case 'boolean': return new Bool();
      case 'binary': return new Binary();
      case 'date': return new DateDay();
      case 'timestamp': return new Timestamp(TimeUnit.MICROSECOND, 'UTC');
      case 'timestamp_ntz': return new Timestamp(TimeUnit.MICROSECOND);
      default: {
        const [p, s] = decimalParams(t);
        return new Decimal(s, p, 128);
      }
    }
  }
  switch (t.type) {
    case 'struct': return new Struct(t.fields.map((f) => new Field(f.name, arrowType(f.type), f.nullable)));
    case 'array': return new List(new Field('element', arrowType(t.elementType), t.containsNull));
    case 'map':
    {
      const entries = new Struct([new Field('key', arrowType(t.keyType), false), new Field('value', arrowType(t.valueType), t.valueContainsNull)]);
      return new Map_(new Field('key_value', entries, false) as never);
    }
  }
}

export function decimalParams(t: string): [number, number] {
  const m = /^decimal\((\d+),\s*(\d+)\)$/.exec(t);
  return m === null ? [10, 0] : [Number(m[1]), Number(m[2])];
}

export function arrowSchema(schema: StructType): Schema {
  return new Schema(schema.fields.map((f) => new Field(f.name, arrowType(f.type), f.nullable)));
}

/** One Arrow table (a single record batch) holding `rows` under `schema`. */
export function rowsToArrow(rows: readonly Row[], schema: StructType): Table {
  const columns = columnValues(rows, schema.fields.map((f) => f.name));
  let children: Data[];
  try {
    children = schema.fields.map((f, i) => buildColumn(columns[i] ?? [], f.type, f.name, f.nullable));
  } finally {
    releaseColumnValues(columns);
  }
  const arrowSch = arrowSchema(schema);
  const structData = makeData({ type: new Struct(arrowSch.fields), length: rows.length, nullCount: 0, children });
  return new Table([new RecordBatch(arrowSch, structData)]);
}

function invalid(column: string, index: number, value: unknown, expected: string): SinkError {
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
  return new SinkError(ErrorCodes.RECORD_INVALID, `column ${column}: row ${index} holds ${shown}, expected ${expected}`, {
    details: { column, row: index, expected },
  });
}

interface Validity { bitmap: Uint8Array | undefined; nullCount: number }

/** Marks valid slots; returns no bitmap when nothing is null (Arrow treats that as all-valid). */
function validity(values: readonly unknown[], column: string, nullable: boolean): Validity {
  const n = values.length;
  let nulls = 0;
  for (let i = 0; i < n; i++) if (values[i] === null || values[i] === undefined) nulls++;
  if (nulls === 0) return { bitmap: undefined, nullCount: 0 };
  if (!nullable) {
    const at = values.findIndex((v) => v === null || v === undefined);
    throw invalid(column, at, null, 'a value (the column is NOT NULL)');
  }
  const bitmap = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v !== null && v !== undefined) bitmap[i >> 3] = (bitmap[i >> 3] as number) | (1 << (i & 7));
  }
  return { bitmap, nullCount: nulls };
}

function toNumber(v: unknown, column: string, i: number, expected: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw invalid(column, i, v, expected);
}

/** Epoch microseconds of a timestamp value (Date, ISO string or epoch milliseconds). */
function toEpochMicros(v: unknown, column: string, i: number): number {
  if (typeof v === 'string') {
    const us = parseIsoMicros(v);
    if (us !== undefined) return us;
  }
  return toEpochMs(v, column, i) * 1000;
}

function toEpochMs(v: unknown, column: string, i: number): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    // A local date-time without a zone is read as UTC, never as the host's zone.
    const ms = Date.parse(/T\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(v) ? `${v}Z` : v);
    if (!Number.isNaN(ms)) return ms;
  }
  if (typeof v === 'bigint') return Number(v);
  throw invalid(column, i, v, 'a timestamp (Date, ISO string or epoch milliseconds)');
}

/** Writes an integral number into slot i of a little-endian int64 buffer without allocating a bigint. */
function putInt64(u32: Uint32Array, i: number, v: number): void {
  const hi = Math.floor(v / TWO32);
  u32[2 * i] = v - hi * TWO32;
  u32[2 * i + 1] = hi;
}

export function buildColumn(values: readonly unknown[], t: DataType, column: string, nullable: boolean): Data {
  const n = values.length;
  const { bitmap, nullCount } = validity(values, column, nullable);
  const type = arrowType(t);
  const base = { type, length: n, nullCount, ...(bitmap === undefined ? {} : { nullBitmap: bitmap }) };
  if (typeof t === 'string') {
    switch (t) {
      case 'string':
      case 'binary':
      {
        const { bounds, ...buffers } = varBytes(values, column, t === 'binary');
        const data = makeData({ ...base, ...buffers } as Parameters<typeof makeData>[0]);
        if (bounds !== null) asciiBounds.set(data, bounds);
        return data;
      }
      case 'long':
      case 'timestamp':
      case 'timestamp_ntz': {
        const data = new BigInt64Array(n);
        const u32 = new Uint32Array(data.buffer);
        const isTs = t !== 'long';
        for (let i = 0; i < n; i++) {
          const v = values[i];
          if (v === null || v === undefined) continue;
          if (typeof v === 'bigint' && !isTs) { data[i] = v; continue; }
          const x = isTs ? toEpochMicros(v, column, i) : toNumber(v, column, i, 'a whole number');
          if (!Number.isInteger(x)) {
            if (isTs) { putInt64(u32, i, Math.round(x)); continue; }
            throw invalid(column, i, v, 'a whole number');
          }
          putInt64(u32, i, x);
        }
        return makeData({ ...base, data } as Parameters<typeof makeData>[0]);
      }
      case 'integer': return fixed(values, new Int32Array(n), column, base);
      case 'short': return fixed(values, new Int16Array(n), column, base);
      case 'byte': return fixed(values, new Int8Array(n), column, base);
      case 'double': return fixed(values, new Float64Array(n), column, base);
      case 'float': return fixed(values, new Float32Array(n), column, base);
      case 'boolean': {
        const data = new Uint8Array((n + 7) >> 3);
        for (let i = 0; i < n; i++) {
          const v = values[i];
          if (v === null || v === undefined) continue;
          const b = v === true || v === 'true' || v === 1 ? true : v === false || v === 'false' || v === 0 ? false : undefined;
          if (b === undefined) throw invalid(column, i, v, 'a boolean');
          if (b) data[i >> 3] = (data[i >> 3] as number) | (1 << (i & 7));
        }
        return makeData({ ...base, data } as Parameters<typeof makeData>[0]);
      }
      case 'date': {
        const data = new Int32Array(n);
        for (let i = 0; i < n; i++) {
          const v = values[i];
          if (v === null || v === undefined) continue;
          data[i] = Math.floor(toEpochMs(v, column, i) / MS_PER_DAY);
        }
        return makeData({ ...base, data } as Parameters<typeof makeData>[0]);
      }
      default:
        if (isDecimal(t)) return makeData({ ...base, data: decimals(values, decimalParams(t), column) } as Parameters<typeof makeData>[0]);
        throw invalid(column, 0, t, 'a supported type');
    }
  }
  switch (t.type) {
    case 'struct': {
      const children = t.fields.map((f) => {
        const sub = new Array<unknown>(n);
        for (let i = 0; i < n; i++) {
          const v = values[i];
          sub[i] = v === null || v === undefined ? null : (v as Record<string, unknown>)[f.name];
        }
        return buildColumn(sub, f.type, `${column}.${f.name}`, f.nullable || nullCount > 0);
      });
      return makeData({ ...base, children } as Parameters<typeof makeData>[0]);
    }
    case 'array': {
      const offsets = new Int32Array(n + 1);
      const flat: unknown[] = [];
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v !== null && v !== undefined) {
          if (!Array.isArray(v)) throw invalid(column, i, v, 'a list');
          for (const e of v as unknown[]) flat.push(e);
        }
        offsets[i + 1] = flat.length;
      }
      const child = buildColumn(flat, t.elementType, `${column}[]`, t.containsNull);
      return makeData({ ...base, valueOffsets: offsets, child } as Parameters<typeof makeData>[0]);
    }
    case 'map': {
      const offsets = new Int32Array(n + 1);
      const keys: unknown[] = [];
      const vals: unknown[] = [];
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v !== null && v !== undefined) {
          const entries = v instanceof Map ? [...(v as Map<unknown, unknown>).entries()] : typeof v === 'object' ? Object.entries(v) : null;
          if (entries === null) throw invalid(column, i, v, 'a map (object or Map)');
          for (const [k, x] of entries) { keys.push(k); vals.push(x); }
        }
        offsets[i + 1] = keys.length;
      }
      const entryType = (type as Map_).children[0]?.type as Struct;
      const kd = buildColumn(keys, t.keyType, `${column}.key`, false);
      const vd = buildColumn(vals, t.valueType, `${column}.value`, t.valueContainsNull);
      const child = makeData({ type: entryType, length: keys.length, nullCount: 0, children: [kd, vd] });
      return makeData({ ...base, valueOffsets: offsets, child } as Parameters<typeof makeData>[0]);
    }
  }
}

type Base = { type: ArrowType; length: number; nullCount: number; nullBitmap?: Uint8Array };

function fixed(values: readonly unknown[], data: Int32Array | Int16Array | Int8Array | Float64Array | Float32Array, column: string, base: Base): Data {
  const integral = !(data instanceof Float64Array || data instanceof Float32Array);
  // Typed arrays wrap out-of-range integers silently; a wrapped value would be wrong data, so refuse it.
  const bits = data.BYTES_PER_ELEMENT * 8;
  const lo = integral ? -(2 ** (bits - 1)) : -Infinity;
  const hi = integral ? 2 ** (bits - 1) - 1 : Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    const x = typeof v === 'number' ? v : toNumber(v, column, i, integral ? 'a whole number' : 'a number');
    if (integral && (!Number.isInteger(x) || x < lo || x > hi)) throw invalid(column, i, v, `a whole number in [${lo}, ${hi}]`);
    data[i] = x;
  }
  return makeData({ ...base, data } as Parameters<typeof makeData>[0]);
}

/** The smallest and largest value of string columns whose every value is ASCII, noted while they are
 * built: for ASCII, JavaScript's string order is byte order, so the file statistics need not compare
 * the encoded bytes again (see stats.ts). */
export const asciiBounds = new WeakMap<Data, readonly [string, string]>();

/** Utf8/Binary: one growing byte buffer written in place, offsets alongside, and the ASCII bounds. */
function varBytes(values: readonly unknown[], column: string, binary: boolean): { valueOffsets: Int32Array; data: Uint8Array; bounds: readonly [string, string] | null } {
  const n = values.length;
  let lo: string | null = null;
  let hi: string | null = null;
  let ascii = !binary;
  const offsets = new Int32Array(n + 1);
  let cap = 64;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v === 'string') cap += v.length;
    else if (v instanceof Uint8Array) cap += v.byteLength;
  }
  let buf: Buffer = Buffer.allocUnsafe(cap);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v !== null && v !== undefined) {
      if (typeof v === 'string') {
        const len = v.length;
        if (cap - pos < len * 3) {
          const need = Buffer.byteLength(v);
          if (cap - pos < need) buf = grow(buf, pos, (cap = Math.max(cap * 2, pos + need)));
        }
        // Short ASCII strings are copied byte by byte: cheaper than a native call per value.
        let k = 0;
        if (len <= 64) {
          for (; k < len; k++) {
            const c = v.charCodeAt(k);
            if (c >= 0x80) break;
            buf[pos + k] = c;
          }
        }
        if (k === len) {
          pos += len;
        } else {
          pos += k + buf.write(k === 0 ? v : v.slice(k), pos + k);
          // Long strings skip the byte loop above; they may still be ASCII.
          ascii &&= len > 64 && Buffer.byteLength(v) === len;
        }
        if (ascii) {
          if (lo === null || v < lo) lo = v;
          if (hi === null || v > hi) hi = v;
        }
      } else if (binary && v instanceof Uint8Array) {
        if (cap - pos < v.byteLength) buf = grow(buf, pos, (cap = Math.max(cap * 2, pos + v.byteLength)));
        buf.set(v, pos);
        pos += v.byteLength;
      } else if (!binary && (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint')) {
        const s = String(v);
        ascii = false; // not among the values compared for the bounds: leave them to stats.ts
        if (cap - pos < s.length) buf = grow(buf, pos, (cap = Math.max(cap * 2, pos + s.length)));
        pos += buf.write(s, pos);
      } else {
        throw invalid(column, i, v, binary ? 'binary (Uint8Array)' : 'a string');
      }
    }
    offsets[i + 1] = pos;
  }
  return { valueOffsets: offsets, data: new Uint8Array(buf.buffer, buf.byteOffset, pos), bounds: ascii && lo !== null && hi !== null ? [lo, hi] : null };
}

function grow(buf: Buffer, used: number, cap: number): Buffer {
  const next: Buffer = Buffer.allocUnsafe(cap);
  buf.copy(next, 0, 0, used);
  return next;
}

/** Decimal128 little-endian words; values may be numbers, numeric strings or bigints (unscaled when bigint). */
function decimals(values: readonly unknown[], [precision, scale]: [number, number], column: string): Uint32Array {
  const out = new Uint32Array(values.length * 4);
  const limit = 10n ** BigInt(precision);
  const mask = (1n << 32n) - 1n;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    let unscaled: bigint;
    if (typeof v === 'bigint') unscaled = v;
    else if (typeof v === 'number' || typeof v === 'string') unscaled = scaleDecimal(String(v), scale, column, i);
    else throw invalid(column, i, v, 'a decimal (number or numeric string)');
    if (unscaled >= limit || unscaled <= -limit) throw invalid(column, i, v, `a decimal with at most ${precision - scale} integer digits`);
    let x = BigInt.asUintN(128, unscaled);
    for (let w = 0; w < 4; w++) { out[i * 4 + w] = Number(x & mask); x >>= 32n; }
  }
  return out;
}

function scaleDecimal(s: string, scale: number, column: string, i: number): bigint {
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(s);
  if (m === null || (m[2] === '' && (m[3] ?? '') === '')) throw invalid(column, i, s, 'a decimal');
  let digits = (m[2] ?? '') + (m[3] ?? '');
  let exp = Number(m[4] ?? '0') - (m[3] ?? '').length + scale;
  if (exp >= 0) digits += '0'.repeat(exp);
  else {
    // round half up on the dropped digits, as Spark does when casting to a smaller scale
    const keep = digits.slice(0, Math.max(0, digits.length + exp));
    const dropped = digits.slice(Math.max(0, digits.length + exp));
    digits = keep === '' ? '0' : keep;
    exp = 0;
    if ((dropped[0] ?? '0') >= '5') return (m[1] === '-' ? -1n : 1n) * (BigInt(digits) + 1n);
  }
  return (m[1] === '-' ? -1n : 1n) * BigInt(digits === '' ? '0' : digits);
}
