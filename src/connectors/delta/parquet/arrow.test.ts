// The Arrow builder refuses values that would be stored wrongly, and reads back what it wrote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { field, struct, type DataType } from '../../../core/schema.ts';
import { rowsToArrow } from './arrow.ts';
import { readParquetBytes, tableRows } from './read.ts';
import { toParquet } from './writer.ts';

function build(type: DataType, value: unknown, nullable = true): void {
  rowsToArrow([{ c: value }], struct([field('c', type, nullable)]));
}

void test('values a column cannot hold are refused with the column, row and expectation', () => {
  const cases: [DataType, unknown, RegExp][] = [
    ['integer', 3_000_000_000, /whole number in \[-2147483648, 2147483647\]/],
    ['byte', 200, /whole number in \[-128, 127\]/],
    ['long', 1.5, /whole number/],
    ['long', 'abc', /whole number/],
    ['boolean', 'yes', /a boolean/],
    ['timestamp', 'not a time', /timestamp/],
    ['decimal(5,2)', '1234.5', /at most 3 integer digits/],
    ['string', { a: 1 }, /a string/],
    [{ type: 'array', elementType: 'long', containsNull: true }, 'x', /a list/],
  ];
  for (const [t, v, re] of cases) {
    assert.throws(() => build(t, v), (err: Error & { code?: string }) => err.code === 'SLUICE_RECORD_INVALID' && re.test(err.message) && /column c: row 0/.test(err.message), `${JSON.stringify(t)} ${String(v)}`);
  }
});

void test('a null in a NOT NULL column is refused', () => {
  assert.throws(() => build('string', null, false), /NOT NULL/);
});

void test('numeric and boolean strings, bigints and epoch numbers are accepted and read back as typed values', () => {
  const schema = struct([field('l', 'long'), field('i', 'integer'), field('b', 'boolean'), field('ts', 'timestamp'), field('d', 'date'), field('dec', 'decimal(6,2)')]);
  const table = rowsToArrow([{ l: '42', i: '7', b: 'true', ts: 1_000, d: '2024-02-29', dec: 12.345 }, { l: -(2n ** 62n), i: -1, b: false, ts: '2024-01-01T00:00:00.123456Z', d: 0, dec: '-0.5' }], schema);
  const rows = tableRows(readParquetBytes(toParquet(table)));
  assert.deepEqual(rows, [
    { l: 42, i: 7, b: true, ts: new Date(1_000), d: new Date('2024-02-29T00:00:00Z'), dec: '12.35' },
    { l: -(2n ** 62n), i: -1, b: false, ts: new Date('2024-01-01T00:00:00.123Z'), d: new Date(0), dec: '-0.50' },
  ]);
});
