// Tests for strict ISO-8601 parsing of dates and date-times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIsoDate, parseIsoTimestamp } from './temporal.ts';

void test('date-times with zones, fractions and space separators parse to the right instant', () => {
  assert.equal(parseIsoTimestamp('2024-03-01T12:30:00Z'), Date.UTC(2024, 2, 1, 12, 30));
  assert.equal(parseIsoTimestamp('2024-03-01 12:30'), Date.UTC(2024, 2, 1, 12, 30));
  assert.equal(parseIsoTimestamp('2024-03-01T12:30:00.123456+05:30'), Date.UTC(2024, 2, 1, 7, 0, 0, 123));
  assert.equal(parseIsoTimestamp('2024-03-01T12:30:00-0100'), Date.UTC(2024, 2, 1, 13, 30));
});

void test('a date-time without a zone is read as UTC whatever the machine zone', () => {
  assert.equal(parseIsoTimestamp('2024-07-01T00:00:00'), Date.UTC(2024, 6, 1));
});

void test('impossible calendar values and other shapes are refused', () => {
  assert.equal(parseIsoDate('2023-02-29'), undefined);
  assert.equal(parseIsoDate('2024-13-01'), undefined);
  assert.equal(parseIsoTimestamp('2024-01-01T24:00:00Z'), undefined);
  assert.equal(parseIsoTimestamp('2024-01-01'), undefined);
  assert.equal(parseIsoTimestamp('01/02/2024 10:00'), undefined);
  assert.equal(parseIsoDate('2024-02-29'), Date.UTC(2024, 1, 29));
});
