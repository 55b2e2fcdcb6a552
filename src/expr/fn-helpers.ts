// Helpers that give ordinary functions Spark's NULL-in, NULL-out behaviour, specialised by arity.
import type { Part, Eval } from './part.ts';
import { valueToString } from '../schema/values/index.ts';
import { type ExprType, toNumber } from './values.ts';

export interface FnDef {
  readonly min: number;
  readonly max: number;
  readonly returns: (args: readonly Part[]) => ExprType;
  /** Builds the row closure once; may throw LocalError (with argIndex) for bad literal arguments. */
  readonly build: (args: readonly Part[]) => Eval;
  /** Not folded to a constant even with constant arguments (current_timestamp). */
  readonly volatile?: boolean;
}

export const fixed = (t: ExprType) => (): ExprType => t;

const isNull = (v: unknown): v is null | undefined => v === null || v === undefined;

/** f(x), NULL when x is NULL. */
export function strict1(a: Part, f: (x: unknown) => unknown): Eval {
  const af = a.fn;
  return (row) => {
    const x = af(row);
    return isNull(x) ? null : f(x);
  };
}

export function strict2(a: Part, b: Part, f: (x: unknown, y: unknown) => unknown): Eval {
  const af = a.fn;
  const bf = b.fn;
  return (row) => {
    const x = af(row);
    if (isNull(x)) return null;
    const y = bf(row);
    return isNull(y) ? null : f(x, y);
  };
}

export function strict3(a: Part, b: Part, c: Part, f: (x: unknown, y: unknown, z: unknown) => unknown): Eval {
  const af = a.fn;
  const bf = b.fn;
  const cf = c.fn;
  return (row) => {
    const x = af(row);
    if (isNull(x)) return null;
    const y = bf(row);
    if (isNull(y)) return null;
    const z = cf(row);
    return isNull(z) ? null : f(x, y, z);
  };
}

/** f(s) over the string form of the argument; NULL stays NULL. */
export function onString(a: Part, f: (s: string) => unknown): Eval {
  const af = a.fn;
  const t = a.type;
  return (row) => {
    const v = af(row);
    if (typeof v === 'string') return f(v);
    if (isNull(v)) return null;
    const s = valueToString(v, t);
    return s === null ? null : f(s);
  };
}

/** The string form of an already non-null argument value. */
export const asStr = (v: unknown, t: ExprType): string => (typeof v === 'string' ? v : (valueToString(v, t) ?? ''));

/** An integer argument (positions, lengths, scales): numbers are truncated, numeric strings accepted. */
export function asInt(v: unknown): number | null {
  const n = typeof v === 'number' ? v : toNumber(v);
  return n === null || Number.isNaN(n) ? null : Math.trunc(n);
}
