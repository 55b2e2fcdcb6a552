// IN, BETWEEN, LIKE/RLIKE, IS [NOT] NULL/TRUE/FALSE and CASE as closures with SQL NULL semantics.
import type { Row } from '../core/record.ts';
import { valueToString } from '../schema/values/index.ts';
import { castFunction } from './cast.ts';
import { coerceLiteral, comparator, equality, naturalOrder } from './coerce.ts';
import { LocalError, atRuntime } from './errors.ts';
import { type Part, type Eval, dynamic, fold, boolEval, strEval } from './part.ts';
import { compileRegex } from './regex.ts';
import { type ExprType, toBoolean, widen } from './values.ts';

const done = (fn: Eval, type: ExprType, parts: readonly Part[], pos: number): Part =>
  parts.every((p) => p.konst) ? fold(fn, type, pos) : dynamic(fn, type, pos);

/** x IN (list): TRUE if found; otherwise NULL when x or any list item is NULL; otherwise FALSE. */
export function inList(arg: Part, items0: readonly Part[], negated: boolean, pos: number): Part {
  const af = arg.fn;
  // Literals are converted to the value's type once, as for a comparison (`ts IN ('2024-01-01')`).
  const items = items0.map((p) => coerceLiteral(p, arg.type));
  const literals = items.filter((p) => p.konst && p.value !== null);
  const hasNull = items.some((p) => p.konst && p.value === null);
  const dynamicItems = items.filter((p) => !p.konst).map((p) => ({ f: p.fn, eq: equality(arg.type, p.type) }));
  const kinds = new Set(literals.map((p) => typeof p.value));
  const natural = literals.every((p) => naturalOrder(arg.type, p.type));
  const simple = natural && kinds.size === 1 && (kinds.has('string') || kinds.has('number') || kinds.has('bigint'));
  const set = new Set(literals.map((p) => p.value));
  const kind = simple ? [...kinds][0] : undefined;
  const values = literals.map((p) => ({ k: p.value, eq: equality(arg.type, p.type) }));
  const fn: Eval = (row) => {
    const v = af(row);
    if (v === null || v === undefined) return null;
    let unknown = hasNull;
    if (typeof v === kind) {
      if (set.has(v)) return !negated;
    } else {
      for (const { k, eq } of values) {
        const e = eq(v, k);
        if (e === true) return !negated;
        if (e === null) unknown = true;
      }
    }
    for (const { f, eq } of dynamicItems) {
      const e = eq(v, f(row));
      if (e === true) return !negated;
      if (e === null) unknown = true;
    }
    return unknown ? null : negated;
  };
  return done(fn, 'boolean', [arg, ...items], pos);
}

export function between(arg: Part, low0: Part, high0: Part, negated: boolean, pos: number): Part {
  const low = coerceLiteral(low0, arg.type);
  const high = coerceLiteral(high0, arg.type);
  const af = arg.fn;
  const lf = low.fn;
  const hf = high.fn;
  const cl = comparator(arg.type, low.type);
  const ch = comparator(arg.type, high.type);
  const fn: Eval = (row) => {
    const v = af(row);
    const a = cl(v, lf(row));
    const b = ch(v, hf(row));
    const ge = a === null ? null : a >= 0;
    const le = b === null ? null : b <= 0;
    const r = ge === false || le === false ? false : ge === null || le === null ? null : true;
    return r === null ? null : negated ? !r : r;
  };
  return done(fn, 'boolean', [arg, low, high], pos);
}

/** Compiles a LIKE pattern: % any run, _ one character, escape + (%, _ or escape) a literal. */
export function likeMatcher(pattern: string, escape: string): (s: string) => boolean {
  let re = '';
  let plain = '';
  let onlyPlain = true;
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] ?? '';
    if (c === escape) {
      const n = chars[i + 1];
      if (n === undefined) throw new LocalError(`the LIKE pattern ${JSON.stringify(pattern)} ends with the escape character`, { expected: 'a character after the escape' });
      if (n !== '%' && n !== '_' && n !== escape) throw new LocalError(`the escape character may not precede ${JSON.stringify(n)} in the LIKE pattern ${JSON.stringify(pattern)}`, { expected: `${escape}%, ${escape}_ or ${escape}${escape}` });
      re += n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      plain += n;
      i++;
    } else if (c === '%') {
      re += '[\\s\\S]*';
      onlyPlain = false;
    } else if (c === '_') {
      re += '[\\s\\S]';
      onlyPlain = false;
    } else {
      re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      plain += c;
    }
  }
  if (onlyPlain) return (s) => s === plain;
  const m = /^([^%_]*)%$/.exec(pattern);
  if (m !== null && !pattern.includes(escape)) {
    const prefix = m[1] ?? '';
    return (s) => s.startsWith(prefix);
  }
  const rx = new RegExp(`^${re}$`, 'u');
  return (s) => rx.test(s);
}

export function like(arg: Part, pattern: Part, regex: boolean, escape: string, negated: boolean, pos: number): Part {
  const af = strEval(arg);
  const build = (p: string): ((s: string) => boolean) => {
    if (!regex) return likeMatcher(p, escape);
    const rx = compileRegex(p, false);
    return (s) => rx.test(s);
  };
  let fn: Eval;
  if (pattern.konst) {
    if (pattern.value === null) return fold(() => null, 'boolean', pos);
    const match = build(valueToString(pattern.value, pattern.type) ?? '');
    fn = (row) => {
      const s = af(row);
      return s === null ? null : match(s) !== negated;
    };
  } else {
    const pf = strEval(pattern);
    let lastPattern: string | null = null;
    let lastMatch: (s: string) => boolean = () => false;
    fn = (row) => {
      const s = af(row);
      const p = pf(row);
      if (s === null || p === null) return null;
      if (p !== lastPattern) {
        lastMatch = atRuntime(regex ? 'RLIKE' : 'LIKE', () => build(p));
        lastPattern = p;
      }
      return lastMatch(s) !== negated;
    };
  }
  return done(fn, 'boolean', [arg, pattern], pos);
}

export function isTest(arg: Part, test: 'null' | 'true' | 'false', negated: boolean, pos: number): Part {
  const f = arg.fn;
  let fn: Eval;
  if (test === 'null') {
    fn = negated ? (row) => { const v = f(row); return v !== null && v !== undefined; } : (row) => { const v = f(row); return v === null || v === undefined; };
  } else {
    const want = test === 'true';
    fn = (row) => (toBoolean(f(row)) === want) !== negated;
  }
  return done(fn, 'boolean', [arg], pos);
}

/** CASE: the first WHEN that is TRUE wins (NULL is not TRUE); without ELSE the result is NULL. */
export function caseWhen(subject: Part | null, whens: readonly { cond: Part; result: Part }[], otherwise: Part | null, pos: number): Part {
  const type = [...whens.map((w) => w.result), ...(otherwise === null ? [] : [otherwise])].reduce<ExprType>((t, p) => widen(t, p.type), 'unknown');
  const results = whens.map((w) => coerceTo(w.result, type));
  const elseFn = otherwise === null ? () => null : coerceTo(otherwise, type);
  let fn: Eval;
  if (subject === null) {
    const conds = whens.map((w) => boolEval(w.cond));
    const [c0, r0] = [conds[0], results[0]];
    if (conds.length === 1 && c0 !== undefined && r0 !== undefined) {
      fn = (row) => (c0(row) === true ? r0(row) : elseFn(row));
    } else {
      fn = (row) => {
        for (let i = 0; i < conds.length; i++) if ((conds[i] as (r: Row) => boolean | null)(row) === true) return (results[i] as Eval)(row);
        return elseFn(row);
      };
    }
  } else {
    const sf = subject.fn;
    const conds = whens.map((w) => coerceLiteral(w.cond, subject.type));
    const keys = conds.map((c) => c.fn);
    const eqs = conds.map((c) => equality(subject.type, c.type));
    fn = (row) => {
      const v = sf(row);
      if (v !== null && v !== undefined) for (let i = 0; i < keys.length; i++) if ((eqs[i] as (a: unknown, b: unknown) => boolean | null)(v, (keys[i] as Eval)(row)) === true) return (results[i] as Eval)(row);
      return elseFn(row);
    };
  }
  const all = [...(subject === null ? [] : [subject]), ...whens.flatMap((w) => [w.cond, w.result]), ...(otherwise === null ? [] : [otherwise])];
  return done(fn, type, all, pos);
}

/** A branch or argument converted to the common type it meets the others in (Spark's implicit
 * cast): a date where a timestamp is wanted becomes one, a number in a string result its text. */
export function coerceTo(p: Part, type: ExprType): Eval {
  if (p.type === type || type === 'unknown' || p.type === 'unknown' || typeof type === 'object' || typeof p.type === 'object') return p.fn;
  if (type === 'string') return strEval(p);
  const cast = castFunction(type, p.type);
  const f = p.fn;
  return (row) => {
    const v = f(row);
    return v === null || v === undefined ? null : cast(v);
  };
}
