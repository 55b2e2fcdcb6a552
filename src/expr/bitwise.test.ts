// Bitwise operators: Spark's results and types for & | ^ ~ << >> >>>, NULLs, BIGINT beyond 2^53, and DuckDB as a second opinion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { compileExpression, ExpressionError } from './index.ts';
import type { Row } from '../core/record.ts';
import { parseDdl } from '../schema/ddl.ts';

const ev = (expr: string, row: Row = {}): unknown => compileExpression(expr).evaluate(row);
const typed = parseDdl('i INT, l BIGINT, s SMALLINT, t TINYINT, d DOUBLE, x STRING');

void test("Spark's documented examples give Spark's results", () => {
  assert.equal(ev('3 & 5'), 1);
  assert.equal(ev('3 | 5'), 7);
  assert.equal(ev('3 ^ 5'), 6);
  assert.equal(ev('~ 0'), -1);
  assert.equal(ev('2 << 1'), 4);
  assert.equal(ev('4 >> 1'), 2);
  assert.equal(ev('4 >>> 1'), 2);
});

void test('INT values behave as 32-bit two’s complement and BIGINT values as 64-bit, shift counts wrapping as in Java', () => {
  assert.equal(ev('1 << 31'), -2147483648);
  assert.equal(ev('1 << 32'), 1);
  assert.equal(ev('-8 >> 1'), -4);
  assert.equal(ev('-1 >>> 1'), 2147483647);
  assert.equal(ev('-1 >>> 0'), -1);
  assert.equal(ev('1L << 32'), 4294967296);
  assert.equal(ev('1L << 63'), -9223372036854775808n);
  assert.equal(ev('1L << 64'), 1);
  assert.equal(ev('-1L >>> 1'), 9223372036854775807n);
  assert.equal(ev('~ 9223372036854775807L'), -9223372036854775808n);
  assert.equal(ev('l & 255', { l: 9007199254740993n }), 1);
  assert.equal(ev('l | 1', { l: 2 ** 40 }), 2 ** 40 + 1);
  assert.equal(ev('l ^ l', { l: -(2n ** 62n) }), 0);
});

void test('result types follow Spark: the wider integral type, INT for shifted TINYINT and SMALLINT', () => {
  const type = (e: string): unknown => compileExpression(e, { schema: typed }).type;
  assert.equal(type('i & l'), 'long');
  assert.equal(type('s | t'), 'short');
  assert.equal(type('~t'), 'byte');
  assert.equal(type('t << 1'), 'integer');
  assert.equal(type('l >> i'), 'long');
  assert.equal(compileExpression('t << 7', { schema: typed }).evaluate({ t: 127 }), 16256);
});

void test('NULL in gives NULL out, and values that are no integers give NULL when the type is unknown', () => {
  assert.equal(ev('a & 1', { a: null }), null);
  assert.equal(ev('1 << a', { a: null }), null);
  assert.equal(ev('~a', {}), null);
  assert.equal(ev('a | 1', { a: 1.5 }), null);
  assert.equal(ev('a ^ 1', { a: 'x' }), null);
});

void test('operands that are no integers are a compile error at the operator', () => {
  for (const e of ['d & 1', 'x | i', '1.5 ^ 1', '~d', 'i << d', "DATE '2024-01-01' & 1"]) {
    assert.throws(() => compileExpression(e, { schema: typed }), (err: unknown) => err instanceof ExpressionError && /the bitwise operator .* takes integers/.test(err.reason), e);
  }
});

void test('& | ^ and ~ agree with DuckDB over negative and positive INT and BIGINT values', async () => {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    const ints = [-2147483648, -65536, -7, -1, 0, 1, 6, 255, 2147483647];
    const longs = ['-9223372036854775808', '-4294967297', '-3', '12', '9007199254740993', '9223372036854775807'];
    const pairs: [string, string][] = [];
    for (const a of ints) for (const b of ints) pairs.push([String(a), String(b)]);
    for (const a of longs) for (const b of [...longs, '-1', '5']) pairs.push([a, b]);
    for (const [a, b] of pairs) {
      const isLong = (v: string): boolean => BigInt(v) > 2147483647n || BigInt(v) < -2147483648n;
      const sql = (v: string): string => `CAST(${v} AS ${isLong(a) || isLong(b) ? 'BIGINT' : 'INTEGER'})`;
      const lit = (v: string): string => (isLong(a) || isLong(b) ? `${v}L` : v).replace(/^(-.*)$/, '($1)');
      const reader = await conn.runAndReadAll(`SELECT ${sql(a)} & ${sql(b)} AS x, ${sql(a)} | ${sql(b)} AS y, xor(${sql(a)}, ${sql(b)}) AS z, ~${sql(a)} AS w`);
      const want = reader.getRowObjects()[0] ?? {};
      const norm = (v: unknown): unknown => (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
      assert.equal(ev(`${lit(a)} & ${lit(b)}`), norm(want.x), `${a} & ${b}`);
      assert.equal(ev(`${lit(a)} | ${lit(b)}`), norm(want.y), `${a} | ${b}`);
      assert.equal(ev(`${lit(a)} ^ ${lit(b)}`), norm(want.z), `${a} ^ ${b}`);
      assert.equal(ev(`~${lit(a)}`), norm(want.w), `~${a}`);
    }
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
});
