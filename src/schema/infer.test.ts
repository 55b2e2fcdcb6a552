// Tests for schema inference from JSON rows and CSV cells.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inferCsvSchema, inferCsvType, inferSchema, inferValueType, mergeTypes } from './infer.ts';
import { schemaToString } from '../core/schema.ts';

void test('scalar JSON values get Spark types: long, double, boolean, string, date and timestamp', () => {
  assert.equal(inferValueType(3), 'long');
  assert.equal(inferValueType(3.5), 'double');
  assert.equal(inferValueType(true), 'boolean');
  assert.equal(inferValueType('hello'), 'string');
  assert.equal(inferValueType('2024-02-29'), 'date');
  assert.equal(inferValueType('2024-02-30'), 'string');
  assert.equal(inferValueType('2024-01-01T10:00:00Z'), 'timestamp');
  assert.equal(inferValueType('2024-01-01 10:00:00.123+02:00'), 'timestamp');
  assert.equal(inferValueType(null), null);
});

void test('objects become structs and arrays take the merged element type', () => {
  assert.equal(
    schemaToString(inferSchema([{ a: { x: 1, y: 'z' }, b: [1, 2.5, null], c: [] }])),
    'a STRUCT<x: BIGINT, y: STRING>, b ARRAY<DOUBLE>, c ARRAY<STRING>',
  );
});

void test('merging rows widens conflicting types and keeps the first-appearance column order', () => {
  const s = inferSchema([
    { id: 1, amount: 2, day: '2024-01-01', flag: true, n: null },
    { amount: 2.5, day: '2024-01-02T00:00:00Z', flag: 'yes', extra: { a: 1 }, n: null },
    { id: null, extra: { b: 'x' } },
  ]);
  assert.equal(
    schemaToString(s),
    'id BIGINT, amount DOUBLE, day TIMESTAMP, flag STRING, n STRING, extra STRUCT<a: BIGINT, b: STRING>',
  );
  assert.ok(s.fields.every((f) => f.nullable));
});

void test('a struct merged with a scalar falls back to string', () => {
  assert.equal(mergeTypes({ type: 'struct', fields: [] }, 'long'), 'string');
  assert.equal(mergeTypes('long', 'double'), 'double');
  assert.equal(mergeTypes('integer', 'long'), 'long');
});

void test('CSV cells are tried as int, long, double, boolean, date and timestamp before string', () => {
  assert.equal(inferCsvType('42'), 'integer');
  assert.equal(inferCsvType('9999999999'), 'long');
  assert.equal(inferCsvType('1.5e3'), 'double');
  assert.equal(inferCsvType('TRUE'), 'boolean');
  assert.equal(inferCsvType('2024-01-01'), 'date');
  assert.equal(inferCsvType('2024-01-01 12:00:00'), 'timestamp');
  assert.equal(inferCsvType('abc'), 'string');
  assert.equal(inferCsvType(''), null);
});

void test('CSV columns take the widest type of their cells and empty columns become string', () => {
  const s = inferCsvSchema(['a', 'b', 'c', 'd'], [
    ['1', '1', 'x', ''],
    ['9999999999', '2.5', '3', ''],
  ]);
  assert.equal(schemaToString(s), 'a BIGINT, b DOUBLE, c STRING, d STRING');
});
