// The Arrow builder refuses values that would be stored wrongly, and reads back what it wrote.
import { day, ts } from '../../../test/support/values.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { field, struct, type DataType } from '../../core/schema.ts';
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
    ['long', 1.5, /64-bit integer/],
    ['long', '42', /64-bit integer/],
    ['long', 2n ** 63n, /64-bit integer/],
    ['boolean', 'true', /a boolean/],
    ['timestamp', '2024-01-01T00:00:00Z', /timestamp/],
    ['timestamp', 253402300800000000n, /years 0001-9999/],
    ['date', 2932897, /years 0001-9999/],
    ['date', '2024-01-01', /date/],
    ['decimal(5,2)', '1234.5', /decimal\(5,2\)/],
    ['decimal(5,2)', 12.5, /decimal\(5,2\)/],
    ['string', 12, /a string/],
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

void test('values at the edges of every type are written and read back exactly', () => {
  const schema = struct([field('l', 'long'), field('i', 'integer'), field('b', 'boolean'), field('ts', 'timestamp'), field('d', 'date'), field('dec', 'decimal(38,10)'), field('f', 'float')]);
  const edge = [
    { l: 9223372036854775807n, i: 2147483647, b: true, ts: ts('9999-12-31T23:59:59.999999Z'), d: day('9999-12-31'), dec: '9999999999999999999999999999.9999999999', f: 3.4028234663852886e38 },
    { l: -9223372036854775808n, i: -2147483648, b: false, ts: ts('0001-01-01T00:00:00Z'), d: day('0001-01-01'), dec: '-0.0000000001', f: -1.401298464324817e-45 },
    { l: 9007199254740993n, i: 0, b: null, ts: -1n, d: -1, dec: '0.0000000000', f: Math.fround(0.1) },
  ];
  const rows = tableRows(readParquetBytes(toParquet(rowsToArrow(edge, schema))));
  assert.deepEqual(rows, edge);
});
