// Runtime value rules shared by operators and functions: static types, numeric and boolean views of
// values, and the comparison of values whose types need no conversion (see coerce.ts for the rest).
// Values are in the value model's forms (src/schema/values): which JavaScript form a value has says
// what it is only together with its static type (a bigint is a TIMESTAMP or a BIGINT).
import type { DataType } from '../core/schema.ts';
import { castStringToBoolean } from '../schema/values/index.ts';
import { decTypeOf, decTypeName, widerDec } from './decimal.ts';

export type ExprType = DataType | 'unknown';

export const INTEGRAL = new Set<ExprType>(['integer', 'long', 'short', 'byte']);
export const isNumericType = (t: ExprType): boolean => INTEGRAL.has(t) || t === 'double' || t === 'float' || (typeof t === 'string' && t.startsWith('decimal('));
export const isTemporal = (t: ExprType): boolean => t === 'timestamp' || t === 'date' || t === 'timestamp_ntz';
export const isTimestampType = (t: ExprType): boolean => t === 'timestamp' || t === 'timestamp_ntz';
export const isDecimalType = (t: ExprType): t is `decimal(${number},${number})` => typeof t === 'string' && t.startsWith('decimal(');

const NUMERIC_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?$/;

/** A string read as a double the way Spark's implicit cast does; null when it is not a number. */
export function parseDouble(s: string): number | null {
  const t = s.trim();
  if (NUMERIC_TEXT.test(t)) return Number(/[dDfF]$/.test(t) ? t.slice(0, -1) : t);
  const l = t.toLowerCase();
  if (l === 'nan') return NaN;
  if (l === 'infinity' || l === '+infinity' || l === 'inf' || l === '+inf') return Infinity;
  if (l === '-infinity' || l === '-inf') return -Infinity;
  return null;
}

/** Numeric view of a value for arithmetic; null when Spark would yield null. */
export function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') return parseDouble(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return null;
}

/** Boolean view of a value in a logical position; strings follow Spark's string-to-boolean cast. */
export function toBoolean(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isNaN(v) ? null : v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'string') return castStringToBoolean(v);
  return null;
}

/**
 * Three-way comparison of values whose static types need no conversion first (see coerce.ts for
 * timestamps, dates and decimals): numbers with numeric strings compare as doubles, integers beyond
 * 2^53 exactly, booleans as false < true. Null when the values do not compare.
 */
export function compare(a: unknown, b: unknown): number | null {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : a === b ? 0 : nanOrder(a, b);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (a === null || a === undefined || b === null || b === undefined) return null;
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    if ((typeof a === 'bigint' || isWhole(a)) && (typeof b === 'bigint' || isWhole(b))) {
      const x = BigInt(a);
      const y = BigInt(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
  if ((typeof a === 'boolean' || typeof b === 'boolean') && typeof a !== 'number' && typeof b !== 'number') {
    // A string meets a boolean as Spark's boolean cast reads it ('true', 'yes', '1' ...); numbers compare as 1 and 0.
    const x = typeof a === 'string' || typeof a === 'boolean' ? toBoolean(a) : null;
    const y = typeof b === 'string' || typeof b === 'boolean' ? toBoolean(b) : null;
    return x === null || y === null ? null : x === y ? 0 : x ? 1 : -1;
  }
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b);
  if (typeof a === 'object' || typeof b === 'object') return deepEqual(a, b) ? 0 : null;
  const x = toNumber(a);
  const y = toNumber(b);
  if (x === null || y === null) return null;
  return x < y ? -1 : x > y ? 1 : x === y ? 0 : nanOrder(x, y);
}

/** Spark orders NaN above every other double and equal to itself. */
function nanOrder(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  return -1;
}

const isWhole = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    return ka.length === kb.length && ka.every((k) => deepEqual(ra[k], rb[k]));
  }
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b) === 0;
  // Nested primitives compare with coercion; an object never equals a primitive.
  return typeof a !== 'object' && typeof b !== 'object' && compare(a, b) === 0;
}

/** SQL equality after coercion; null when either side is null. */
export function equals(a: unknown, b: unknown): boolean | null {
  if (a === b) return a === null || a === undefined ? null : true;
  const c = compare(a, b);
  return c === null ? null : c === 0;
}

/** The common type two branches or operands widen to, as in Spark's type coercion (best effort). */
export function widen(a: ExprType, b: ExprType): ExprType {
  if (a === b) return a;
  if (a === 'unknown') return b;
  if (b === 'unknown') return a;
  const rank = ['byte', 'short', 'integer', 'long', 'float', 'double'];
  const ra = rank.indexOf(a as string);
  const rb = rank.indexOf(b as string);
  if (ra >= 0 && rb >= 0) return rank[Math.max(ra, rb)] as ExprType;
  if (isDecimalType(a) || isDecimalType(b)) {
    // A decimal with an integral type or another decimal stays exact; with a double it is a double.
    const da = decTypeOf(a);
    const db = decTypeOf(b);
    if (da !== null && db !== null) return decTypeName(widerDec(da, db));
    if (isNumericType(a) && isNumericType(b)) return 'double';
  }
  if (isNumericType(a) && isNumericType(b)) return 'double';
  if (isTemporal(a) && isTemporal(b)) return a === 'date' ? b : b === 'date' ? a : 'timestamp';
  if (a === 'string' || b === 'string') return 'string';
  return 'unknown';
}
