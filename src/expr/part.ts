// The unit of compilation: a row closure with its static type, folded to a constant when it has no inputs.
import type { Row } from '../core/record.ts';
import type { StructType } from '../core/schema.ts';
import { LocalError } from './errors.ts';
import { valueToString } from '../schema/values/index.ts';
import { type ExprType, toBoolean } from './values.ts';

/** A compiled sub-expression. Closures may return undefined for NULL; the public API turns it into null. */
export type Eval = (row: Row) => unknown;

export interface Part {
  readonly fn: Eval;
  readonly type: ExprType;
  /** True when the value does not depend on the row (and the part is deterministic). */
  readonly konst: boolean;
  readonly value: unknown;
  readonly pos: number;
}

export interface Ctx {
  readonly source: string;
  readonly name: string | undefined;
  readonly schema: StructType | null;
  readonly columns: Set<string>;
  fail(pos: number, reason: string, expected?: string): never;
}

export function constant(value: unknown, type: ExprType, pos: number): Part {
  const v = value === undefined ? null : value;
  return { fn: () => v, type, konst: true, value: v, pos };
}

export function dynamic(fn: Eval, type: ExprType, pos: number): Part {
  return { fn, type, konst: false, value: undefined, pos };
}

/** Evaluates a part whose inputs are all constant, once, at compile time. */
export function fold(fn: Eval, type: ExprType, pos: number): Part {
  return constant(fn({}), type, pos);
}

/** A closure yielding true/false/null, coercing non-boolean values as Spark's boolean cast does. */
export function boolEval(p: Part): (row: Row) => boolean | null {
  const f = p.fn;
  if (p.type === 'boolean') return f as (row: Row) => boolean | null;
  return (row) => toBoolean(f(row));
}

/** A closure yielding a string or null (for null input), converting other values with Spark's string cast. */
export function strEval(p: Part): (row: Row) => string | null {
  const f = p.fn;
  const t = p.type;
  return (row) => {
    const v = f(row);
    return typeof v === 'string' ? v : v === undefined || v === null ? null : valueToString(v, t);
  };
}

/** The constant string value of a part, or a LocalError naming the argument when it is not a literal. */
export function constString(p: Part, what: string, argIndex: number): string | null {
  if (!p.konst) throw new LocalError(`${what} must be a literal`, { expected: `a quoted ${what}`, argIndex });
  return p.value === null ? null : valueToString(p.value, p.type);
}
