// Runtime value rules shared by operators and functions: Spark's implicit coercions, comparison and string forms.
import type { DataType } from '../core/schema.ts';
import { parseTimestampText } from './timestamps.ts';

export type ExprType = DataType | 'unknown';

export const INTEGRAL = new Set<ExprType>(['integer', 'long', 'short', 'byte']);
export const isNumericType = (t: ExprType): boolean => INTEGRAL.has(t) || t === 'double' || t === 'float' || (typeof t === 'string' && t.startsWith('decimal('));
export const isTemporal = (t: ExprType): boolean => t === 'timestamp' || t === 'date' || t === 'timestamp_ntz';

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
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 't' || s === 'true' || s === 'y' || s === 'yes' || s === '1') return true;
    if (s === 'f' || s === 'false' || s === 'n' || s === 'no' || s === '0') return false;
  }
  return null;
}

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

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** Spark's string form of a timestamp (session time zone UTC): fraction digits only when non-zero. */
export function timestampToString(d: Date): string {
  if (Number.isNaN(d.getTime())) return 'null';
  const ms = d.getUTCMilliseconds();
  const frac = ms === 0 ? '' : `.${pad(ms, 3).replace(/0+$/, '')}`;
  return `${dateToString(d)} ${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}${frac}`;
}

export function dateToString(d: Date): string {
  const y = d.getUTCFullYear();
  return `${y < 0 ? '-' : ''}${pad(Math.abs(y), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

/** Any value as Spark would render it when cast to string; `type` tells doubles from integers and dates from timestamps. */
export function toStr(v: unknown, type: ExprType = 'unknown'): string | null {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') {
    if (type === 'double' || type === 'float' || (!Number.isInteger(v) && !INTEGRAL.has(type))) return doubleToString(v);
    return String(v);
  }
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return type === 'date' ? dateToString(v) : timestampToString(v);
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  if (Array.isArray(v)) return `[${v.map((x) => (x === null || x === undefined ? 'null' : toStr(x))).join(', ')}]`;
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `${toStr(k)} -> ${x === null || x === undefined ? 'null' : toStr(x)}`).join(', ')}}`;
  if (typeof v === 'object') return `{${Object.values(v as Record<string, unknown>).map((x) => (x === null || x === undefined ? 'null' : toStr(x))).join(', ')}}`;
  return null; // symbols and functions have no SQL string form
}

/**
 * Three-way comparison with Spark's implicit coercion: numbers with numeric strings compare as doubles,
 * timestamps with strings as timestamps, booleans as false < true. Null when the values do not compare.
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
  if (a instanceof Date || b instanceof Date) {
    const x = a instanceof Date ? a.getTime() : typeof a === 'string' ? (parseTimestampText(a)?.getTime() ?? NaN) : NaN;
    const y = b instanceof Date ? b.getTime() : typeof b === 'string' ? (parseTimestampText(b)?.getTime() ?? NaN) : NaN;
    return Number.isNaN(x) || Number.isNaN(y) ? null : x < y ? -1 : x > y ? 1 : 0;
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
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
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
  if (isNumericType(a) && isNumericType(b)) return 'double';
  if ((a === 'date' && b === 'timestamp') || (a === 'timestamp' && b === 'date')) return 'timestamp';
  if (a === 'string' || b === 'string') return 'string';
  return 'unknown';
}
