// CAST with Spark's non-ANSI rules for every primitive target type.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileExpression, parseTypeName } from './index.ts';
import type { Row } from '../core/record.ts';
import { struct, field } from '../core/schema.ts';

const ev = (expr: string, row: Row = {}): unknown => compileExpression(expr).evaluate(row);

void test('CAST to INT truncates decimals in strings and numbers, and is NULL for invalid or out-of-range text', () => {
  assert.equal(ev("CAST('42' AS INT)"), 42);
  assert.equal(ev("CAST(' 42 ' AS INT)"), 42);
  assert.equal(ev("CAST('12.9' AS INT)"), 12);
  assert.equal(ev("CAST('-12.9' AS INT)"), -12);
  assert.equal(ev("CAST('abc' AS INT)"), null);
  assert.equal(ev("CAST('' AS INT)"), null);
  assert.equal(ev("CAST('1e3' AS INT)"), null);
  assert.equal(ev("CAST('2147483648' AS INT)"), null);
  assert.equal(ev('CAST(3.99 AS INT)'), 3);
  assert.equal(ev('CAST(-3.99 AS INTEGER)'), -3);
  assert.equal(ev('CAST(TRUE AS INT)'), 1);
  assert.equal(ev("CAST(CAST('NaN' AS DOUBLE) AS INT)"), 0);
  assert.equal(ev('CAST(1e20 AS INT)'), 2147483647);
});

void test('CAST narrowing of integral values wraps around as in Java', () => {
  assert.equal(ev('CAST(2147483648L AS INT)'), -2147483648);
  assert.equal(ev('CAST(300 AS TINYINT)'), 44);
  assert.equal(ev('CAST(40000 AS SMALLINT)'), -25536);
  assert.equal(ev("CAST('300' AS TINYINT)"), null);
});

void test('CAST to BIGINT keeps values beyond 2^53 exact as bigint', () => {
  assert.equal(ev("CAST('9223372036854775807' AS BIGINT)"), 9223372036854775807n);
  assert.equal(ev("CAST('9223372036854775808' AS BIGINT)"), null);
  assert.equal(ev("CAST('123' AS BIGINT)"), 123);
  assert.equal(ev("CAST(ts AS BIGINT)", { ts: new Date('1970-01-01T00:01:40.900Z') }), 100);
});

void test('CAST to DOUBLE and FLOAT accepts Spark number text including NaN and Infinity', () => {
  assert.equal(ev("CAST('1.5' AS DOUBLE)"), 1.5);
  assert.equal(ev("CAST(' -2e3 ' AS DOUBLE)"), -2000);
  assert.equal(ev("CAST('1.5d' AS DOUBLE)"), 1.5);
  assert.ok(Number.isNaN(ev("CAST('NaN' AS DOUBLE)")));
  assert.equal(ev("CAST('-Infinity' AS DOUBLE)"), -Infinity);
  assert.equal(ev("CAST('0x10' AS DOUBLE)"), null);
  assert.equal(ev("CAST('' AS DOUBLE)"), null);
  assert.equal(ev("CAST('abc' AS DOUBLE)"), null);
  assert.equal(ev("CAST('0.1' AS FLOAT)"), Math.fround(0.1));
  assert.equal(ev('CAST(FALSE AS DOUBLE)'), 0);
});

void test('CAST to DECIMAL rounds HALF_UP to the scale and is NULL when the precision overflows', () => {
  assert.equal(ev("CAST('12.345' AS DECIMAL(10,2))"), 12.35);
  assert.equal(ev('CAST(2.675 AS DECIMAL(5, 2))'), 2.68);
  assert.equal(ev('CAST(12345.6 AS DECIMAL(5,2))'), null);
  assert.equal(ev('CAST(12.5 AS DECIMAL)'), 13);
  assert.equal(ev("CAST('x' AS DECIMAL(5,2))"), null);
});

void test('CAST to BOOLEAN accepts Spark words and numbers; anything else is NULL', () => {
  for (const t of ['true', 'TRUE', 't', 'yes', 'y', '1', ' true ']) assert.equal(ev(`CAST('${t}' AS BOOLEAN)`), true, t);
  for (const f of ['false', 'f', 'no', 'n', '0']) assert.equal(ev(`CAST('${f}' AS BOOLEAN)`), false, f);
  assert.equal(ev("CAST('maybe' AS BOOLEAN)"), null);
  assert.equal(ev('CAST(0 AS BOOLEAN)'), false);
  assert.equal(ev('CAST(2.5 AS BOOLEAN)'), true);
});

void test('CAST to STRING renders numbers, booleans, timestamps and dates the way Spark does', () => {
  assert.equal(ev('CAST(1 AS STRING)'), '1');
  assert.equal(ev('CAST(1.0 AS STRING)'), '1.0');
  assert.equal(ev('CAST(1.5e10 AS STRING)'), '1.5E10');
  assert.equal(ev('CAST(0.0001 AS STRING)'), '1.0E-4');
  assert.equal(ev('CAST(TRUE AS STRING)'), 'true');
  assert.equal(ev('CAST(t AS STRING)', { t: new Date('2024-03-05T10:20:30Z') }), '2024-03-05 10:20:30');
  assert.equal(ev('CAST(t AS STRING)', { t: new Date('2024-03-05T10:20:30.120Z') }), '2024-03-05 10:20:30.12');
  assert.equal(ev("CAST(DATE '2024-03-05' AS STRING)"), '2024-03-05');
  assert.equal(ev('CAST(a AS STRING)', { a: [1, null, 'x'] }), '[1, null, x]');
  assert.equal(ev('CAST(b AS VARCHAR(10))', { b: 7 }), '7');
  const schema = struct([field('d', 'double'), field('i', 'long')]);
  assert.equal(compileExpression('CAST(d AS STRING)', { schema }).evaluate({ d: 3 }), '3.0');
  assert.equal(compileExpression('CAST(i AS STRING)', { schema }).evaluate({ i: 3 }), '3');
});

void test('CAST to TIMESTAMP accepts Spark timestamp text, treats numbers as epoch seconds, NULL otherwise', () => {
  const d = (s: string): Date => new Date(s);
  assert.deepEqual(ev("CAST('2024-03-05 10:20:30' AS TIMESTAMP)"), d('2024-03-05T10:20:30Z'));
  assert.deepEqual(ev("CAST('2024-03-05T10:20:30.123456Z' AS TIMESTAMP)"), d('2024-03-05T10:20:30.123Z'));
  assert.deepEqual(ev("CAST('2024-03-05 10:20:30 +01:00' AS TIMESTAMP)"), d('2024-03-05T09:20:30Z'));
  assert.deepEqual(ev("CAST('2024-03-05' AS TIMESTAMP)"), d('2024-03-05T00:00:00Z'));
  assert.deepEqual(ev("CAST('2024-3-5 1:2:3' AS TIMESTAMP)"), d('2024-03-05T01:02:03Z'));
  assert.deepEqual(ev("CAST('2024' AS TIMESTAMP)"), d('2024-01-01T00:00:00Z'));
  assert.equal(ev("CAST('2024-13-01' AS TIMESTAMP)"), null);
  assert.equal(ev("CAST('2023-02-29' AS TIMESTAMP)"), null);
  assert.equal(ev("CAST('yesterday' AS TIMESTAMP)"), null);
  assert.deepEqual(ev('CAST(1.5 AS TIMESTAMP)'), d('1970-01-01T00:00:01.500Z'));
  assert.equal(ev('CAST(TRUE AS TIMESTAMP)'), null);
});

void test('CAST to DATE drops the time of day and accepts partial dates', () => {
  assert.deepEqual(ev("CAST('2024-03-05 23:59:59' AS DATE)"), new Date('2024-03-05T00:00:00Z'));
  assert.deepEqual(ev("CAST('2024-03' AS DATE)"), new Date('2024-03-01T00:00:00Z'));
  assert.deepEqual(ev('CAST(t AS DATE)', { t: new Date('2024-03-05T23:00:00Z') }), new Date('2024-03-05T00:00:00Z'));
  assert.equal(ev("CAST('05/03/2024' AS DATE)"), null);
  assert.equal(ev('CAST(5 AS DATE)'), null);
});

void test('CAST to BINARY encodes strings as UTF-8', () => {
  assert.deepEqual(ev("CAST('hé' AS BINARY)"), new Uint8Array([104, 195, 169]));
});

void test('CAST result types are the target types, and Spark type names resolve to schema types', () => {
  assert.equal(compileExpression('CAST(a AS BIGINT)').type, 'long');
  assert.equal(compileExpression('CAST(a AS LONG)').type, 'long');
  assert.equal(compileExpression('CAST(a AS DECIMAL(10,2))').type, 'decimal(10,2)');
  assert.equal(parseTypeName('int'), 'integer');
  assert.equal(parseTypeName('Timestamp'), 'timestamp');
  assert.equal(parseTypeName('decimal(38, 6)'), 'decimal(38,6)');
  assert.throws(() => parseTypeName('decimal(40,2)'));
  assert.throws(() => parseTypeName('uuid'));
});

void test('an unknown CAST type is a compile error at the type name', () => {
  assert.throws(() => compileExpression('CAST(a AS UUID)'), (e: Error & { position?: { column: number } }) => e.position?.column === 11 && /unknown type "UUID"/.test(e.message));
});
