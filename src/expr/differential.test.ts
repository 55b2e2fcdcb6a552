// Differential test: random SQL expressions evaluated by the compiler and by DuckDB must agree row by row,
// first on integers, booleans and strings, then on timestamps, dates and decimals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBDateValue, DuckDBDecimalValue, DuckDBInstance, DuckDBTimestampValue } from '@duckdb/node-api';
import { compileExpression } from './index.ts';
import type { Row } from '../core/record.ts';
import { struct, field } from '../core/schema.ts';
import { decimalFromUnscaled, isDateInRange, parseDate, parseTimestamp } from '../schema/values/index.ts';

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

/** Integer arithmetic with no parentheses at all, unary minus included: the parser alone decides the grouping. */
function bareInt(g: Gen, depth: number): string {
  if (depth <= 0 || g.rnd() < 0.35) return pick(g, ['a', 'b', '1', '2', '3', '-a', '-b', '- 2', 'NULL']);
  return `${bareInt(g, depth - 1)} ${pick(g, ['+', '-', '*'])} ${bareInt(g, depth - 1)}`;
}

/** Conditions with no parentheses, mixing every level on which Spark's and DuckDB's precedence agree
 * (DuckDB binds IN, BETWEEN and LIKE tighter than comparisons, so those take arithmetic operands only). */
function bareBool(g: Gen, depth: number): string {
  const r = g.rnd();
  const not = (): string => (g.rnd() < 0.4 ? kw(g, 'NOT ') : '');
  const cmp = (): string => `${bareInt(g, 2)} ${pick(g, ['=', '!=', '<>', '<', '<=', '>', '>='])} ${bareInt(g, 2)}`;
  if (depth <= 0 || r < 0.2) return pick(g, ['p', 'q', 'TRUE', 'FALSE']);
  if (r < 0.4) return cmp();
  if (r < 0.55) return `${bareBool(g, depth - 1)} ${kw(g, pick(g, ['AND', 'OR']))} ${bareBool(g, depth - 1)}`;
  if (r < 0.65) return `${kw(g, 'NOT')} ${bareBool(g, depth - 1)}`;
  if (r < 0.75) return `${cmp()} ${kw(g, 'IS')} ${not()}${kw(g, pick(g, ['NULL', 'TRUE', 'FALSE']))}`;
  if (r < 0.85) return `${bareInt(g, 2)} ${not()}${kw(g, 'BETWEEN')} ${bareInt(g, 1)} ${kw(g, 'AND')} ${bareInt(g, 1)}`;
  if (r < 0.93) return `${bareInt(g, 2)} ${not()}${kw(g, 'IN')} (${bareInt(g, 1)}, ${bareInt(g, 1)})`;
  return `${bareInt(g, 2)} ${kw(g, 'IS')} ${not()}${kw(g, 'NULL')}`;
}

void test('expressions without any parentheses group as DuckDB groups them wherever the two agree on precedence', async () => {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    const g: Gen = { rnd: rng(20251206) };
    const data = rows(g, 24);
    const values = data.map((r, i) => `(${i}, ${sqlValue(r.a)}, ${sqlValue(r.b)}, ${sqlValue(r.p)}, ${sqlValue(r.q)})`).join(', ');
    const from = `(SELECT i, CAST(a AS INTEGER) a, CAST(b AS INTEGER) b, CAST(p AS BOOLEAN) p, CAST(q AS BOOLEAN) q FROM (VALUES ${values}) v(i, a, b, p, q)) t`;
    let compared = 0;
    for (let k = 0; k < 300; k++) {
      const text = k % 4 === 0 ? bareInt(g, 4) : bareBool(g, 4);
      const ours = compileExpression(text, { schema: SCHEMA });
      const reader = await conn.runAndReadAll(`SELECT i, (${text}) AS r FROM ${from} ORDER BY i`);
      for (const row of reader.getRowObjects()) {
        const i = Number(row.i);
        const want = typeof row.r === 'bigint' ? Number(row.r) : row.r;
        assert.deepEqual(ours.evaluate(data[i] ?? {}), want, `${text} with ${JSON.stringify(data[i])}`);
        compared++;
      }
    }
    assert.equal(compared, 300 * data.length);
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
});

// Timestamps, dates and decimals: the value model's forms (bigint microseconds, day numbers, decimal
// text) against DuckDB's, over microseconds, years 0001 and 9999, leap days and instants before 1970.
const TIMES = [
  '0001-01-01 00:00:00', '0001-01-01 00:00:00.000001', '0099-12-31 23:59:59.5', '1900-02-28 12:00:00', '1969-12-31 23:59:59.999999',
  '1970-01-01 00:00:00', '1970-01-01 00:00:00.000001', '2000-02-29 00:00:00', '2024-02-29 23:59:59.999999', '2024-03-01 00:00:00.123456',
  '9999-12-31 23:59:59.999999',
];
const DAYS = ['0001-01-01', '0004-02-29', '1899-12-31', '1969-12-31', '1970-01-01', '2000-02-29', '2024-02-29', '2100-03-01', '9999-12-31'];
const XS = ['-123.45', '-0.05', '0.00', '0.10', '9.99', '10.00', '999999.99'];
const YS = ['-0.0500', '0.0001', '0.1000', '9.9900', '10.0000', '1234.5678'];
const TYPED = struct([field('t', 'timestamp'), field('u', 'timestamp'), field('d', 'date'), field('x', 'decimal(10,2)'), field('y', 'decimal(12,4)')]);

function temporalExpr(g: Gen): string {
  const ts = (): string => pick(g, ['t', 'u', `TIMESTAMP '${pick(g, TIMES)}'`]);
  const lit = (): string => `'${pick(g, [...TIMES, ...DAYS])}'`;
  const dec = (): string => pick(g, ['x', 'y', 'x', 'y', '9.99', '10', '-0.05', '0.1000']);
  const cmp = (): string => pick(g, ['=', '<>', '<', '<=', '>', '>=', 'IS NOT DISTINCT FROM']);
  return pick(g, [
    () => `${ts()} ${cmp()} ${ts()}`,
    () => `${ts()} ${cmp()} ${lit()}`,
    () => `t ${cmp()} d`,
    () => `d ${cmp()} ${pick(g, [`'${pick(g, DAYS)}'`, `DATE '${pick(g, DAYS)}'`, 'u'])}`,
    () => `t BETWEEN d AND u`,
    () => `d BETWEEN '${pick(g, DAYS)}' AND '${pick(g, DAYS)}'`,
    () => `t IN (u, TIMESTAMP '${pick(g, TIMES)}', '${pick(g, TIMES)}')`,
    () => `d IN ('${pick(g, DAYS)}', '${pick(g, DAYS)}')`,
    () => `CAST(${ts()} AS VARCHAR)`,
    () => `CAST(${ts()} AS DATE)`,
    () => `CAST(d AS TIMESTAMP)`,
    () => `CAST(d AS VARCHAR)`,
    () => `CAST(CAST(t AS VARCHAR) AS TIMESTAMP) = t`,
    () => `${pick(g, ['year', 'month', 'day', 'hour', 'minute', 'second', 'quarter', 'dayofyear', 'weekofyear'])}(${pick(g, ['t', 'u'])})`,
    () => `${pick(g, ['year', 'month', 'day', 'quarter', 'dayofyear', 'weekofyear', 'last_day'])}(d)`,
    () => `date_trunc('${pick(g, ['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second', 'millisecond'])}', ${pick(g, ['t', 'u'])})`,
    () => `d ${pick(g, ['+', '-'])} ${pick(g, ['1', '366', '0'])}`,
    () => `${pick(g, ['greatest', 'least'])}(t, u, ${pick(g, ['d', `TIMESTAMP '${pick(g, TIMES)}'`])})`,
    () => `coalesce(${pick(g, ['NULL', 't'])}, d)`,
    () => `${dec()} ${cmp()} ${dec()}`,
    () => `${dec()} BETWEEN ${dec()} AND ${dec()}`,
    () => `${dec()} IN (${dec()}, ${dec()})`,
    () => `${dec()} ${pick(g, ['+', '-', '*'])} ${dec()}`,
    () => `-${pick(g, ['x', 'y'])}`,
    () => `${pick(g, ['abs', 'floor', 'ceil'])}(${pick(g, ['x', 'y'])})`,
    () => `round(${pick(g, ['x', 'y'])}, ${pick(g, ['0', '1', '2', '3'])})`,
    () => `CAST(${pick(g, ['x', 'y'])} AS DECIMAL(${pick(g, ['12,3', '9,1', '10,0'])}))`,
    () => `CAST(${pick(g, ['x', 'y'])} AS DOUBLE)`,
    () => `CASE WHEN t > u THEN x ELSE y END`,
    () => `${pick(g, ['greatest', 'least'])}(x, y)`,
  ])();
}

/** DuckDB's value in the value model's form: microseconds, days, decimal text without trailing zeros. */
function fromDuck(v: unknown): unknown {
  if (v instanceof DuckDBTimestampValue) return v.micros;
  if (v instanceof DuckDBDateValue) return isDateInRange(v.days) ? v.days : null;
  if (v instanceof DuckDBDecimalValue) return plainDecimal(decimalFromUnscaled(v.value, v.scale));
  if (typeof v === 'bigint') return Number(v);
  return v;
}

const plainDecimal = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s).replace(/^-0$/, '0');

void test('timestamps, dates and decimals agree with DuckDB to the microsecond, in years 0001-9999 and exactly', async () => {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    const g: Gen = { rnd: rng(20240229) };
    const data = Array.from({ length: 20 }, (_, i) => ({
      t: i === 0 ? null : pick(g, TIMES), u: pick(g, TIMES), d: i === 1 ? null : pick(g, DAYS), x: i === 2 ? null : pick(g, XS), y: pick(g, YS),
    }));
    const lit = (v: string | null, sql: (s: string) => string): string => (v === null ? 'NULL' : sql(v));
    const values = data.map((r, i) => `(${i}, ${lit(r.t, (s) => `TIMESTAMP '${s}'`)}, ${lit(r.u, (s) => `TIMESTAMP '${s}'`)}, ${lit(r.d, (s) => `DATE '${s}'`)}, ${lit(r.x, (s) => `CAST('${s}' AS DECIMAL(10,2))`)}, ${lit(r.y, (s) => `CAST('${s}' AS DECIMAL(12,4))`)})`).join(', ');
    const from = `(SELECT * FROM (VALUES ${values}) v(i, t, u, d, x, y)) tab`;
    const rows: Row[] = data.map((r) => ({
      t: r.t === null ? null : (parseTimestamp(r.t) ?? null),
      u: r.u === null ? null : (parseTimestamp(r.u) ?? null),
      d: r.d === null ? null : (parseDate(r.d) ?? null),
      x: r.x, y: r.y,
    }));
    let compared = 0;
    for (let k = 0; k < 400; k++) {
      const text = temporalExpr(g);
      const ours = compileExpression(text, { schema: TYPED });
      const reader = await conn.runAndReadAll(`SELECT i, (${text}) AS r FROM ${from} ORDER BY i`);
      for (const row of reader.getRowObjects()) {
        const i = Number(row.i);
        const want = fromDuck(row.r);
        const raw = ours.evaluate(rows[i] ?? {});
        const got = row.r instanceof DuckDBDecimalValue && typeof raw === 'string' ? plainDecimal(raw) : raw;
        assert.deepEqual(got, want, `${text} with ${JSON.stringify(data[i])}`);
        compared++;
      }
    }
    assert.equal(compared, 400 * data.length);
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
});
