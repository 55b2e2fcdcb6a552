// CAST(x AS type) with Spark's (non-ANSI) rules: invalid input becomes NULL instead of failing the row.
// What a value is depends on its static type (a bigint is a TIMESTAMP's microseconds or a BIGINT);
// where no type is known, the value's JavaScript form decides, as JSON gives it.
import type { DataType } from '../core/schema.ts';
import {
  castStringToBoolean, dayOfTimestamp, decimalParams, isDateInRange, isTimestampInRange, longValue, LONG_MAX, LONG_MIN, parseDate, parseTimestamp,
  timestampFromDate, timestampOfDay, US_PER_SECOND, valueToString,
} from '../schema/values/index.ts';
import { type Dec, decOf, decimalText, parseDec, pow10, truncToInteger } from './decimal.ts';
import { LocalError } from './errors.ts';
import { type ExprType, INTEGRAL, parseDouble } from './values.ts';

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

/** What a value is, for a cast: the static type's class, or the JavaScript form's when untyped. */
type Kind = 'string' | 'integral' | 'fractional' | 'decimal' | 'boolean' | 'date' | 'timestamp' | 'binary' | 'other';

function kindOfType(t: ExprType): Kind | null {
  if (t === 'unknown') return null;
  if (typeof t === 'object') return 'other';
  if (INTEGRAL.has(t)) return 'integral';
  if (t.startsWith('decimal(')) return 'decimal';
  switch (t) {
    case 'string': return 'string';
    case 'double': case 'float': return 'fractional';
    case 'boolean': return 'boolean';
    case 'date': return 'date';
    case 'timestamp': case 'timestamp_ntz': return 'timestamp';
    case 'binary': return 'binary';
    default: return 'other';
  }
}

/** Whether a value has the JavaScript form its kind is held in. */
function fits(v: unknown, k: Kind): boolean {
  switch (k) {
    case 'string': return typeof v === 'string';
    case 'integral': return typeof v === 'bigint' || Number.isInteger(v);
    case 'date': return Number.isInteger(v);
    case 'fractional': return typeof v === 'number';
    case 'decimal': return typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint';
    case 'boolean': return typeof v === 'boolean';
    case 'timestamp': return typeof v === 'bigint';
    case 'binary': return v instanceof Uint8Array;
    case 'other': return true;
  }
}

/** The kind of an untyped value (as JSON gives it: a bigint is a BIGINT), and the value to cast. A
 * JavaScript Date, which API callers may still hand in, is taken as the timestamp it stands for. */
function kindOfValue(v: unknown): [Kind, unknown] {
  switch (typeof v) {
    case 'string': return ['string', v];
    case 'bigint': return ['integral', v];
    case 'number': return [Number.isSafeInteger(v) ? 'integral' : 'fractional', v];
    case 'boolean': return ['boolean', v];
    default:
      if (v instanceof Uint8Array) return ['binary', v];
      if (v instanceof Date) {
        const us = timestampFromDate(v);
        return us === undefined ? ['other', null] : ['timestamp', us];
      }
      return ['other', v];
  }
}

type Conv = (v: unknown, k: Kind) => unknown;

/** Builds the converter for one cast; `from` is the static type of the input, when known. */
export function castFunction(to: DataType, from: ExprType): (v: unknown) => unknown {
  if (to === 'string') return (v) => valueToString(v, from);
  const conv = converter(to, from);
  const k = kindOfType(from);
  if (k === null) {
    return (v) => {
      const [kind, x] = kindOfValue(v);
      return conv(x, kind);
    };
  }
  // A value not in its type's form (a Date in a timestamp column, say) is read by its own form.
  return (v) => {
    if (fits(v, k)) return conv(v, k);
    const [kind, x] = kindOfValue(v);
    return conv(x, kind);
  };
}

const INT_BITS: Record<string, number> = { integer: 32, short: 16, byte: 8 };

function converter(to: DataType, from: ExprType): Conv {
  if (typeof to === 'object') throw new LocalError(`cannot cast to ${to.type}`, { expected: 'a primitive type' });
  if (to.startsWith('decimal(')) {
    const { precision, scale } = decimalParams(to);
    return (v, k) => toDecimal(v, k, precision, scale);
  }
  const bits = INT_BITS[to];
  if (bits !== undefined) return (v, k) => toIntegral(v, k, bits);
  switch (to) {
    case 'double': return toDouble;
    case 'float': return (v, k) => {
      const d = toDouble(v, k);
      return d === null ? null : Math.fround(d);
    };
    case 'long': return toLong;
    case 'boolean': return toBoolean;
    case 'timestamp': case 'timestamp_ntz': return toTimestamp;
    case 'date': return toDate;
    case 'binary': {
      const width = from === 'integer' ? 4 : from === 'short' ? 2 : from === 'byte' ? 1 : 8;
      return (v, k) => toBinary(v, k, width);
    }
    default: throw new LocalError(`cannot cast to ${to}`, { expected: 'a primitive type' });
  }
}

function toDouble(v: unknown, k: Kind): number | null {
  switch (k) {
    case 'fractional': return v as number;
    case 'integral': return Number(v);
    case 'string': return parseDouble(v as string);
    case 'decimal': return typeof v === 'string' ? parseDouble(v) : Number(v);
    case 'boolean': return v === true ? 1 : 0;
    case 'timestamp': return Number(v) / US_PER_SECOND;
    default: return null; // Spark casts a date to no number: NULL
  }
}

/** Integer part of a numeric string, as Spark's UTF8String.toLong: "12.9" is 12, "1e3" is not a number. */
function integralText(s: string): bigint | null {
  const m = /^([+-]?)(\d+)(?:\.\d*)?$|^([+-]?)\.\d+$/.exec(s.trim());
  if (m === null) return null;
  if (m[2] === undefined) return 0n;
  const n = BigInt(m[2]);
  return m[1] === '-' ? -n : n;
}

/** Seconds of a timestamp, floored (Spark's timestampToLong). */
export function floorSeconds(us: bigint): bigint {
  const s = us / 1_000_000n;
  return us < 0n && s * 1_000_000n !== us ? s - 1n : s;
}

/** Java's (long) of a double: truncated, NaN 0, saturated at the range ends. */
function doubleToLong(d: number): bigint {
  if (Number.isNaN(d)) return 0n;
  if (d >= 2 ** 63) return LONG_MAX;
  if (d <= -(2 ** 63)) return LONG_MIN;
  return BigInt(Math.trunc(d));
}

function toLong(v: unknown, k: Kind): number | bigint | null {
  switch (k) {
    case 'integral': return typeof v === 'bigint' ? longValue(BigInt.asIntN(64, v)) : v as number;
    case 'fractional': {
      const d = v as number;
      return Number.isSafeInteger(d) ? d : longValue(doubleToLong(d));
    }
    case 'string': {
      const p = integralText(v as string);
      return p === null || p < LONG_MIN || p > LONG_MAX ? null : longValue(p);
    }
    case 'decimal': {
      const d = decOf(v);
      return d === undefined ? null : longValue(BigInt.asIntN(64, truncToInteger(d)));
    }
    case 'boolean': return v === true ? 1 : 0;
    case 'timestamp': return longValue(floorSeconds(v as bigint));
    default: return null;
  }
}

function toIntegral(v: unknown, k: Kind, bits: number): number | null {
  const lo = -(2 ** (bits - 1));
  const hi = 2 ** (bits - 1) - 1;
  switch (k) {
    case 'integral':
      // Integral narrowing wraps, as Java's int casts do.
      return typeof v === 'number' && v >= lo && v <= hi ? v : Number(BigInt.asIntN(bits, BigInt(v as number | bigint)));
    case 'fractional': {
      // Spark: (int) of the double, which saturates at INT's limits, then narrowed by wrapping.
      const d = v as number;
      if (Number.isNaN(d)) return 0;
      const i = Math.max(-2147483648, Math.min(2147483647, Math.trunc(d)));
      return Number(BigInt.asIntN(bits, BigInt(i)));
    }
    case 'string': {
      const p = integralText(v as string);
      return p === null || p < BigInt(lo) || p > BigInt(hi) ? null : Number(p);
    }
    case 'decimal': {
      const d = decOf(v);
      return d === undefined ? null : Number(BigInt.asIntN(bits, truncToInteger(d)));
    }
    case 'boolean': return v === true ? 1 : 0;
    case 'timestamp': return Number(BigInt.asIntN(bits, floorSeconds(v as bigint)));
    default: return null;
  }
}

function toBoolean(v: unknown, k: Kind): boolean | null {
  switch (k) {
    case 'boolean': return v as boolean;
    case 'string': return castStringToBoolean(v as string);
    case 'integral': case 'fractional': return typeof v === 'bigint' ? v !== 0n : v !== 0;
    case 'decimal': {
      const d = decOf(v);
      return d === undefined ? null : d.unscaled !== 0n;
    }
    case 'timestamp': return v !== 0n;
    default: return null; // dates, as Hive: NULL
  }
}

const US_N = BigInt(US_PER_SECOND);

function inRange(us: bigint): bigint | null {
  return isTimestampInRange(us) ? us : null;
}

function toTimestamp(v: unknown, k: Kind): bigint | null {
  switch (k) {
    case 'timestamp': return v as bigint;
    case 'string': return parseTimestamp(v as string) ?? null;
    case 'date': return isDateInRange(v as number) ? timestampOfDay(v as number) : null;
    // Numbers are seconds since the epoch.
    case 'integral': return inRange(BigInt(v as number | bigint) * US_N);
    case 'fractional': {
      const d = v as number;
      return Number.isFinite(d) ? inRange(doubleToLong(d * US_PER_SECOND)) : null;
    }
    case 'decimal': {
      const d = decOf(v);
      if (d === undefined) return null;
      return inRange(d.scale <= 6 ? d.unscaled * pow10(6 - d.scale) : d.unscaled / pow10(d.scale - 6));
    }
    case 'boolean': return v === true ? 1n : 0n;
    default: return null;
  }
}

function toDate(v: unknown, k: Kind): number | null {
  switch (k) {
    case 'date': return isDateInRange(v as number) ? v as number : null;
    case 'string': return parseDate(v as string) ?? null;
    case 'timestamp': return dayOfTimestamp(v as bigint);
    default: return null;
  }
}

function toDecimal(v: unknown, k: Kind, p: number, s: number): string | null {
  let d: Dec | undefined;
  switch (k) {
    case 'string': d = parseDec(v as string); break;
    case 'integral': case 'decimal': case 'boolean': d = decOf(v); break;
    // A double as its shortest decimal text (Spark's Decimal(double)), so 2.675 rounds to 2.68.
    case 'fractional': d = decOf(v); break;
    // Spark goes through the double of the seconds, losing digits beyond about 16.
    case 'timestamp': d = decOf(Number(v) / US_PER_SECOND); break;
    default: return null;
  }
  return decimalText(d, p, s);
}

function toBinary(v: unknown, k: Kind, width: number): Uint8Array | null {
  if (k === 'binary') return v as Uint8Array;
  if (k === 'string') return new TextEncoder().encode(v as string);
  if (k !== 'integral') return null;
  // Spark's NumberConverter.toBinary: the integer's big-endian two's-complement bytes.
  const out = new Uint8Array(width);
  let x = BigInt.asUintN(width * 8, BigInt(v as number | bigint));
  for (let i = width - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}
