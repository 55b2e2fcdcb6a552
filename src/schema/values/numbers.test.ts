// Decimals and 64-bit integers of the value model are exact and never rounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decimalFromDouble, decimalFromUnscaled, longValue, parseDecimalText, unscaledDecimal } from './numbers.ts';
import { doubleToString, toJsonText, valueToString } from './format.ts';

void test('decimal text becomes canonical text with as many fraction digits as the scale', () => {
  assert.equal(parseDecimalText('12.3', 10, 2), '12.30');
  assert.equal(parseDecimalText('-0.000', 10, 2), '0.00');
  assert.equal(parseDecimalText('.5', 3, 1), '0.5');
  assert.equal(parseDecimalText('1.2e3', 10, 2), '1200.00');
  assert.equal(parseDecimalText('12345678901234567890123456.123456789012', 38, 12), '12345678901234567890123456.123456789012');
  assert.equal(parseDecimalText('99999999999999999999999999999999999999', 38, 0), '99999999999999999999999999999999999999');
});

void test('a decimal that would need rounding or more integer digits is refused', () => {
  assert.equal(parseDecimalText('1.005', 10, 2), undefined);
  assert.equal(parseDecimalText('1000', 5, 2), undefined);
  assert.equal(parseDecimalText('abc', 5, 2), undefined);
  assert.equal(parseDecimalText('1e', 5, 2), undefined);
});

void test('a double becomes the decimal its shortest text says, not its binary expansion', () => {
  assert.equal(decimalFromDouble(0.1, 5, 3), '0.100');
  assert.equal(decimalFromDouble(1e-7, 10, 8), '0.00000010');
  assert.equal(decimalFromDouble(Infinity, 10, 2), undefined);
});

void test('unscaled integers and canonical text convert both ways', () => {
  assert.equal(unscaledDecimal('-12.30'), -1230n);
  assert.equal(decimalFromUnscaled(-1230n, 2), '-12.30');
  assert.equal(decimalFromUnscaled(5n, 3), '0.005');
});

void test('a long is a number while it is safe and a bigint beyond', () => {
  assert.equal(longValue(9007199254740991n), 9007199254740991);
  assert.equal(longValue(9007199254740992n), 9007199254740992n);
});

void test('JSON and string forms keep every digit and follow the column type', () => {
  assert.equal(toJsonText({ id: 9223372036854775807n, d: '12.30', ts: -1n, day: 0, b: new Uint8Array([1, 2]), x: NaN }, {
    type: 'struct',
    fields: [
      { name: 'id', type: 'long', nullable: true, metadata: {} },
      { name: 'd', type: 'decimal(10,2)', nullable: true, metadata: {} },
      { name: 'ts', type: 'timestamp', nullable: true, metadata: {} },
      { name: 'day', type: 'date', nullable: true, metadata: {} },
      { name: 'b', type: 'binary', nullable: true, metadata: {} },
      { name: 'x', type: 'double', nullable: true, metadata: {} },
    ],
  }), '{"id":9223372036854775807,"d":12.30,"ts":"1969-12-31T23:59:59.999999Z","day":"1970-01-01","b":"AQI=","x":"NaN"}');
  assert.equal(valueToString(1n, 'timestamp'), '1970-01-01 00:00:00.000001');
  assert.equal(valueToString(1e10, 'double'), '1.0E10');
  assert.equal(doubleToString(-0), '-0.0');
});
