// Exact DECIMAL arithmetic for expressions: values as unscaled bigints at a scale, Spark's result
// precision and scale for + - * / %, HALF_UP rounding for CAST and for results that lose digits, and
// NULL (never a wrapped or clamped value) when a result does not fit its precision.
import { decimalFromUnscaled, decimalParams } from '../schema/values/index.ts';
import type { ExprType } from './values.ts';

export const MAX_PRECISION = 38;

export interface Dec {
  readonly unscaled: bigint;
  readonly scale: number;
}

export interface DecType {
  readonly p: number;
  readonly s: number;
}

const POW10: bigint[] = [1n];
export function pow10(n: number): bigint {
  for (let i = POW10.length; i <= n; i++) POW10.push((POW10[i - 1] as bigint) * 10n);
  return POW10[n] as bigint;
}

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** The exact value of decimal text in any form Spark's Decimal.fromString takes (`12.30`, `-.5`,
 * `1e3`, surrounding blanks); undefined when it is no number. */
export function parseDec(text: string): Dec | undefined {
  const m = DECIMAL_TEXT.exec(text.trim());
  if (m === null) return undefined;
  const int = m[2] ?? '';
  const frac = m[3] ?? '';
  if (int === '' && frac === '') return undefined;
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (Math.abs(exp) > 10_000) return undefined;
  let unscaled = BigInt(int + frac);
  if (m[1] === '-') unscaled = -unscaled;
  let scale = frac.length - exp;
  if (scale < 0) {
    unscaled *= pow10(-scale);
    scale = 0;
  }
  return { unscaled, scale };
}

/** The exact decimal a row value stands for: decimal text, an integer (number or bigint), or a
 * double taken at its shortest round-trip text, as Spark's Decimal(double) does. */
export function decOf(v: unknown): Dec | undefined {
  switch (typeof v) {
    case 'string': return parseDec(v);
    case 'bigint': return { unscaled: v, scale: 0 };
    case 'number':
      if (Number.isSafeInteger(v)) return { unscaled: BigInt(v), scale: 0 };
      return Number.isFinite(v) ? parseDec(String(v)) : undefined;
    case 'boolean': return { unscaled: v ? 1n : 0n, scale: 0 };
    default: return undefined;
  }
}

/** Division rounded HALF_UP (halves away from zero), as java.math.RoundingMode.HALF_UP. */
export function divHalfUp(num: bigint, den: bigint): bigint {
  const q = num / den;
  const r = num % den;
  if (r === 0n) return q;
  const twice = (r < 0n ? -r : r) * 2n;
  const absDen = den < 0n ? -den : den;
  if (twice < absDen) return q;
  return (num < 0n) !== (den < 0n) ? q - 1n : q + 1n;
}

/** The unscaled value at another scale: exact when the scale grows, HALF_UP when it shrinks. */
export function rescale(d: Dec, scale: number): bigint {
  if (scale === d.scale) return d.unscaled;
  if (scale > d.scale) return d.unscaled * pow10(scale - d.scale);
  return divHalfUp(d.unscaled, pow10(d.scale - scale));
}

/** The unscaled value at `scale` when it fits `p` digits, else null (Spark's changePrecision). */
export function toPrecision(d: Dec, p: number, scale: number): bigint | null {
  const u = rescale(d, scale);
  const lim = pow10(p);
  return u < lim && u > -lim ? u : null;
}

/** Canonical decimal(p,s) text of a value, rounded HALF_UP; null when it overflows the precision. */
export function decimalText(d: Dec | undefined, p: number, s: number): string | null {
  if (d === undefined) return null;
  const u = toPrecision(d, p, s);
  return u === null ? null : decimalFromUnscaled(u, s);
}

/** Integer part, truncated toward zero (Decimal.toLong before it wraps). */
export function truncToInteger(d: Dec): bigint {
  return d.scale === 0 ? d.unscaled : d.unscaled / pow10(d.scale);
}

export function compareDec(a: Dec, b: Dec): number {
  const s = Math.max(a.scale, b.scale);
  const x = rescale(a, s);
  const y = rescale(b, s);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** DECIMAL precision and scale of a type: decimals as they are, integral types as Spark widens them
 * (TINYINT 3, SMALLINT 5, INT 10, BIGINT 20 digits); null for anything else. */
export function decTypeOf(t: ExprType): DecType | null {
  if (typeof t !== 'string') return null;
  if (t.startsWith('decimal(')) {
    const { precision, scale } = decimalParams(t);
    return { p: precision, s: scale };
  }
  switch (t) {
    case 'byte': return { p: 3, s: 0 };
    case 'short': return { p: 5, s: 0 };
    case 'integer': return { p: 10, s: 0 };
    case 'long': return { p: 20, s: 0 };
    default: return null;
  }
}

/** Spark's DecimalType.adjustPrecisionScale (spark.sql.decimalOperations.allowPrecisionLoss, the
 * default): beyond 38 digits the integer digits are kept and the scale gives way, down to 6. */
function bounded(p: number, s: number): DecType {
  if (p <= MAX_PRECISION) return { p, s };
  const intDigits = p - s;
  const minScale = Math.min(s, 6);
  return { p: MAX_PRECISION, s: Math.max(MAX_PRECISION - intDigits, minScale) };
}

export type DecOp = '+' | '-' | '*' | '/' | '%';

/** The result type of a decimal operation, by Spark's DecimalPrecision rules. */
export function decResultType(op: DecOp, a: DecType, b: DecType): DecType {
  switch (op) {
    case '+':
    case '-': {
      const s = Math.max(a.s, b.s);
      return bounded(s + Math.max(a.p - a.s, b.p - b.s) + 1, s);
    }
    case '*': return bounded(a.p + b.p + 1, a.s + b.s);
    case '/': {
      const s = Math.max(6, a.s + b.p + 1);
      return bounded(a.p - a.s + b.s + s, s);
    }
    case '%': {
      const s = Math.max(a.s, b.s);
      return bounded(Math.min(a.p - a.s, b.p - b.s) + s, s);
    }
  }
}

/** The wider of two decimal types (CASE branches, coalesce, IN lists): room for both. */
export function widerDec(a: DecType, b: DecType): DecType {
  const s = Math.max(a.s, b.s);
  const intDigits = Math.max(a.p - a.s, b.p - b.s);
  // Spark's widerDecimalType caps both at 38 (DecimalType.bounded), so very wide pairs lose integer digits.
  return { p: Math.min(MAX_PRECISION, intDigits + s), s: Math.min(s, MAX_PRECISION) };
}

export const decTypeName = (d: DecType): ExprType => `decimal(${d.p},${d.s})`;

/** One exact operation; null for division by zero and for a result beyond the result precision. */
export function decArith(op: DecOp, x: Dec, y: Dec, out: DecType): string | null {
  let u: bigint;
  switch (op) {
    case '+':
    case '-': {
      const s = Math.max(x.scale, y.scale);
      const a = rescale(x, s);
      const b = rescale(y, s);
      return fit({ unscaled: op === '+' ? a + b : a - b, scale: s }, out);
    }
    case '*':
      return fit({ unscaled: x.unscaled * y.unscaled, scale: x.scale + y.scale }, out);
    case '/': {
      if (y.unscaled === 0n) return null;
      // x / y at scale out.s: x.u * 10^(out.s - x.s + y.s) / y.u, rounded HALF_UP.
      const e = out.s - x.scale + y.scale;
      u = e >= 0 ? divHalfUp(x.unscaled * pow10(e), y.unscaled) : divHalfUp(x.unscaled, y.unscaled * pow10(-e));
      return fit({ unscaled: u, scale: out.s }, out);
    }
    case '%': {
      if (y.unscaled === 0n) return null;
      const s = Math.max(x.scale, y.scale);
      // Truncated remainder with the dividend's sign, as BigDecimal.remainder.
      return fit({ unscaled: rescale(x, s) % rescale(y, s), scale: s }, out);
    }
  }
}

function fit(d: Dec, t: DecType): string | null {
  const u = toPrecision(d, t.p, t.s);
  return u === null ? null : decimalFromUnscaled(u, t.s);
}

/** Negation of canonical decimal text, with no minus on zero. */
export function negateDecimalText(text: string): string {
  if (text.startsWith('-')) return text.slice(1);
  return /^[0.]+$/.test(text) ? text : `-${text}`;
}

/** DECIMAL(p,s) of a literal as Spark types it: its digits and its fraction digits (`1.19` is
 * decimal(3,2), `0.05` decimal(2,2)); null past 38 digits. */
export function literalDecType(d: Dec): DecType | null {
  const digits = (d.unscaled < 0n ? -d.unscaled : d.unscaled).toString().length;
  const p = Math.max(digits, d.scale);
  return p > MAX_PRECISION ? null : { p: Math.max(p, 1), s: d.scale };
}
