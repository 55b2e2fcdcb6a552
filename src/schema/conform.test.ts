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

void test('ISO strings become Date values for timestamp and date columns', () => {
  const c = compileConformer(parseDdl('ts TIMESTAMP, d DATE'));
  const row = okRow(c({ ts: '2024-01-02T03:04:05.678+01:00', d: '2024-02-29' }));
  assert.deepEqual(row.ts, new Date('2024-01-02T02:04:05.678Z'));
  assert.deepEqual(row.d, new Date('2024-02-29T00:00:00Z'));
});

void test('integral numbers fit long and int columns within range; fractions do not', () => {
  const c = compileConformer(parseDdl('a BIGINT, b INT, c TINYINT, d DOUBLE'));
  assert.deepEqual(okRow(c({ a: 5, b: -7, c: 127, d: 3 })), { a: 5, b: -7, c: 127, d: 3 });
  const frac = c({ a: 1.5 });
  assert.equal(frac.ok, false);
  assert.equal(!frac.ok && frac.message, 'a: expected bigint, found 1.5');
  const range = c({ a: 1, b: 1, c: 128 });
  assert.equal(!range.ok && range.message, 'c: expected tinyint (-128 to 127), found 128');
});

void test('numeric and boolean strings are accepted only with fromStrings', () => {
  const schema = parseDdl('n INT, x DOUBLE, b BOOLEAN, big BIGINT, dec DECIMAL(6,2)');
  const strict = compileConformer(schema);
  const r = strict({ n: '12' });
  assert.equal(!r.ok && r.message, 'n: expected int (-2147483648 to 2147483647), found "12"');
  const csv = compileConformer(schema, { fromStrings: true });
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
  assert.deepEqual(row.s, { a: 1, t: new Date('2024-01-01T00:00:00Z') });
  const bad = c({ s: { a: 1 }, xs: [{ k: 1 }, { k: 'x' }] });
  assert.equal(!bad.ok && bad.message, 'xs[1].k: expected bigint, found "x"');
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
  assert.equal(!r.ok && r.message, 'd: expected date (YYYY-MM-DD), found "2023-02-29"');
});
