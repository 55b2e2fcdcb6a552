// Dates and timestamps of the value model are exact across years 0001-9999 and to the microsecond.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatDate, formatTimestamp, MAX_TIMESTAMP, MIN_TIMESTAMP, parseDate, parseStrictDate, parseStrictTimestamp, parseTimestamp,
  SPARK_STRING, timestampFields, timestampFromDate, timestampToDate, ISO_LOCAL,
} from './temporal.ts';

const us = (iso: string): bigint => BigInt(Date.parse(iso)) * 1000n;

void test('common ISO timestamps parse to the instant Date.parse gives, in microseconds', () => {
  const samples = [
    '2024-01-02T03:04:05Z', '2024-01-02T03:04:05.678Z', '1969-12-31T23:59:59.999Z', '1900-02-28T00:00:00Z', '2000-02-29T12:00:00+02:00',
    '2038-01-19T03:14:07-05:30', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '2024-06-30T10:20Z',
  ];
  for (const s of samples) assert.equal(parseTimestamp(s), us(s), s);
});

void test('microseconds survive at both ends of the range and around the epoch', () => {
  assert.equal(parseTimestamp('1970-01-01T00:00:00.000001Z'), 1n);
  assert.equal(parseTimestamp('1969-12-31T23:59:59.999999Z'), -1n);
  assert.equal(parseTimestamp('2024-03-01T12:30:00.123456Z'), us('2024-03-01T12:30:00.123Z') + 456n);
  assert.equal(parseTimestamp('9999-12-31T23:59:59.999999Z'), MAX_TIMESTAMP);
  assert.equal(parseTimestamp('0001-01-01T00:00:00Z'), MIN_TIMESTAMP);
  assert.equal(formatTimestamp(MAX_TIMESTAMP), '9999-12-31T23:59:59.999999Z');
  assert.equal(formatTimestamp(MIN_TIMESTAMP), '0001-01-01T00:00:00.000Z');
  assert.equal(formatTimestamp(-1n, SPARK_STRING), '1969-12-31 23:59:59.999999');
});

void test('digits beyond the microsecond are dropped, as Spark drops them', () => {
  assert.equal(parseTimestamp('1970-01-01T00:00:01.1234569Z'), 1_123_456n);
});

void test('years below 100 stay where they are', () => {
  assert.equal(parseDate('0001-01-01'), -719162);
  assert.equal(formatDate(-719162), '0001-01-01');
  assert.equal(formatDate(parseDate('0099-12-31') ?? 0), '0099-12-31');
  assert.equal(formatTimestamp(parseTimestamp('0050-06-15T10:00:00Z') ?? 0n, SPARK_STRING), '0050-06-15 10:00:00');
});

void test('values beyond years 0001-9999 are refused, also when a zone moves them out', () => {
  assert.equal(parseTimestamp('9999-12-31T23:59:59-01:00'), undefined);
  assert.equal(parseTimestamp('0001-01-01T00:30:00+01:00'), undefined);
  assert.equal(parseTimestamp('0000-12-31T00:00:00Z'), undefined);
  assert.equal(parseDate('0000-01-01'), undefined);
  assert.equal(parseDate('10000-01-01'), undefined);
});

void test('a zone-less timestamp is UTC, and Spark cast forms are read', () => {
  assert.equal(parseTimestamp('2024-01-02 03:04:05'), us('2024-01-02T03:04:05Z'));
  assert.equal(parseTimestamp('2024'), us('2024-01-01T00:00:00Z'));
  assert.equal(parseTimestamp('2024-3-1 7:05'), us('2024-03-01T07:05:00Z'));
  assert.equal(parseTimestamp(' 2024-03-01T12:30:00 UTC+01:00 '), us('2024-03-01T11:30:00Z'));
  assert.equal(parseDate('2024-03-01T23:59:59'), parseDate('2024-03-01'));
});

void test('inference takes only full ISO forms as dates and timestamps', () => {
  assert.equal(parseStrictTimestamp('2024-01-01'), undefined);
  assert.equal(parseStrictTimestamp('2024'), undefined);
  assert.equal(parseStrictDate('2024-1-1'), undefined);
  assert.equal(parseStrictDate('2024-02-29'), parseDate('2024-02-29'));
  assert.equal(parseStrictDate('2023-02-29'), undefined);
  assert.equal(parseStrictTimestamp('2024-01-01T24:00:00Z'), undefined);
  assert.equal(parseStrictTimestamp('01/02/2024 10:00'), undefined);
});

void test('fields, Dates and local ISO text agree with the calendar', () => {
  const t = parseTimestamp('2024-02-29T23:59:58.000250Z') ?? 0n;
  const f = timestampFields(t);
  assert.deepEqual([f.y, f.m, f.d, f.hour, f.minute, f.second, f.micros, f.weekday], [2024, 2, 29, 23, 59, 58, 250, 4]);
  assert.equal(timestampToDate(t).toISOString(), '2024-02-29T23:59:58.000Z');
  assert.equal(timestampToDate(-1n).toISOString(), '1969-12-31T23:59:59.999Z');
  assert.equal(timestampFromDate(new Date('2024-01-01T00:00:00.123Z')), us('2024-01-01T00:00:00.123Z'));
  assert.equal(formatTimestamp(t, ISO_LOCAL), '2024-02-29T23:59:58.000250');
});

void test('every day of four centuries round-trips through its text', () => {
  for (let d = parseDate('1600-01-01') ?? 0; d <= (parseDate('2400-12-31') ?? 0); d += 7) {
    assert.equal(parseDate(formatDate(d)), d);
  }
});
