// Bitwise operators & | ^ ~ << >> >>> on TINYINT, SMALLINT, INT and BIGINT values, in two's complement
// as Java computes them (Spark's semantics): INT shifts count modulo 32, BIGINT shifts modulo 64.
import type { BitwiseOp } from './ast.ts';
import { LocalError } from './errors.ts';
import { type Eval, type Part, dynamic, fold } from './part.ts';
import { type ExprType, INTEGRAL, widen } from './values.ts';

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

const isInt32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= INT_MIN && v <= INT_MAX;

/** A BIGINT-wide view of an integral value; null for NULL and for anything that is no integer. */
function wide(v: unknown): bigint | null {
  if (typeof v === 'bigint') return v;
  return typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : null;
}

/** A 64-bit result in the value model's form: a number within 2^53, a bigint beyond. */
function long(b: bigint): number | bigint {
  const r = BigInt.asIntN(64, b);
  return r >= BigInt(Number.MIN_SAFE_INTEGER) && r <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(r) : r;
}

function checkIntegral(op: string, t: ExprType): void {
  if (t !== 'unknown' && !INTEGRAL.has(t)) {
    throw new LocalError(`the bitwise operator ${op} takes integers, not ${typeof t === 'string' ? t : t.type}`, { expected: 'TINYINT, SMALLINT, INT or BIGINT operands (CAST(x AS BIGINT) for others)' });
  }
}

const done = (fn: Eval, type: ExprType, parts: readonly Part[], pos: number): Part =>
  parts.every((p) => p.konst) ? fold(fn, type, pos) : dynamic(fn, type, pos);

export function bitwiseOp(op: BitwiseOp, l: Part, r: Part): Part {
  checkIntegral(op, l.type);
  checkIntegral(op, r.type);
  return op === '<<' || op === '>>' || op === '>>>' ? shift(op, l, r) : logic(op, l, r);
}

function logic(op: '&' | '|' | '^', l: Part, r: Part): Part {
  const lf = l.fn;
  const rf = r.fn;
  const type = l.type === 'unknown' || r.type === 'unknown' ? 'unknown' : widen(l.type, r.type);
  const small = (x: number, y: number): number => (op === '&' ? x & y : op === '|' ? x | y : x ^ y);
  const big = (x: bigint, y: bigint): bigint => (op === '&' ? x & y : op === '|' ? x | y : x ^ y);
  const fn: Eval = (row) => {
    const x = lf(row);
    const y = rf(row);
    // Within 32 bits JavaScript's operators give the 64-bit result too (both sign-extend alike).
    if (isInt32(x) && isInt32(y)) return small(x, y);
    const a = wide(x);
    const b = wide(y);
    return a === null || b === null ? null : long(big(a, b));
  };
  return done(fn, type, [l, r], l.pos);
}

function shift(op: '<<' | '>>' | '>>>', l: Part, r: Part): Part {
  const lf = l.fn;
  const rf = r.fn;
  // TINYINT and SMALLINT shift as INT, as in Spark; an untyped value shifts as a BIGINT.
  const asInt = l.type !== 'long' && l.type !== 'unknown';
  const type: ExprType = asInt ? 'integer' : l.type;
  const fn: Eval = (row) => {
    const x = lf(row);
    const n = rf(row);
    const count = typeof n === 'bigint' ? Number(BigInt.asIntN(32, n)) : isInt32(n) ? n : null;
    if (count === null) return null;
    if (asInt) {
      if (!isInt32(x)) return null;
      return op === '<<' ? x << count : op === '>>' ? x >> count : (x >>> count) | 0;
    }
    const a = wide(x);
    if (a === null) return null;
    const k = BigInt(count & 63);
    return long(op === '<<' ? a << k : op === '>>' ? a >> k : BigInt.asUintN(64, a) >> k);
  };
  return done(fn, type, [l, r], l.pos);
}

export function bitwiseNot(p: Part): Part {
  checkIntegral('~', p.type);
  const f = p.fn;
  const fn: Eval = (row) => {
    const x = f(row);
    if (isInt32(x)) return ~x;
    const a = wide(x);
    return a === null ? null : long(~a);
  };
  return done(fn, p.type, [p], p.pos);
}
