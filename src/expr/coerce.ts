// Spark's implicit coercion where a comparison meets a timestamp, a date or a decimal: both sides are
// brought to one type first (a string or a date meeting a timestamp becomes a timestamp, a string
// meeting a date a date; decimals compare exactly with integers and decimals, as doubles with
// doubles and strings), then compared. Everything else compares as values.ts does.
import { castFunction } from './cast.ts';
import { compareDec, decOf, literalDecType, parseDec } from './decimal.ts';
import { decimalFromUnscaled } from '../schema/values/index.ts';
import { constant, type Part } from './part.ts';
import { type ExprType, compare, isDecimalType, isNumericType, isTemporal, isTimestampType, parseDouble, toNumber } from './values.ts';

export type Comparator = (a: unknown, b: unknown) => number | null;

/** The type both sides of a comparison are converted to, or null when plain compare() will do. */
function commonTemporal(lt: ExprType, rt: ExprType): 'timestamp' | 'timestamp_ntz' | 'date' | null {
  if (!isTemporal(lt) && !isTemporal(rt)) return null;
  if (isTimestampType(lt) && isTimestampType(rt)) return lt === rt ? lt as 'timestamp' | 'timestamp_ntz' : 'timestamp';
  if (isTimestampType(lt)) return lt as 'timestamp' | 'timestamp_ntz';
  if (isTimestampType(rt)) return rt as 'timestamp' | 'timestamp_ntz';
  return 'date';
}

/** A converter of values of type `from` to the temporal type `to`: the value itself when it is
 * already in that form, a cast otherwise. */
function toTemporal(to: 'timestamp' | 'timestamp_ntz' | 'date', from: ExprType): (v: unknown) => unknown {
  const cast = castFunction(to, from);
  const form = to === 'date' ? 'number' : 'bigint';
  return from === to ? (v) => (typeof v === form ? v : cast(v)) : cast;
}

function orderOf(x: unknown, y: unknown): number | null {
  if (x === null || x === undefined || y === null || y === undefined) return null;
  return (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
}

/** Decimals compare exactly with integers and decimals; with doubles and strings as doubles (Spark
 * widens a decimal and a string to DOUBLE for a comparison). */
function decimalComparator(lt: ExprType, rt: ExprType): Comparator {
  const asDouble = (t: ExprType): boolean => t === 'double' || t === 'float' || t === 'string';
  if (asDouble(lt) || asDouble(rt)) return (a, b) => compare(toNumber(a), toNumber(b));
  return (a, b) => {
    if (a === null || a === undefined || b === null || b === undefined) return null;
    // Decimal text of at most 15 digits converts to distinct doubles in the same order, so the
    // common case needs no bigint; longer text is compared exactly below.
    if (typeof a === 'string' && typeof b === 'string' && a.length <= 15 && b.length <= 15) {
      const x = Number(a);
      const y = Number(b);
      if (x === x && y === y) return x < y ? -1 : x > y ? 1 : 0;
    }
    // An untyped side is exact when it is an integer, a double when it has a fraction.
    if ((typeof a === 'number' && !Number.isInteger(a)) || (typeof b === 'number' && !Number.isInteger(b))) return compare(toNumber(a), toNumber(b));
    const x = decOf(a);
    const y = decOf(b);
    if (x === undefined || y === undefined) {
      const dx = typeof a === 'string' ? parseDouble(a) : toNumber(a);
      const dy = typeof b === 'string' ? parseDouble(b) : toNumber(b);
      return compare(dx, dy);
    }
    return compareDec(x, y);
  };
}

/** A three-way comparison of values of static types lt and rt (null when either is NULL or they do
 * not compare). Types that need no conversion get values.ts's compare itself. */
export function comparator(lt: ExprType, rt: ExprType): Comparator {
  const t = commonTemporal(lt, rt);
  if (t !== null) {
    const ca = toTemporal(t, lt);
    const cb = toTemporal(t, rt);
    return (a, b) => (a === null || a === undefined || b === null || b === undefined ? null : orderOf(ca(a), cb(b)));
  }
  if ((isDecimalType(lt) && (isNumericType(rt) || rt === 'string' || rt === 'unknown')) || (isDecimalType(rt) && (isNumericType(lt) || lt === 'string' || lt === 'unknown'))) {
    return decimalComparator(lt, rt);
  }
  return compare;
}

/** Whether two values of the same JavaScript type compare by their natural order (`<`, `===`): true
 * unless a coercion is needed (decimal text must not compare as text, nor a BIGINT meet a timestamp). */
export function naturalOrder(lt: ExprType, rt: ExprType, cmp: Comparator = comparator(lt, rt)): boolean {
  return cmp === compare || (isTemporal(lt) && lt === rt);
}

/** SQL equality built on a comparator: null when either side is NULL. */
export function equality(lt: ExprType, rt: ExprType): (a: unknown, b: unknown) => boolean | null {
  const cmp = comparator(lt, rt);
  return (a, b) => {
    const c = cmp(a, b);
    return c === null ? null : c === 0;
  };
}

/**
 * A literal compared with a typed operand is converted once, as Spark casts it to the operand's type:
 * `ts > '2024-01-01'` compares instants, `day = '2024-03-05'` days and `amount = '10'` numbers,
 * without reading the literal again per row. A decimal literal meeting a double becomes a double.
 */
export function coerceLiteral(k: Part, other: ExprType): Part {
  if (!k.konst || k.value === null) return k;
  if (isTemporal(other) && !isTemporal(k.type)) {
    const t = commonTemporal(k.type, other) ?? 'timestamp';
    return constant(castFunction(t, k.type)(k.value), t, k.pos);
  }
  if (typeof k.value === 'string' && k.type === 'string' && isNumericType(other)) return constant(parseDouble(k.value), 'double', k.pos);
  if (isDecimalType(k.type) && (other === 'double' || other === 'float' || INTEGRAL_OR_UNKNOWN.has(other))) {
    // Against a double Spark compares doubles; against an integer column a double holds every digit
    // that matters to the order, and lets the fast path of the comparison take it.
    return constant(toNumber(k.value), 'double', k.pos);
  }
  return k;
}

const INTEGRAL_OR_UNKNOWN = new Set<ExprType>(['integer', 'short', 'byte', 'unknown']);

/**
 * Orders values of type `t` against a bound written in a configuration (a number, or text such as
 * `2024-01-01` or `10.05`), the bound read as a literal of that type would be: an instant for a
 * timestamp, a day for a date, an exact decimal for a decimal. Null for other types, which compare
 * as plain numbers.
 */
export function boundComparator(t: ExprType, bound: number | string): ((v: unknown) => number | null) | null {
  if (isDecimalType(t)) {
    const d = parseDec(String(bound));
    const dt = d === undefined ? null : literalDecType(d);
    if (d === undefined || dt === null) return null;
    const k = decimalFromUnscaled(d.unscaled, dt.s);
    const cmp = comparator(t, `decimal(${dt.p},${dt.s})`);
    return (v) => cmp(v, k);
  }
  if (!isTemporal(t)) return null;
  const k = coerceLiteral(constant(bound, typeof bound === 'number' ? 'long' : 'string', 0), t);
  const cmp = comparator(t, k.type);
  const value = k.value;
  return (v) => cmp(v, value);
}
