// Differential test: random SQL expressions evaluated by the compiler and by DuckDB must agree row by row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { compileExpression } from './index.ts';
import { struct, field } from '../core/schema.ts';

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

type Gen = { rnd: () => number };
const pick = <T>(g: Gen, xs: readonly T[]): T => xs[Math.floor(g.rnd() * xs.length)] as T;
const kw = (g: Gen, w: string): string => (g.rnd() < 0.5 ? w : w.toLowerCase());
/** Compound operands get parentheses only sometimes, so operator precedence is exercised. */
const wrap = (g: Gen, s: string, compound: boolean): string => (compound && g.rnd() < 0.4 ? `(${s})` : s);

function intExpr(g: Gen, depth: number): [string, boolean] {
  const r = g.rnd();
  if (depth <= 0 || r < 0.3) {
    const leaf = pick(g, ['a', 'b', 'a', 'b', '0', '1', '2', '3', 'NULL']);
    return [leaf, false];
  }
  if (r < 0.7) {
    const [l, lc] = intExpr(g, depth - 1);
    const [rt, rc] = intExpr(g, depth - 1);
    return [`${wrap(g, l, lc)} ${pick(g, ['+', '-', '*'])} ${rc ? `(${rt})` : rt}`, true];
  }
  if (r < 0.8) {
    const [x] = intExpr(g, depth - 1);
    return [`-(${x})`, false];
  }
  if (r < 0.9) {
    const [c] = boolExpr(g, depth - 1);
    const [t] = intExpr(g, depth - 1);
    const [e] = intExpr(g, depth - 1);
    return [`${kw(g, 'CASE')} ${kw(g, 'WHEN')} ${c} ${kw(g, 'THEN')} ${t} ${kw(g, 'ELSE')} ${e} ${kw(g, 'END')}`, false];
  }
  const [x] = intExpr(g, depth - 1);
  const [y] = intExpr(g, depth - 1);
  return [`${kw(g, 'coalesce')}(${x}, ${y})`, false];
}

function boolExpr(g: Gen, depth: number): [string, boolean] {
  const r = g.rnd();
  if (depth <= 0 || r < 0.15) return [pick(g, ['p', 'q', 'p', 'q', 'TRUE', 'FALSE', 'NULL']), false];
  const int = (): string => {
    const [s, c] = intExpr(g, depth - 1);
    return wrap(g, s, c);
  };
  const bool = (): string => {
    const [s, c] = boolExpr(g, depth - 1);
    return wrap(g, s, c);
  };
  if (r < 0.35) return [`${int()} ${pick(g, ['=', '!=', '<>', '<', '<=', '>', '>=', kw(g, 'IS DISTINCT FROM'), kw(g, 'IS NOT DISTINCT FROM')])} ${int()}`, true];
  if (r < 0.55) return [`${bool()} ${kw(g, pick(g, ['AND', 'OR']))} ${bool()}`, true];
  if (r < 0.63) return [`${kw(g, 'NOT')} ${bool()}`, true];
  if (r < 0.71) {
    const items = Array.from({ length: 1 + Math.floor(g.rnd() * 3) }, () => pick(g, ['0', '1', '2', 'NULL', 'b']));
    return [`${int()} ${g.rnd() < 0.5 ? kw(g, 'NOT ') : ''}${kw(g, 'IN')} (${items.join(', ')})`, true];
  }
  if (r < 0.79) return [`${int()} ${g.rnd() < 0.5 ? kw(g, 'NOT ') : ''}${kw(g, 'BETWEEN')} ${int()} ${kw(g, 'AND')} ${int()}`, true];
  if (r < 0.87) {
    // The parser does not take IS NULL straight after a comparison (`a < b IS NULL`), so boolean operands get parentheses.
    const [operand, compound] = g.rnd() < 0.5 ? intExpr(g, depth - 1) : boolExpr(g, depth - 1);
    return [`${compound ? `(${operand})` : operand} ${kw(g, 'IS')} ${g.rnd() < 0.5 ? kw(g, 'NOT ') : ''}${kw(g, 'NULL')}`, true];
  }
  if (r < 0.95) return [`s ${g.rnd() < 0.5 ? kw(g, 'NOT ') : ''}${kw(g, 'LIKE')} '${pick(g, ['a%', '%c', 'a_c', '%', '', 'abc', '_%b%'])}'`, true];
  const [c] = boolExpr(g, depth - 1);
  const [t] = boolExpr(g, depth - 1);
  return [`${kw(g, 'CASE')} ${kw(g, 'WHEN')} ${c} ${kw(g, 'THEN')} ${t} ${kw(g, 'END')}`, false];
}

const SCHEMA = struct([field('a', 'integer'), field('b', 'integer'), field('p', 'boolean'), field('q', 'boolean'), field('s', 'string')]);

type Sample = { a: number | null; b: number | null; p: boolean | null; q: boolean | null; s: string | null };

function rows(g: Gen, n: number): Sample[] {
  return Array.from({ length: n }, () => ({
    a: pick(g, [null, -2, -1, 0, 1, 2, 3]),
    b: pick(g, [null, -1, 0, 1, 2]),
    p: pick(g, [null, true, false]),
    q: pick(g, [null, true, false]),
    s: pick(g, [null, 'abc', 'a%c', '', 'xbz', 'ac']),
  }));
}

const sqlValue = (v: string | number | boolean | null): string => (v === null ? 'NULL' : typeof v === 'string' ? `'${v}'` : String(v));

void test('random expressions agree with DuckDB on values, NULLs and operator precedence', async () => {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    const g: Gen = { rnd: rng(20240611) };
    const data = rows(g, 24);
    const values = data.map((r, i) => `(${i}, ${sqlValue(r.a)}, ${sqlValue(r.b)}, ${sqlValue(r.p)}, ${sqlValue(r.q)}, ${sqlValue(r.s)})`).join(', ');
    const from = `(SELECT i, CAST(a AS INTEGER) a, CAST(b AS INTEGER) b, CAST(p AS BOOLEAN) p, CAST(q AS BOOLEAN) q, CAST(s AS VARCHAR) s FROM (VALUES ${values}) v(i, a, b, p, q, s)) t`;
    let compared = 0;
    for (let k = 0; k < 300; k++) {
      const [text] = k % 3 === 0 ? intExpr(g, 4) : boolExpr(g, 4);
      const ours = compileExpression(text, { schema: SCHEMA });
      const reader = await conn.runAndReadAll(`SELECT i, (${text}) AS r FROM ${from} ORDER BY i`);
      for (const row of reader.getRowObjects()) {
        const i = Number(row.i);
        const want = typeof row.r === 'bigint' ? Number(row.r) : row.r;
        const got = ours.evaluate(data[i] ?? {});
        assert.deepEqual(got, want, `${text} with ${JSON.stringify(data[i])}`);
        compared++;
      }
    }
    assert.equal(compared, 300 * data.length);
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
});
