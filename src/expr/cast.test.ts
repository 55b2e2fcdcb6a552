// CAST with Spark's non-ANSI rules for every primitive target type.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileExpression, parseTypeName } from './index.ts';
import type { Row } from '../core/record.ts';
import { struct, field } from '../core/schema.ts';
import { parseDdl } from '../schema/ddl.ts';
import { daysFromCivil, parseTimestamp } from '../schema/values/index.ts';

const ev = (expr: string, row: Row = {}): unknown => compileExpression(expr).evaluate(row);
const us = (iso: string): bigint => parseTimestamp(iso) ?? 0n;
const TYPED = parseDdl('ts TIMESTAMP, d DATE, n BIGINT, i INT, dec DECIMAL(10,2), big DECIMAL(38,0), s STRING, b BOOLEAN');
const typed = (expr: string, row: Row): unknown => compileExpression(expr, { schema: TYPED }).evaluate(row);

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
  assert.equal(ev("CAST('-9223372036854775808' AS BIGINT)"), -9223372036854775808n);
});

void test('CAST of a timestamp to BIGINT gives whole seconds, floored, also before 1970', () => {
  assert.equal(typed('CAST(ts AS BIGINT)', { ts: us('1970-01-01T00:01:40.900Z') }), 100);
  assert.equal(typed('CAST(ts AS BIGINT)', { ts: us('1969-12-31T23:59:59.5Z') }), -1);
  assert.equal(typed('CAST(ts AS BIGINT)', { ts: -1n }), -1);
  assert.equal(typed('CAST(ts AS INT)', { ts: us('1969-12-31T23:59:58.000001Z') }), -2);
  assert.equal(typed('CAST(ts AS DOUBLE)', { ts: us('1970-01-01T00:00:01.000001Z') }), 1.000001);
  assert.equal(typed('CAST(ts AS BIGINT)', { ts: us('0001-01-01T00:00:00Z') }), -62135596800);
  assert.equal(typed('CAST(ts AS BOOLEAN)', { ts: 0n }), false);
  // Spark casts a date to no number and no boolean.
  assert.equal(typed('CAST(d AS BIGINT)', { d: 5 }), null);
  assert.equal(typed('CAST(d AS BOOLEAN)', { d: 5 }), null);
});

void test('CAST of a number to TIMESTAMP reads seconds since the epoch, exactly for decimals', () => {
  assert.equal(typed('CAST(n AS TIMESTAMP)', { n: 100 }), 100_000_000n);
  assert.equal(typed('CAST(n AS TIMESTAMP)', { n: -1 }), -1_000_000n);
  assert.equal(ev('CAST(1.000001 AS TIMESTAMP)'), 1_000_001n);
  assert.equal(ev('CAST(-0.5 AS TIMESTAMP)'), -500_000n);
  assert.equal(ev('CAST(1.5D AS TIMESTAMP)'), 1_500_000n);
  assert.equal(ev('CAST(TRUE AS TIMESTAMP)'), 1n);
  // Beyond years 0001-9999 there is no timestamp.
  assert.equal(typed('CAST(n AS TIMESTAMP)', { n: 253402300800 }), null);
  assert.equal(typed('CAST(n AS TIMESTAMP)', { n: 9223372036854775807n }), null);
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

void test('CAST to DECIMAL gives exact decimal text, rounds HALF_UP to the scale and is NULL when the precision overflows', () => {
  assert.equal(ev("CAST('12.345' AS DECIMAL(10,2))"), '12.35');
  assert.equal(ev("CAST('-12.345' AS DECIMAL(10,2))"), '-12.35');
  assert.equal(ev("CAST('12.344999999999999999' AS DECIMAL(10,2))"), '12.34');
  assert.equal(ev('CAST(2.675 AS DECIMAL(5, 2))'), '2.68');
  assert.equal(ev('CAST(2.675D AS DECIMAL(5, 2))'), '2.68');
  assert.equal(ev('CAST(12345.6 AS DECIMAL(5,2))'), null);
  assert.equal(ev('CAST(999.995 AS DECIMAL(5,2))'), null);
  assert.equal(ev('CAST(12.5 AS DECIMAL)'), '13');
  assert.equal(ev("CAST('x' AS DECIMAL(5,2))"), null);
  assert.equal(ev("CAST(' 1e3 ' AS DECIMAL(6,2))"), '1000.00');
  assert.equal(ev("CAST('12345678901234567890123456789012345678' AS DECIMAL(38,0))"), '12345678901234567890123456789012345678');
  assert.equal(ev('CAST(9223372036854775807L AS DECIMAL(20,0))'), '9223372036854775807');
  assert.equal(ev('CAST(TRUE AS DECIMAL(3,1))'), '1.0');
  assert.equal(typed('CAST(dec AS DECIMAL(4,1))', { dec: '-0.05' }), '-0.1');
  assert.equal(typed('CAST(d AS DECIMAL(10,0))', { d: 1 }), null);
  assert.equal(ev("CAST('NaN' AS DECIMAL(5,2))"), null);
});

void test('CAST from DECIMAL to integers truncates and wraps as Spark, to DOUBLE rounds once', () => {
  assert.equal(typed('CAST(dec AS INT)', { dec: '-12.99' }), -12);
  assert.equal(typed('CAST(dec AS BIGINT)', { dec: '12.99' }), 12);
  assert.equal(typed('CAST(big AS BIGINT)', { big: '9223372036854775808' }), -9223372036854775808n);
  assert.equal(typed('CAST(big AS TINYINT)', { big: '300' }), 44);
  assert.equal(typed('CAST(dec AS DOUBLE)', { dec: '0.10' }), 0.1);
  assert.equal(typed('CAST(dec AS BOOLEAN)', { dec: '0.00' }), false);
  assert.equal(typed('CAST(dec AS STRING)', { dec: '-0.50' }), '-0.50');
});

void test('CAST to BOOLEAN accepts Spark words and numbers; anything else is NULL', () => {
  for (const t of ['true', 'TRUE', 't', 'T', 'yes', 'Y', 'y', '1', ' true ', '\tyes\n']) assert.equal(ev(`CAST('${t}' AS BOOLEAN)`), true, t);
  for (const f of ['false', 'FALSE', 'f', 'no', 'NO', 'n', '0', ' 0 ']) assert.equal(ev(`CAST('${f}' AS BOOLEAN)`), false, f);
  for (const x of ['maybe', '', '2', 'tru', 'on', 'off', '1.0']) assert.equal(ev(`CAST('${x}' AS BOOLEAN)`), null, x);
  assert.equal(ev('CAST(0 AS BOOLEAN)'), false);
  assert.equal(ev('CAST(2.5 AS BOOLEAN)'), true);
  assert.equal(ev('CAST(0.0 AS BOOLEAN)'), false);
  // The same rule wherever text meets a boolean: a condition, a comparison, IS TRUE.
  assert.equal(ev("CASE WHEN s THEN 'y' ELSE 'n' END", { s: ' Yes ' }), 'y');
  assert.equal(ev("b = 't'", { b: true }), true);
  assert.equal(ev('s IS FALSE', { s: 'N' }), true);
});

void test('CAST to STRING renders numbers, booleans, timestamps and dates the way Spark does', () => {
  assert.equal(ev('CAST(1 AS STRING)'), '1');
  assert.equal(ev('CAST(1.0 AS STRING)'), '1.0');
  assert.equal(ev('CAST(1.5e10 AS STRING)'), '1.5E10');
  assert.equal(ev('CAST(0.0001D AS STRING)'), '1.0E-4');
  assert.equal(ev('CAST(0.0001 AS STRING)'), '0.0001');
  assert.equal(ev('CAST(TRUE AS STRING)'), 'true');
  assert.equal(typed('CAST(ts AS STRING)', { ts: us('2024-03-05T10:20:30Z') }), '2024-03-05 10:20:30');
  assert.equal(typed('CAST(ts AS STRING)', { ts: us('2024-03-05T10:20:30.120Z') }), '2024-03-05 10:20:30.12');
  assert.equal(typed('CAST(ts AS STRING)', { ts: us('2024-03-05T10:20:30.000001Z') }), '2024-03-05 10:20:30.000001');
  assert.equal(typed('CAST(ts AS STRING)', { ts: us('1969-12-31T23:59:59.999999Z') }), '1969-12-31 23:59:59.999999');
  assert.equal(typed('CAST(ts AS STRING)', { ts: us('0001-01-01T00:00:00Z') }), '0001-01-01 00:00:00');
  assert.equal(typed('CAST(d AS STRING)', { d: daysFromCivil(9999, 12, 31) }), '9999-12-31');
  // A BIGINT holding the same number is a number, not an instant.
  assert.equal(typed('CAST(n AS STRING)', { n: 1709634030000000n }), '1709634030000000');
  assert.equal(ev("CAST(DATE '2024-03-05' AS STRING)"), '2024-03-05');
  assert.equal(ev('CAST(a AS STRING)', { a: [1, null, 'x'] }), '[1, null, x]');
  assert.equal(ev('CAST(b AS VARCHAR(10))', { b: 7 }), '7');
  const schema = struct([field('d', 'double'), field('i', 'long')]);
  assert.equal(compileExpression('CAST(d AS STRING)', { schema }).evaluate({ d: 3 }), '3.0');
  assert.equal(compileExpression('CAST(i AS STRING)', { schema }).evaluate({ i: 3 }), '3');
});

void test('CAST to TIMESTAMP accepts Spark timestamp text to the microsecond, NULL otherwise', () => {
  assert.equal(ev("CAST('2024-03-05 10:20:30' AS TIMESTAMP)"), us('2024-03-05T10:20:30Z'));
  assert.equal(ev("CAST('2024-03-05T10:20:30.123456Z' AS TIMESTAMP)"), 1709634030123456n);
  assert.equal(ev("CAST('2024-03-05T10:20:30.1234567Z' AS TIMESTAMP)"), 1709634030123456n);
  assert.equal(ev("CAST('2024-03-05 10:20:30 +01:00' AS TIMESTAMP)"), us('2024-03-05T09:20:30Z'));
  assert.equal(ev("CAST('2024-03-05' AS TIMESTAMP)"), us('2024-03-05T00:00:00Z'));
  assert.equal(ev("CAST('2024-3-5 1:2:3' AS TIMESTAMP)"), us('2024-03-05T01:02:03Z'));
  assert.equal(ev("CAST('2024' AS TIMESTAMP)"), us('2024-01-01T00:00:00Z'));
  assert.equal(ev("CAST('1969-12-31 23:59:59.9' AS TIMESTAMP)"), -100_000n);
  assert.equal(ev("CAST('0001-01-01 00:00:00' AS TIMESTAMP)"), -62135596800_000_000n);
  assert.equal(ev("CAST('0099-06-15 12:00:00' AS TIMESTAMP)"), BigInt(daysFromCivil(99, 6, 15)) * 86_400_000_000n + 43_200_000_000n);
  assert.equal(ev("CAST('9999-12-31 23:59:59.999999' AS TIMESTAMP)"), 253402300799999999n);
  assert.equal(ev("CAST('2024-02-29 12:00' AS TIMESTAMP)"), us('2024-02-29T12:00:00Z'));
  assert.equal(ev("CAST('2024-13-01' AS TIMESTAMP)"), null);
  assert.equal(ev("CAST('2023-02-29' AS TIMESTAMP)"), null);
  assert.equal(ev("CAST('10000-01-01' AS TIMESTAMP)"), null);
  assert.equal(ev("CAST('yesterday' AS TIMESTAMP)"), null);
  assert.equal(ev("CAST(DATE '2024-03-05' AS TIMESTAMP)"), us('2024-03-05T00:00:00Z'));
});

void test('CAST to DATE drops the time of day, accepts partial dates and keeps years 0001-9999', () => {
  assert.equal(ev("CAST('2024-03-05 23:59:59' AS DATE)"), daysFromCivil(2024, 3, 5));
  assert.equal(ev("CAST('2024-03' AS DATE)"), daysFromCivil(2024, 3, 1));
  assert.equal(typed('CAST(ts AS DATE)', { ts: us('2024-03-05T23:00:00Z') }), daysFromCivil(2024, 3, 5));
  // Before 1970 the day is the one the instant falls on, not the one truncation toward zero gives.
  assert.equal(typed('CAST(ts AS DATE)', { ts: us('1969-12-31T23:59:59.999999Z') }), -1);
  assert.equal(ev("CAST('0001-01-01' AS DATE)"), daysFromCivil(1, 1, 1));
  assert.equal(ev("CAST('0050-02-28' AS DATE)"), daysFromCivil(50, 2, 28));
  assert.equal(ev("CAST('9999-12-31' AS DATE)"), daysFromCivil(9999, 12, 31));
  assert.equal(ev("CAST('2000-02-29' AS DATE)"), daysFromCivil(2000, 2, 29));
  assert.equal(ev("CAST('1900-02-29' AS DATE)"), null);
  assert.equal(ev("CAST('05/03/2024' AS DATE)"), null);
  assert.equal(ev('CAST(5 AS DATE)'), null);
});

void test('CAST to BINARY encodes strings as UTF-8 and integers as their big-endian bytes', () => {
  assert.deepEqual(ev("CAST('hé' AS BINARY)"), new Uint8Array([104, 195, 169]));
  assert.deepEqual(typed('CAST(i AS BINARY)', { i: -2 }), new Uint8Array([255, 255, 255, 254]));
  assert.deepEqual(typed('CAST(n AS BINARY)', { n: 258 }), new Uint8Array([0, 0, 0, 0, 0, 0, 1, 2]));
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
