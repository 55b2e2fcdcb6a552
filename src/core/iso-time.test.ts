// The fast ISO parser agrees with Date.parse and keeps microseconds; other shapes are left to the slow path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIsoMicros } from './iso-time.ts';

void test('common ISO timestamps parse to the same instant as Date.parse, in microseconds', () => {
  const samples = [
    '2024-01-02T03:04:05Z', '2024-01-02T03:04:05.678Z', '1969-12-31T23:59:59.999Z', '1900-02-28T00:00:00Z', '2000-02-29T12:00:00+02:00',
    '2038-01-19T03:14:07-05:30', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '2024-06-30T10:20Z',
  ];
  for (const s of samples) assert.equal(parseIsoMicros(s), Date.parse(s) * 1000, s);
});

void test('a zone-less timestamp is taken as UTC and a space separator is accepted', () => {
  assert.equal(parseIsoMicros('2024-01-02 03:04:05'), Date.parse('2024-01-02T03:04:05Z') * 1000);
  assert.equal(parseIsoMicros('2024-01-02T03:04:05.5'), Date.parse('2024-01-02T03:04:05.500Z') * 1000);
});

void test('fractions keep microseconds and drop digits beyond them', () => {
  assert.equal(parseIsoMicros('1970-01-01T00:00:00.000001Z'), 1);
  assert.equal(parseIsoMicros('1970-01-01T00:00:01.1234569Z'), 1_123_456);
});

void test('strings that are not plain ISO timestamps are not parsed here', () => {
  for (const s of ['2024-01-02', 'yesterday', '2024-13-01T00:00:00Z', '2024-01-02T25:00:00Z', '2024-01-02T03:04:05ZZ', '2024/01/02 03:04:05']) {
    assert.equal(parseIsoMicros(s), undefined, s);
  }
});
