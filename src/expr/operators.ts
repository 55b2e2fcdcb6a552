// Arithmetic, comparison and logical operators as closures, with fast paths for numbers and strings.
import { isDateInRange, valueToString } from '../schema/values/index.ts';
import type { BinaryOp } from './ast.ts';
import { bitwiseOp } from './bitwise.ts';
import { coerceLiteral, comparator, naturalOrder } from './coerce.ts';
import { type Dec, type DecType, decArith, decOf, decResultType, decTypeName, decTypeOf, literalDecType, negateDecimalText, pow10, truncToInteger } from './decimal.ts';
import { LocalError } from './errors.ts';
import { type Part, type Eval, constant, dynamic, boolEval, fold } from './part.ts';
import { type ExprType, INTEGRAL, isDecimalType, isNumericType, isTemporal, toNumber, widen } from './values.ts';

type NumOp = '+' | '-' | '*' | '/' | '%';

function numResult(op: NumOp, a: ExprType, b: ExprType): ExprType {
  if (op === '/') return 'double';
  if (INTEGRAL.has(a) && INTEGRAL.has(b)) return widen(a, b);
  if (a === 'string' || b === 'string' || (isNumericType(a) && isNumericType(b))) return 'double';
  if (a === 'double' || b === 'double' || a === 'float' || b === 'float') return 'double';
  return 'unknown';
}

/** The slow path: bigint operands, numeric strings, booleans; NULL when an operand is not a number. */
function slowArith(op: NumOp, a: unknown, b: unknown, wrapInt: boolean): unknown {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  if ((typeof a === 'bigint' || typeof b === 'bigint') && op !== '/') {
    const x = typeof a === 'bigint' ? a : Number.isInteger(a) ? BigInt(a as number) : null;
    const y = typeof b === 'bigint' ? b : Number.isInteger(b) ? BigInt(b as number) : null;
    if (x !== null && y !== null) {
      if ((op === '%') && y === 0n) return null;
      const r = BigInt.asIntN(64, op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : x % y);
      return r >= BigInt(Number.MIN_SAFE_INTEGER) && r <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(r) : r;
    }
  }
  const x = toNumber(a);
  const y = toNumber(b);
  if (x === null || y === null) return null;
  const r = numeric(op, x, y);
  return wrapInt && r !== null ? r | 0 : r;
}

function numeric(op: NumOp, x: number, y: number): number | null {
  switch (op) {
    case '+': return x + y;
    case '-': return x - y;
    case '*': return x * y;
    case '/': return y === 0 ? null : x / y;
    case '%': return y === 0 ? null : x % y;
  }
}

/** The decimal type an operand takes in decimal arithmetic: its own, an integral column's (INT is
 * decimal(10,0)), or an integer literal's digits (Spark's literalPickMinimumPrecision). */
function decOperandType(p: Part): DecType | null {
  if (p.konst && INTEGRAL.has(p.type) && (typeof p.value === 'number' || typeof p.value === 'bigint')) {
    const d = decOf(p.value);
    return d === undefined ? null : literalDecType(d);
  }
  return decTypeOf(p.type);
}

/** A decimal meeting a double, a float, a string or an untyped value is computed as a double. */
function asDouble(p: Part): Part {
  if (!isDecimalType(p.type)) return p;
  if (p.konst) return constant(toNumber(p.value), 'double', p.pos);
  const f = p.fn;
  return dynamic((row) => {
    const v = f(row);
    return v === null || v === undefined ? null : toNumber(v);
  }, 'double', p.pos);
}

/** Exact decimal arithmetic on unscaled integers, typed and bounded as Spark's DecimalPrecision says. */
function decimalArithmetic(op: NumOp, l: Part, r: Part, dl: DecType, dr: DecType): Part {
  const out = decResultType(op, dl, dr);
  const lf = l.fn;
  const rf = r.fn;
  const kl = l.konst ? (l.value === null ? null : (decOf(l.value) ?? null)) : undefined;
  const kr = r.konst ? (r.value === null ? null : (decOf(r.value) ?? null)) : undefined;
  const read = (f: Eval, k: Dec | null | undefined, row: Parameters<Eval>[0]): Dec | null => {
    if (k !== undefined) return k;
    const v = f(row);
    return v === null || v === undefined ? null : (decOf(v) ?? null);
  };
  const fn: Eval = (row) => {
    const x = read(lf, kl, row);
    if (x === null) return null;
    const y = read(rf, kr, row);
    return y === null ? null : decArith(op, x, y, out);
  };
  return l.konst && r.konst ? fold(fn, decTypeName(out), l.pos) : dynamic(fn, decTypeName(out), l.pos);
}

/** date + n, n + date and date - n move by days (Spark's date_add and date_sub); beyond years
 * 0001-9999 the result is NULL. Other arithmetic on dates and timestamps needs intervals. */
function dateArithmetic(op: NumOp, l: Part, r: Part): Part {
  const lt = l.type;
  const rt = r.type;
  const days = lt === 'date' ? l : r;
  const n = lt === 'date' ? r : l;
  const okOther = INTEGRAL.has(n.type) || n.type === 'unknown' || n.type === 'string';
  if (lt === 'date' && rt === 'date' && op === '-') throw new LocalError('subtracting dates gives an interval, which expressions do not support', { expected: 'datediff(end, start) for the days between two dates' });
  if (!okOther || !(op === '+' || (op === '-' && lt === 'date'))) {
    throw new LocalError(`${typeName(lt)} ${op} ${typeName(rt)} is not supported`, { expected: 'date + n or date - n (days), date_add, date_sub, datediff, or timestamp_seconds(unix_seconds(ts) + n)' });
  }
  const df = days.fn;
  const nf = n.fn;
  const sign = op === '-' ? -1 : 1;
  const fn: Eval = (row) => {
    const d = df(row);
    const k = nf(row);
    if (typeof d !== 'number' || k === null || k === undefined) return null;
    const x = typeof k === 'number' ? k : toNumber(k);
    if (x === null || !Number.isInteger(x)) return null;
    const out = d + sign * x;
    return isDateInRange(out) ? out : null;
  };
  return l.konst && r.konst ? fold(fn, 'date', l.pos) : dynamic(fn, 'date', l.pos);
}

const typeName = (t: ExprType): string => (typeof t === 'string' ? t : t.type);

function arithmetic(op: NumOp, l0: Part, r0: Part): Part {
  if (isTemporal(l0.type) || isTemporal(r0.type)) return dateArithmetic(op, l0, r0);
  if (isDecimalType(l0.type) || isDecimalType(r0.type)) {
    const dl = decOperandType(l0);
    const dr = decOperandType(r0);
    if (dl !== null && dr !== null) return decimalArithmetic(op, l0, r0, dl, dr);
  }
  const l = asDouble(l0);
  const r = asDouble(r0);
  const type = numResult(op, l.type, r.type);
  // Spark's INT arithmetic wraps on overflow; other integral types are kept as JS numbers.
  const wrap = type === 'integer';
  const lf = l.fn;
  const rf = r.fn;
  let fn: Eval;
  if (r.konst && typeof r.value === 'number' && !wrap && (op === '+' || op === '-' || op === '*')) {
    const k = r.value;
    if (op === '+') fn = (row) => { const a = lf(row); return typeof a === 'number' ? a + k : slowArith(op, a, k, wrap); };
    else if (op === '-') fn = (row) => { const a = lf(row); return typeof a === 'number' ? a - k : slowArith(op, a, k, wrap); };
    else fn = (row) => { const a = lf(row); return typeof a === 'number' ? a * k : slowArith(op, a, k, wrap); };
  } else if (op === '+') {
    fn = wrap
      ? (row) => { const a = lf(row); const b = rf(row); return typeof a === 'number' && typeof b === 'number' ? (a + b) | 0 : slowArith(op, a, b, wrap); }
      : (row) => { const a = lf(row); const b = rf(row); return typeof a === 'number' && typeof b === 'number' ? a + b : slowArith(op, a, b, wrap); };
  } else if (op === '-') {
    fn = wrap
      ? (row) => { const a = lf(row); const b = rf(row); return typeof a === 'number' && typeof b === 'number' ? (a - b) | 0 : slowArith(op, a, b, wrap); }
      : (row) => { const a = lf(row); const b = rf(row); return typeof a === 'number' && typeof b === 'number' ? a - b : slowArith(op, a, b, wrap); };
  } else if (op === '*') {
    fn = wrap
      ? (row) => { const a = lf(row); const b = rf(row); return typeof a === 'number' && typeof b === 'number' ? Math.imul(a, b) : slowArith(op, a, b, wrap); }
      : (row) => { const a = lf(row); const b = rf(row); return typeof a === 'number' && typeof b === 'number' ? a * b : slowArith(op, a, b, wrap); };
  } else {
    fn = (row) => { const a = lf(row); const b = rf(row); return typeof a === 'number' && typeof b === 'number' ? numeric(op, a, b) : slowArith(op, a, b, false); };
  }
  return l.konst && r.konst ? fold(fn, type, l.pos) : dynamic(fn, type, l.pos);
}

type CmpOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

function testOrder(op: CmpOp, c: number): boolean {
  switch (op) {
    case '=': return c === 0;
    case '!=': return c !== 0;
    case '<': return c < 0;
    case '<=': return c <= 0;
    case '>': return c > 0;
    case '>=': return c >= 0;
  }
}

function comparison(op: CmpOp, l: Part, r: Part): Part {
  const lf = l.fn;
  const rf = r.fn;
  const cmp = comparator(l.type, r.type);
  const slow = (a: unknown, b: unknown): boolean | null => {
    const c = cmp(a, b);
    return c === null ? null : testOrder(op, c);
  };
  let fn: Eval;
  const k = r.value;
  if (r.konst && naturalOrder(l.type, r.type, cmp) && (typeof k === 'number' || typeof k === 'string' || typeof k === 'bigint') && k === k) {
    const kt = typeof k;
    switch (op) {
      case '=': fn = (row) => { const a = lf(row); return typeof a === kt ? a === k : slow(a, k); }; break;
      case '!=': fn = (row) => { const a = lf(row); return typeof a === kt ? a !== k : slow(a, k); }; break;
      case '<': fn = (row) => { const a = lf(row); return typeof a === kt ? (a as number) < (k as number) : slow(a, k); }; break;
      case '<=': fn = (row) => { const a = lf(row); return typeof a === kt ? (a as number) <= (k as number) : slow(a, k); }; break;
      case '>': fn = (row) => { const a = lf(row); return typeof a === kt ? (a as number) > (k as number) : slow(a, k); }; break;
      case '>=': fn = (row) => { const a = lf(row); return typeof a === kt ? (a as number) >= (k as number) : slow(a, k); }; break;
    }
  } else if (naturalOrder(l.type, r.type, cmp)) {
    fn = (row) => {
      const a = lf(row);
      const b = rf(row);
      if (typeof a === 'number' && typeof b === 'number' && a === a && b === b) return testOrder(op, a < b ? -1 : a > b ? 1 : 0);
      return slow(a, b);
    };
  } else {
    fn = (row) => slow(lf(row), rf(row));
  }
  return l.konst && r.konst ? fold(fn, 'boolean', l.pos) : dynamic(fn, 'boolean', l.pos);
}

function nullSafeEqual(l: Part, r: Part): Part {
  const lf = l.fn;
  const rf = r.fn;
  const cmp = comparator(l.type, r.type);
  const fn: Eval = (row) => {
    const a = lf(row);
    const b = rf(row);
    const an = a === null || a === undefined;
    const bn = b === null || b === undefined;
    if (an || bn) return an && bn;
    return cmp(a, b) === 0;
  };
  return l.konst && r.konst ? fold(fn, 'boolean', l.pos) : dynamic(fn, 'boolean', l.pos);
}

function logical(op: 'AND' | 'OR', l: Part, r: Part): Part {
  const lf = boolEval(l);
  const rf = boolEval(r);
  // Three-valued logic: FALSE AND NULL is FALSE, TRUE OR NULL is TRUE, otherwise NULL wins.
  const fn: Eval = op === 'AND'
    ? (row) => {
        const a = lf(row);
        if (a === false) return false;
        const b = rf(row);
        if (b === false) return false;
        return a === null || b === null ? null : true;
      }
    : (row) => {
        const a = lf(row);
        if (a === true) return true;
        const b = rf(row);
        if (b === true) return true;
        return a === null || b === null ? null : false;
      };
  return l.konst && r.konst ? fold(fn, 'boolean', l.pos) : dynamic(fn, 'boolean', l.pos);
}

function concatOp(l: Part, r: Part): Part {
  const lf = l.fn;
  const rf = r.fn;
  const lt = l.type;
  const rt = r.type;
  const fn: Eval = (row) => {
    const a = lf(row);
    if (a === null || a === undefined) return null;
    const b = rf(row);
    if (b === null || b === undefined) return null;
    if (Array.isArray(a) && Array.isArray(b)) return [...(a as unknown[]), ...(b as unknown[])];
    return (typeof a === 'string' ? a : (valueToString(a, lt) ?? '')) + (typeof b === 'string' ? b : (valueToString(b, rt) ?? ''));
  };
  const type: ExprType = typeof lt === 'object' && lt.type === 'array' ? lt : 'string';
  return l.konst && r.konst ? fold(fn, type, l.pos) : dynamic(fn, type, l.pos);
}

/** a DIV b: integral division truncated toward zero, a BIGINT; NULL on division by zero. */
function integralDivide(l: Part, r: Part): Part {
  const lf = l.fn;
  const rf = r.fn;
  const exact = isDecimalType(l.type) || isDecimalType(r.type);
  const fn: Eval = (row) => {
    const a = lf(row);
    const b = rf(row);
    if (exact) return decimalDiv(a, b);
    if (typeof a === 'bigint' || typeof b === 'bigint') {
      const x = typeof a === 'bigint' ? a : typeof a === 'number' && Number.isInteger(a) ? BigInt(a) : null;
      const y = typeof b === 'bigint' ? b : typeof b === 'number' && Number.isInteger(b) ? BigInt(b) : null;
      if (x !== null && y !== null) return y === 0n ? null : BigInt.asIntN(64, x / y);
    }
    const x = toNumber(a);
    const y = toNumber(b);
    if (x === null || y === null || y === 0) return null;
    const q = Math.trunc(x / y);
    return q === 0 ? 0 : q;
  };
  return l.konst && r.konst ? fold(fn, 'long', l.pos) : dynamic(fn, 'long', l.pos);
}

/** Decimal DIV: the exact quotient truncated toward zero, as a BIGINT (wrapped to 64 bits, as Spark's). */
function decimalDiv(a: unknown, b: unknown): unknown {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  const x = decOf(a);
  const y = decOf(b);
  if (x === undefined || y === undefined || y.unscaled === 0n) return null;
  const s = Math.max(x.scale, y.scale);
  const q = truncToInteger({ unscaled: (x.unscaled * pow10(s - x.scale)) / (y.unscaled * pow10(s - y.scale)), scale: 0 });
  const w = BigInt.asIntN(64, q);
  return w >= BigInt(Number.MIN_SAFE_INTEGER) && w <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(w) : w;
}

export function binaryOp(op: BinaryOp, l: Part, r: Part): Part {
  switch (op) {
    case 'div':
      return integralDivide(l, r);
    case '+': case '-': case '*': case '/': case '%':
      return arithmetic(op, l, r);
    case '=': case '!=': case '<': case '<=': case '>': case '>=':
      return comparison(op, coerceLiteral(l, r.type), coerceLiteral(r, l.type));
    case '<=>':
      return nullSafeEqual(coerceLiteral(l, r.type), coerceLiteral(r, l.type));
    case 'AND': case 'OR':
      return logical(op, l, r);
    case '||':
      return concatOp(l, r);
    case '&': case '|': case '^': case '<<': case '>>': case '>>>':
      return bitwiseOp(op, l, r);
  }
}

export function negate(p: Part): Part {
  const f = p.fn;
  const wrap = p.type === 'integer';
  if (isTemporal(p.type)) throw new LocalError(`a ${typeName(p.type)} cannot be negated`, { expected: 'a number' });
  if (isDecimalType(p.type)) {
    const nf: Eval = (row) => {
      const v = f(row);
      if (typeof v === 'string') return negateDecimalText(v);
      return typeof v === 'bigint' || typeof v === 'number' ? -v : null;
    };
    return p.konst ? fold(nf, p.type, p.pos) : dynamic(nf, p.type, p.pos);
  }
  const fn: Eval = (row) => {
    const v = f(row);
    if (typeof v === 'number') return wrap ? -v | 0 : -v;
    if (typeof v === 'bigint') return BigInt.asIntN(64, -v);
    const n = toNumber(v);
    return n === null ? null : -n;
  };
  const type = isNumericType(p.type) ? p.type : p.type === 'string' ? 'double' : 'unknown';
  return p.konst ? fold(fn, type, p.pos) : dynamic(fn, type, p.pos);
}

export function not(p: Part): Part {
  const f = boolEval(p);
  const fn: Eval = (row) => {
    const v = f(row);
    return v === null ? null : !v;
  };
  return p.konst ? fold(fn, 'boolean', p.pos) : dynamic(fn, 'boolean', p.pos);
}
