// Arithmetic, comparison and logical operators as closures, with fast paths for numbers and strings.
import type { BinaryOp } from './ast.ts';
import { type Part, type Eval, constant, dynamic, boolEval, fold } from './part.ts';
import { parseTimestampText, truncateToDay } from './timestamps.ts';
import { type ExprType, INTEGRAL, compare, equals, isNumericType, isTemporal, parseDouble, toNumber, toStr, widen } from './values.ts';

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

function arithmetic(op: NumOp, l: Part, r: Part): Part {
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

function slowCompare(op: CmpOp, a: unknown, b: unknown): boolean | null {
  const c = compare(a, b);
  return c === null ? null : testOrder(op, c);
}

function comparison(op: CmpOp, l: Part, r: Part): Part {
  const lf = l.fn;
  const rf = r.fn;
  let fn: Eval;
  if (r.konst && (typeof r.value === 'number' || typeof r.value === 'string')) {
    const k = r.value;
    const kt = typeof k;
    switch (op) {
      case '=': fn = (row) => { const a = lf(row); return typeof a === kt ? a === k : slowCompare(op, a, k); }; break;
      case '!=': fn = (row) => { const a = lf(row); return typeof a === kt ? a !== k : slowCompare(op, a, k); }; break;
      case '<': fn = (row) => { const a = lf(row); return typeof a === kt ? (a as number) < (k as number) : slowCompare(op, a, k); }; break;
      case '<=': fn = (row) => { const a = lf(row); return typeof a === kt ? (a as number) <= (k as number) : slowCompare(op, a, k); }; break;
      case '>': fn = (row) => { const a = lf(row); return typeof a === kt ? (a as number) > (k as number) : slowCompare(op, a, k); }; break;
      case '>=': fn = (row) => { const a = lf(row); return typeof a === kt ? (a as number) >= (k as number) : slowCompare(op, a, k); }; break;
    }
    if (typeof k === 'number' && Number.isNaN(k)) fn = (row) => slowCompare(op, lf(row), k);
  } else {
    fn = (row) => {
      const a = lf(row);
      const b = rf(row);
      if (typeof a === 'number' && typeof b === 'number' && a === a && b === b) return testOrder(op, a < b ? -1 : a > b ? 1 : 0);
      return slowCompare(op, a, b);
    };
  }
  return l.konst && r.konst ? fold(fn, 'boolean', l.pos) : dynamic(fn, 'boolean', l.pos);
}

function nullSafeEqual(l: Part, r: Part): Part {
  const lf = l.fn;
  const rf = r.fn;
  const fn: Eval = (row) => {
    const a = lf(row);
    const b = rf(row);
    const an = a === null || a === undefined;
    const bn = b === null || b === undefined;
    if (an || bn) return an && bn;
    return equals(a, b) === true;
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
    return (typeof a === 'string' ? a : (toStr(a, lt) ?? '')) + (typeof b === 'string' ? b : (toStr(b, rt) ?? ''));
  };
  const type: ExprType = typeof lt === 'object' && lt.type === 'array' ? lt : 'string';
  return l.konst && r.konst ? fold(fn, type, l.pos) : dynamic(fn, type, l.pos);
}

/**
 * A string literal compared with a typed column is converted once, as Spark casts it to the column's type:
 * `ts > '2024-01-01'` compares instants and `amount = '10'` numbers, without parsing the literal per row.
 */
function coerceLiteral(k: Part, other: ExprType): Part {
  if (!k.konst || typeof k.value !== 'string') return k;
  if (isTemporal(other)) {
    const d = parseTimestampText(k.value);
    return constant(d !== null && other === 'date' ? truncateToDay(d) : d, other, k.pos);
  }
  if (isNumericType(other)) return constant(parseDouble(k.value), 'double', k.pos);
  return k;
}

/** a DIV b: integral division truncated toward zero, a BIGINT; NULL on division by zero. */
function integralDivide(l: Part, r: Part): Part {
  const lf = l.fn;
  const rf = r.fn;
  const fn: Eval = (row) => {
    const a = lf(row);
    const b = rf(row);
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
  }
}

export function negate(p: Part): Part {
  const f = p.fn;
  const wrap = p.type === 'integer';
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
