// Builds Arrow columns straight into typed buffers from rows and a StructType (the write path's hot loop).
// It takes values in the value model's form only (src/schema/values): anything else is refused with
// RECORD_INVALID, and the caller conforms the batch's rows first (see prepare.ts).
import {
  Binary, Bool, DateDay, Decimal, Field, Float32, Float64, Int16, Int32, Int64, Int8, List, Map_, RecordBatch, Schema,
  Struct, Table, TimeUnit, Timestamp, Utf8, makeData, type Data, type DataType as ArrowType,
} from 'apache-arrow';
import { ErrorCodes, SinkError } from '../../core/errors.ts';
import type { Row } from '../../core/record.ts';
import { ownGetter } from '../../core/own.ts';
import { isDecimal, type DataType, type StructType } from '../../core/schema.ts';
import { inputRules, scalarConverter } from '../../schema/values/convert.ts';
import { isDateInRange, isTimestampInRange } from '../../schema/values/temporal.ts';
import { decimalParams as modelDecimalParams, parseDecimalText, unscaledDecimal } from '../../schema/values/numbers.ts';
import { columnValues, releaseColumnValues } from './columns.ts';

const TWO32 = 4294967296;

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
  const { precision, scale } = modelDecimalParams(t);
  return [precision, scale];
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
          if (typeof v === 'bigint') {
            if (isTs ? !isTimestampInRange(v) : BigInt.asIntN(64, v) !== v) throw invalid(column, i, v, isTs ? 'a timestamp in years 0001-9999' : 'a 64-bit integer');
            data[i] = v;
          } else if (!isTs && Number.isSafeInteger(v)) {
            putInt64(u32, i, v as number);
          } else {
            throw invalid(column, i, v, isTs ? 'a timestamp (bigint microseconds)' : 'a 64-bit integer');
          }
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
          if (typeof v !== 'boolean') throw invalid(column, i, v, 'a boolean');
          if (v) data[i >> 3] = (data[i >> 3] as number) | (1 << (i & 7));
        }
        return makeData({ ...base, data } as Parameters<typeof makeData>[0]);
      }
      case 'date': {
        const data = new Int32Array(n);
        for (let i = 0; i < n; i++) {
          const v = values[i];
          if (v === null || v === undefined) continue;
          if (typeof v !== 'number' || !isDateInRange(v)) throw invalid(column, i, v, 'a date (days since 1970-01-01, years 0001-9999)');
          data[i] = v;
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
        const get = ownGetter(f.name);
        for (let i = 0; i < n; i++) {
          const v = values[i];
          sub[i] = v === null || v === undefined ? null : get(v as Record<string, unknown>);
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
      const keyOf = t.keyType === 'string' || typeof t.keyType !== 'string' ? null : scalarConverter(t.keyType, inputRules('text'));
      const offsets = new Int32Array(n + 1);
      const keys: unknown[] = [];
      const vals: unknown[] = [];
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v !== null && v !== undefined) {
          const entries = v instanceof Map ? [...(v as Map<unknown, unknown>).entries()] : typeof v === 'object' ? Object.entries(v) : null;
          if (entries === null) throw invalid(column, i, v, 'a map (object or Map)');
          for (const [k, x] of entries) {
            // Map keys are held as text; a key type other than string takes its value from that text.
            const key = keyOf === null || typeof k !== 'string' ? k : keyOf(k);
            if (key === undefined) throw invalid(column, i, k, `a key of type ${typeof t.keyType === 'string' ? t.keyType : t.keyType.type}`);
            keys.push(key);
            vals.push(x);
          }
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
    if (typeof v !== 'number') throw invalid(column, i, v, integral ? `a whole number in [${lo}, ${hi}]` : 'a number');
    if (integral && (!Number.isInteger(v) || v < lo || v > hi)) throw invalid(column, i, v, `a whole number in [${lo}, ${hi}]`);
    data[i] = v;
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

/** Decimal128 little-endian words from canonical decimal text (the value model's decimals). */
function decimals(values: readonly unknown[], [precision, scale]: [number, number], column: string): Uint32Array {
  const out = new Uint32Array(values.length * 4);
  const mask = (1n << 32n) - 1n;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    const text = typeof v === 'string' ? parseDecimalText(v, precision, scale) : undefined;
    if (text === undefined) throw invalid(column, i, v, `decimal(${precision},${scale}) text`);
    let x = BigInt.asUintN(128, unscaledDecimal(text));
    for (let w = 0; w < 4; w++) { out[i * 4 + w] = Number(x & mask); x >>= 32n; }
  }
  return out;
}
