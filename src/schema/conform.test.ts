// Tests for the compiled row conformer: coercions, nullability, unknown fields and error messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileConformer, type ConformResult } from './conform.ts';
import { parseDdl } from './ddl.ts';
import { originOf, withOrigin } from '../core/record.ts';

function okRow(r: ConformResult): Record<string, unknown> {
  assert.ok(r.ok, r.ok ? '' : r.message);
  return r.row;
}

void test('values that already fit are passed through as the same row', () => {
  const c = compileConformer(parseDdl('id BIGINT, name STRING, tags ARRAY<STRING>'));
  const row = { id: 1, name: 'a', tags: ['x'] };
  const r = c(row);
  assert.equal(okRow(r), row);
  assert.deepEqual(r.ok && r.unknownFields, []);
});

void test('ISO strings become microseconds in timestamp columns and days in date columns', () => {
  const c = compileConformer(parseDdl('ts TIMESTAMP, d DATE, old DATE'));
  const row = okRow(c({ ts: '2024-01-02T03:04:05.678901+01:00', d: '2024-02-29', old: '0001-01-01' }));
  assert.equal(row.ts, BigInt(Date.parse('2024-01-02T02:04:05.678Z')) * 1000n + 901n);
  assert.equal(row.d, Date.parse('2024-02-29T00:00:00Z') / 86_400_000);
  assert.equal(row.old, -719162);
});

void test('an integer in a timestamp column is seconds in JSON input and microseconds in typed input', () => {
  const schema = parseDdl('ts TIMESTAMP, d DATE');
  assert.deepEqual(okRow(compileConformer(schema, { input: 'json' })({ ts: 1 })), { ts: 1_000_000n, d: null });
  assert.deepEqual(okRow(compileConformer(schema)({ ts: 1n, d: 3 })), { ts: 1n, d: 3 });
  const r = compileConformer(schema, { input: 'json' })({ d: 3 });
  assert.equal(!r.ok && r.path, 'd');
});

void test('64-bit integers stay exact and values beyond a type are refused, never wrapped', () => {
  const c = compileConformer(parseDdl('a BIGINT, xs ARRAY<BIGINT>'), { input: 'json' });
  assert.deepEqual(okRow(c({ a: 9223372036854775807n, xs: [9007199254740993n, -9223372036854775808n] })), { a: 9223372036854775807n, xs: [9007199254740993n, -9223372036854775808n] });
  assert.deepEqual(okRow(c({ a: '9223372036854775807' })).a, 9223372036854775807n);
  const over = c({ a: 9223372036854775808n });
  assert.equal(!over.ok && over.message, 'a: expected bigint (-9223372036854775808 to 9223372036854775807), found 9223372036854775808');
  const inArray = c({ xs: [1, '-9223372036854775809'] });
  assert.equal(!inArray.ok && inArray.path, 'xs[1]');
});

void test('integral numbers fit long and int columns within range; fractions do not', () => {
  const c = compileConformer(parseDdl('a BIGINT, b INT, c TINYINT, d DOUBLE'));
  assert.deepEqual(okRow(c({ a: 5, b: -7, c: 127, d: 3 })), { a: 5, b: -7, c: 127, d: 3 });
  const frac = c({ a: 1.5 });
  assert.equal(frac.ok, false);
  assert.equal(!frac.ok && frac.message, 'a: expected bigint (-9223372036854775808 to 9223372036854775807), found 1.5');
  const range = c({ a: 1, b: 1, c: 128 });
  assert.equal(!range.ok && range.message, 'c: expected tinyint (-128 to 127), found 128');
});

void test('quoted integers and decimals are read from JSON, other numbers and booleans only from text input', () => {
  const schema = parseDdl('n INT, x DOUBLE, b BOOLEAN, big BIGINT, dec DECIMAL(6,2)');
  const strict = compileConformer(schema, { input: 'json' });
  assert.deepEqual(okRow(strict({ n: '12', dec: '1.5' })), { n: 12, x: null, b: null, big: null, dec: '1.50' });
  const r = strict({ x: '1.5' });
  assert.equal(!r.ok && r.message, 'x: expected double, found "1.5"');
  assert.equal(strict({ b: 'true' }).ok, false);
  assert.ok(Number.isNaN(okRow(strict({ x: 'NaN' })).x));
  const csv = compileConformer(schema, { input: 'text' });
  const row = okRow(csv({ n: '12', x: '-1.5e2', b: 'TRUE', big: '92233720368547758', dec: '12.3' }));
  assert.deepEqual(row, { n: 12, x: -150, b: true, big: 92233720368547758n, dec: '12.30' });
  const bad = csv({ n: '12a' });
  assert.equal(!bad.ok && bad.path, 'n');
});

void test('decimals are exact text and reject values that would lose digits', () => {
  const c = compileConformer(parseDdl('d DECIMAL(5,2)'));
  assert.equal(okRow(c({ d: 12.5 })).d, '12.50');
  assert.equal(okRow(c({ d: -0.01 })).d, '-0.01');
  assert.equal(c({ d: 1.234 }).ok, false);
  assert.equal(c({ d: 1234.5 }).ok, false);
  assert.equal(okRow(c({ d: '-007.5' })).d, '-7.50');
  assert.equal(c({ d: '1.2.3' }).ok, false);
});

void test('null in a NOT NULL column and a missing required column are named', () => {
  const c = compileConformer(parseDdl('id STRING NOT NULL, v INT'));
  const r1 = c({ id: null });
  assert.equal(!r1.ok && r1.message, 'id: expected a non-null string, found null');
  const r2 = c({ v: 1 });
  assert.equal(!r2.ok && r2.message, 'id: expected a non-null string, found nothing (the field is missing)');
  assert.deepEqual(okRow(c({ id: 'a' })), { id: 'a', v: null });
});

void test('nested structs, arrays and maps are conformed recursively with the failing path reported', () => {
  const c = compileConformer(parseDdl('s STRUCT<a: INT, t: TIMESTAMP>, xs ARRAY<STRUCT<k: BIGINT>>, m MAP<STRING, DOUBLE>'));
  const row = okRow(c({ s: { a: 1, t: '2024-01-01T00:00:00Z' }, xs: [{ k: 1 }, { k: 2 }], m: { a: 1, b: 2.5 } }));
  assert.deepEqual(row.s, { a: 1, t: BigInt(Date.parse('2024-01-01T00:00:00Z')) * 1000n });
  const bad = c({ s: { a: 1 }, xs: [{ k: 1 }, { k: 'x' }] });
  assert.equal(!bad.ok && bad.message, 'xs[1].k: expected bigint (-9223372036854775808 to 9223372036854775807), found "x"');
  const badMap = c({ m: { a: 'no' } });
  assert.equal(!badMap.ok && badMap.path, 'm{a}');
  const notObj = c({ s: [1] });
  assert.equal(!notObj.ok && notObj.message, 's: expected struct<a:int,t:timestamp>, found an array of 1');
});

void test('fields not in the schema are dropped and reported by path', () => {
  const c = compileConformer(parseDdl('a INT, s STRUCT<x: INT>'));
  const r = c({ a: 1, extra: true, s: { x: 1, y: 2 } });
  assert.ok(r.ok);
  assert.deepEqual(r.row, { a: 1, s: { x: 1 } });
  assert.deepEqual(r.unknownFields, ['s.y', 'extra']);
});

void test('numbers and nested values read into a string column keep their text', () => {
  const c = compileConformer(parseDdl('s STRING'));
  assert.equal(okRow(c({ s: 12.5 })).s, '12.5');
  assert.equal(okRow(c({ s: { a: [1] } })).s, '{"a":[1]}');
});

void test('the origin of a row travels to the conformed row', () => {
  const c = compileConformer(parseDdl('t TIMESTAMP'));
  const row = withOrigin({ t: '2024-01-01T00:00:00Z' }, { file: 'f.json', line: 3 });
  const out = okRow(c(row));
  assert.notEqual(out, row);
  assert.deepEqual(originOf(out), { file: 'f.json', line: 3 });
});

void test('invalid dates are rejected', () => {
  const c = compileConformer(parseDdl('d DATE'));
  const r = c({ d: '2023-02-29' });
  assert.equal(!r.ok && r.message, 'd: expected date (YYYY-MM-DD, years 0001-9999), found "2023-02-29"');
});

void test('columns named like Object.prototype members are ordinary columns', () => {
  const schema = parseDdl('`__proto__` STRING, `constructor` INT, toString STRING');
  const input = JSON.parse('{"__proto__":"p","constructor":1,"toString":"t"}') as Record<string, unknown>;
  for (const rebuild of [false, true]) {
    const row = okRow(compileConformer(schema, { rebuild })(input));
    assert.deepEqual(Object.keys(row), ['__proto__', 'constructor', 'toString']);
    assert.equal(row.__proto__, 'p');
    assert.equal(Object.getPrototypeOf(row), Object.prototype);
  }
  const absent = okRow(compileConformer(schema)({ constructor: 2 }));
  assert.equal(Object.hasOwn(absent, '__proto__') && absent.__proto__, null);
});
