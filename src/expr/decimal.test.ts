// DECIMAL values (canonical text in rows) compare and compute exactly: by value at a common scale,
// never as text, with Spark's result types, HALF_UP where a result loses digits, NULL on overflow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileExpression } from './index.ts';
import type { Row } from '../core/record.ts';
import { parseDdl } from '../schema/ddl.ts';

const SCHEMA = parseDdl('a DECIMAL(10,2), b DECIMAL(5,1), c DECIMAL(38,0), d DECIMAL(38,18), n BIGINT, i INT, x DOUBLE, s STRING');
const ev = (expr: string, row: Row): unknown => compileExpression(expr, { schema: SCHEMA }).evaluate(row);
const type = (expr: string): unknown => compileExpression(expr, { schema: SCHEMA }).type;

void test('decimals at different scales compare by value, not as text', () => {
  assert.equal(ev('a > b', { a: '10.00', b: '9.5' }), true);
  assert.equal(ev('a = b', { a: '1.10', b: '1.1' }), true);
  assert.equal(ev('a <=> b', { a: '1.10', b: '1.1' }), true);
  assert.equal(ev('a < b', { a: '-0.10', b: '-0.0' }), true);
  assert.equal(ev('a < b', { a: '-10.00', b: '-9.9' }), true);
  assert.equal(ev('a > 9.99', { a: '10.00' }), true);
  assert.equal(ev('a = 10', { a: '10.00' }), true);
  assert.equal(ev('a IN (1.1, 10)', { a: '10.00' }), true);
  assert.equal(ev('a IN (b, 3)', { a: '2.50', b: '2.5' }), true);
  assert.equal(ev('a BETWEEN 9.5 AND 10', { a: '10.00' }), true);
  assert.equal(ev("CASE a WHEN 2.5 THEN 'x' ELSE 'y' END", { a: '2.50' }), 'x');
  assert.equal(ev('greatest(a, b)', { a: '9.99', b: '10.0' }), '10.00');
  assert.equal(ev('nullif(a, b)', { a: '1.00', b: '1.0' }), null);
});

void test('decimals compare exactly with integers beyond 2^53 and as doubles with doubles and strings', () => {
  assert.equal(ev('c > n', { c: '9007199254740993', n: 9007199254740992 }), true);
  assert.equal(ev('c = n', { c: '9223372036854775807', n: 9223372036854775807n }), true);
  assert.equal(ev('c < n', { c: '9223372036854775806', n: 9223372036854775807n }), true);
  assert.equal(ev('d = 0.000000000000000001', { d: '0.000000000000000001' }), true);
  assert.equal(ev('d > 0', { d: '0.000000000000000001' }), true);
  assert.equal(ev('a = x', { a: '0.10', x: 0.1 }), true);
  assert.equal(ev("a = '0.1'", { a: '0.10' }), true);
  assert.equal(ev("a > s", { a: '10.00', s: '9.5' }), true);
  assert.equal(ev('a = i', { a: '-3.00', i: -3 }), true);
});

void test('+, - and * of decimals are exact and typed by Spark rules', () => {
  assert.equal(ev('a + b', { a: '0.10', b: '0.2' }), '0.30');
  assert.equal(type('a + b'), 'decimal(11,2)');
  assert.equal(ev('a - b', { a: '0.10', b: '0.2' }), '-0.10');
  assert.equal(ev('a * b', { a: '1.25', b: '-0.5' }), '-0.625');
  assert.equal(type('a * b'), 'decimal(16,3)');
  assert.equal(ev('a * 2', { a: '4.25' }), '8.50');
  assert.equal(type('a * 2'), 'decimal(12,2)');
  assert.equal(ev('a + i', { a: '0.01', i: 2147483647 }), '2147483647.01');
  assert.equal(ev('c + 1', { c: '99999999999999999999999999999999999999' }), null);
  assert.equal(ev('-a', { a: '0.00' }), '0.00');
  assert.equal(ev('-a', { a: '-1.50' }), '1.50');
  // Past 38 digits the scale gives way (to at least 6), as Spark's allowPrecisionLoss does.
  assert.equal(type('d * d'), 'decimal(38,6)');
  assert.equal(ev('d * d', { d: '1.000000500000000000' }), '1.000001');
});

void test('/ and % of decimals round HALF_UP at the result scale and are NULL for a zero divisor', () => {
  assert.equal(ev('a / b', { a: '1.00', b: '3.0' }), '0.33333333');
  assert.equal(type('a / b'), 'decimal(17,8)');
  assert.equal(ev('a / b', { a: '2.00', b: '3.0' }), '0.66666667');
  assert.equal(ev('a / b', { a: '-2.00', b: '3.0' }), '-0.66666667');
  assert.equal(ev('c / 7', { c: '1' }), '0.142857');
  assert.equal(ev('a / b', { a: '1.00', b: '0.0' }), null);
  assert.equal(ev('a % b', { a: '-7.50', b: '2.0' }), '-1.50');
  assert.equal(ev('a % b', { a: '7.50', b: '0.0' }), null);
  assert.equal(ev('a div b', { a: '-7.50', b: '2.0' }), -3);
});

void test('a decimal meeting a double is computed as a double', () => {
  assert.equal(ev('a * x', { a: '2.50', x: 2 }), 5);
  assert.equal(type('a * x'), 'double');
  assert.equal(ev('x * 1.19', { x: 100 }), 119);
  assert.equal(type('x * 1.19'), 'double');
});
