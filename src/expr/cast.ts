// CAST(x AS type) with Spark's (non-ANSI) rules: invalid input becomes NULL instead of failing the row.
import type { DataType } from '../core/schema.ts';
import { LocalError } from './errors.ts';
import { type ExprType, INTEGRAL, parseDouble, toStr } from './values.ts';
import { roundHalfUp } from './numbers.ts';
import { parseTimestampText, truncateToDay } from './timestamps.ts';

const TYPE_NAMES: Record<string, DataType> = {
  string: 'string', varchar: 'string', char: 'string', text: 'string',
  int: 'integer', integer: 'integer', bigint: 'long', long: 'long', smallint: 'short', short: 'short', tinyint: 'byte', byte: 'byte',
  double: 'double', float: 'float', real: 'float', boolean: 'boolean', bool: 'boolean',
  date: 'date', timestamp: 'timestamp', timestamp_ltz: 'timestamp', timestamp_ntz: 'timestamp_ntz', binary: 'binary',
  decimal: 'decimal(10,0)', dec: 'decimal(10,0)', numeric: 'decimal(10,0)',
};

/** Resolves a Spark type name (`bigint`, `decimal(10,2)`, `varchar(5)`) to a DataType. */
export function parseTypeName(text: string): DataType {
  const t = text.trim().toLowerCase().replace(/\s+/g, '');
  const m = /^(\w+)(?:\((\d+)(?:,(\d+))?\))?$/.exec(t);
  const base = m?.[1];
  const known = base === undefined ? undefined : TYPE_NAMES[base];
  if (m === null || known === undefined) {
    throw new LocalError(`unknown type ${JSON.stringify(text)}`, { expected: 'STRING, INT, BIGINT, SMALLINT, TINYINT, DOUBLE, FLOAT, BOOLEAN, DATE, TIMESTAMP, BINARY or DECIMAL(p,s)' });
  }
  if (typeof known === 'string' && known.startsWith('decimal(')) {
    const p = m[2] === undefined ? 10 : Number(m[2]);
    const s = m[3] === undefined ? 0 : Number(m[3]);
    if (p < 1 || p > 38 || s > p) throw new LocalError(`invalid decimal precision/scale in ${JSON.stringify(text)}`, { expected: 'DECIMAL(p,s) with 1 <= p <= 38 and s <= p' });
    return `decimal(${p},${s})`;
  }
  return known;
}

const INT_RANGES: Record<string, [number, number]> = {
  integer: [-2147483648, 2147483647],
  short: [-32768, 32767],
  byte: [-128, 127],
};

/** Builds the converter for one cast; `from` is the static type of the input, when known. */
export function castFunction(to: DataType, from: ExprType): (v: unknown) => unknown {
  const f = castTo(to, from);
  // An invalid Date is no instant at all: NULL whatever the target.
  return (v) => (v instanceof Date && Number.isNaN(v.getTime()) ? null : f(v));
}

function castTo(to: DataType, from: ExprType): (v: unknown) => unknown {
  if (to === 'string') return (v) => toStr(v, from);
  if (to === 'double') return toDouble;
  if (to === 'float') return (v) => {
    const d = toDouble(v);
    return d === null ? null : Math.fround(d);
  };
  if (to === 'long') return toLong;
  if (typeof to === 'string' && INT_RANGES[to] !== undefined) {
    const [lo, hi] = INT_RANGES[to];
    const bits = to === 'integer' ? 32 : to === 'short' ? 16 : 8;
    return (v) => toIntegral(v, lo, hi, bits, INTEGRAL.has(from));
  }
  if (to === 'boolean') return castBoolean;
  if (to === 'timestamp' || to === 'timestamp_ntz') return toTimestamp;
  if (to === 'date') return toDate;
  if (to === 'binary') return (v) => (typeof v === 'string' ? new TextEncoder().encode(v) : v instanceof Uint8Array ? v : null);
  if (typeof to === 'string' && to.startsWith('decimal(')) {
    const [p = 10, s = 0] = to.slice(8, -1).split(',').map(Number);
    const limit = 10 ** (p - s);
    return (v) => {
      const d = toDouble(v);
      if (d === null || !Number.isFinite(d)) return null;
      const r = roundHalfUp(d, s);
      return Math.abs(r) >= limit ? null : r;
    };
  }
  throw new LocalError(`cannot cast to ${typeof to === 'string' ? to : to.type}`, { expected: 'a primitive type' });
}

function toDouble(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return parseDouble(v);
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.getTime() / 1000;
  return null;
}

/** Integer part of a numeric string, as Spark's UTF8String.toLong: "12.9" is 12, "1e3" is not a number. */
function integralText(s: string): bigint | null {
  const m = /^([+-]?)(\d+)(?:\.\d*)?$|^([+-]?)\.\d+$/.exec(s.trim());
  if (m === null) return null;
  if (m[2] === undefined) return 0n;
  const n = BigInt(m[2]);
  return m[1] === '-' ? -n : n;
}

const LONG_MIN = -9223372036854775808n;
const LONG_MAX = 9223372036854775807n;

function toLong(v: unknown): number | bigint | null {
  let b: bigint;
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 0;
    if (Number.isInteger(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER) return v;
    // Java's (long) cast of a double saturates at the range ends.
    b = v >= 2 ** 63 ? LONG_MAX : v <= -(2 ** 63) ? LONG_MIN : BigInt(Math.trunc(v));
  } else if (typeof v === 'bigint') {
    b = BigInt.asIntN(64, v);
  } else if (typeof v === 'string') {
    const p = integralText(v);
    if (p === null || p < LONG_MIN || p > LONG_MAX) return null;
    b = p;
  } else if (typeof v === 'boolean') {
    return v ? 1 : 0;
  } else if (v instanceof Date) {
    return Math.floor(v.getTime() / 1000);
  } else {
    return null;
  }
  return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
}

function toIntegral(v: unknown, lo: number, hi: number, bits: number, fromIntegral: boolean): number | null {
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 0;
    // Integral narrowing wraps (Java int casts); a double saturates at the type's limits.
    if (Number.isInteger(v) && (fromIntegral || (v >= lo && v <= hi))) return Number(BigInt.asIntN(bits, BigInt(v)));
    return Math.max(lo, Math.min(hi, Math.trunc(v)));
  }
  if (typeof v === 'bigint') return Number(BigInt.asIntN(bits, v));
  if (typeof v === 'string') {
    const p = integralText(v);
    return p === null || p < BigInt(lo) || p > BigInt(hi) ? null : Number(p);
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return Number(BigInt.asIntN(bits, BigInt(Math.floor(v.getTime() / 1000))));
  return null;
}

function castBoolean(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 't' || s === 'true' || s === 'y' || s === 'yes' || s === '1') return true;
    if (s === 'f' || s === 'false' || s === 'n' || s === 'no' || s === '0') return false;
    return null;
  }
  if (v instanceof Date) return v.getTime() !== 0;
  return null;
}

function toTimestamp(v: unknown): Date | null {
  if (v instanceof Date) return v;
  if (typeof v === 'string') return parseTimestampText(v);
  if (typeof v === 'number') return Number.isFinite(v) ? new Date(Math.round(v * 1000)) : null;
  if (typeof v === 'bigint') return new Date(Number(v) * 1000);
  return null;
}

function toDate(v: unknown): Date | null {
  if (v instanceof Date) return truncateToDay(v);
  if (typeof v === 'string') {
    const t = v.trim();
    const m = /^([+-]?\d{4,6})(?:-(\d{1,2})(?:-(\d{1,2})(?:[ T].*)?)?)?$/.exec(t);
    if (m === null) return null;
    const ts = parseTimestampText(`${m[1]}-${m[2] ?? '1'}-${m[3] ?? '1'}`);
    return ts === null ? null : truncateToDay(ts);
  }
  return null;
}
