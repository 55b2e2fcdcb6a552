// Date and time functions on microsecond timestamps and day-number dates: calendar fields, day
// arithmetic, epoch conversions and truncation, across leap days, years 0001 and 9999 and before 1970.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileExpression } from './index.ts';
import type { Row } from '../core/record.ts';
import { parseDdl } from '../schema/ddl.ts';
import { daysFromCivil, parseTimestamp } from '../schema/values/index.ts';

const SCHEMA = parseDdl('ts TIMESTAMP, d DATE, n INT, s STRING');
const ev = (expr: string, row: Row = {}): unknown => compileExpression(expr, { schema: SCHEMA }).evaluate(row);
const us = (iso: string): bigint => parseTimestamp(iso) ?? 0n;
const day = (y: number, m: number, d: number): number => daysFromCivil(y, m, d);

void test('year, quarter, month, day, dayofyear, dayofweek and weekofyear read the calendar of a date or a timestamp', () => {
  const row = { ts: us('2024-02-29T23:59:59.999999Z'), d: day(2024, 2, 29) };
  assert.deepEqual(['year', 'quarter', 'month', 'day', 'dayofmonth', 'dayofyear', 'dayofweek', 'weekday', 'weekofyear'].map((f) => ev(`${f}(ts)`, row)), [2024, 1, 2, 29, 29, 60, 5, 3, 9]);
  assert.deepEqual(['year', 'month', 'day', 'dayofyear'].map((f) => ev(`${f}(d)`, row)), [2024, 2, 29, 60]);
  // Years 0001 and 9999, and the last day of a leap century year.
  assert.deepEqual(['year', 'month', 'day', 'dayofweek'].map((f) => ev(`${f}(d)`, { d: day(1, 1, 1) })), [1, 1, 1, 2]);
  assert.deepEqual(['year', 'month', 'day', 'dayofyear'].map((f) => ev(`${f}(d)`, { d: day(9999, 12, 31) })), [9999, 12, 31, 365]);
  assert.equal(ev('dayofyear(d)', { d: day(2000, 12, 31) }), 366);
  // Text is read as a date, as Spark casts it.
  assert.equal(ev("year('0099-07-04')"), 99);
  assert.equal(ev("month('2024-11-02 10:00:00')"), 11);
  assert.equal(ev('weekofyear(d)', { d: day(2021, 1, 3) }), 53);
  assert.equal(ev('weekofyear(d)', { d: day(2024, 12, 30) }), 1);
  assert.equal(compileExpression('year(d)', { schema: SCHEMA }).type, 'integer');
});

void test('hour, minute and second read the clock of a timestamp, also before 1970', () => {
  const row = { ts: us('1969-12-31T23:58:07.5Z') };
  assert.deepEqual([ev('hour(ts)', row), ev('minute(ts)', row), ev('second(ts)', row)], [23, 58, 7]);
  assert.deepEqual([ev('hour(ts)', { ts: -1n }), ev('second(ts)', { ts: -1n })], [23, 59]);
  assert.equal(ev('hour(d)', { d: day(2024, 1, 1) }), 0);
  assert.equal(ev("hour('2024-01-01 17:30')"), 17);
});

void test('date_add, date_sub, datediff, add_months and last_day move by calendar days and months', () => {
  assert.equal(ev('date_add(d, 1)', { d: day(2024, 2, 28) }), day(2024, 2, 29));
  assert.equal(ev('date_add(d, 1)', { d: day(2023, 2, 28) }), day(2023, 3, 1));
  assert.equal(ev('date_sub(d, 1)', { d: day(1970, 1, 1) }), day(1969, 12, 31));
  assert.equal(ev('date_add(ts, 1)', { ts: us('2024-03-05T23:59:59.999999Z') }), day(2024, 3, 6));
  assert.equal(ev('d + 1', { d: day(2024, 12, 31) }), day(2025, 1, 1));
  assert.equal(ev('d - n', { d: day(2024, 3, 1), n: 1 }), day(2024, 2, 29));
  assert.equal(compileExpression('d + 1', { schema: SCHEMA }).type, 'date');
  // Beyond years 0001-9999 there is no date.
  assert.equal(ev('date_add(d, 1)', { d: day(9999, 12, 31) }), null);
  assert.equal(ev('date_sub(d, 1)', { d: day(1, 1, 1) }), null);
  assert.equal(ev('datediff(d, ts)', { d: day(2024, 3, 1), ts: us('2024-02-01T12:00:00Z') }), 29);
  assert.equal(ev("datediff('0001-01-02', '0001-01-01')"), 1);
  assert.equal(ev('datediff(d, ts)', { d: day(1, 1, 1), ts: us('9999-12-31T00:00:00Z') }), -3652058);
  assert.equal(ev('add_months(d, 1)', { d: day(2024, 1, 31) }), day(2024, 2, 29));
  assert.equal(ev('add_months(d, 12)', { d: day(2024, 2, 29) }), day(2025, 2, 28));
  assert.equal(ev('add_months(d, -1)', { d: day(1, 1, 15) }), null);
  assert.equal(ev('last_day(d)', { d: day(2100, 2, 3) }), day(2100, 2, 28));
  assert.equal(ev('last_day(d)', { d: day(2400, 2, 3) }), day(2400, 2, 29));
});

void test('date and timestamp arithmetic that needs an interval is refused when the expression compiles', () => {
  assert.throws(() => compileExpression('d - d', { schema: SCHEMA }), /datediff/);
  assert.throws(() => compileExpression('ts + 1', { schema: SCHEMA }), /not supported/);
  assert.throws(() => compileExpression('-ts', { schema: SCHEMA }), /cannot be negated/);
});

void test('epoch conversions are exact to the microsecond and floor before 1970', () => {
  const row = { ts: us('1969-12-31T23:59:59.999999Z') };
  assert.equal(ev('unix_seconds(ts)', row), -1);
  assert.equal(ev('unix_millis(ts)', row), -1);
  assert.equal(ev('unix_micros(ts)', row), -1);
  assert.equal(ev('unix_timestamp(ts)', row), -1);
  assert.equal(ev('unix_micros(ts)', { ts: us('9999-12-31T23:59:59.999999Z') }), 253402300799999999n);
  assert.equal(ev('timestamp_seconds(1.000001)'), 1_000_001n);
  assert.equal(ev('timestamp_seconds(-1)'), -1_000_000n);
  assert.equal(ev('timestamp_millis(1500)'), 1_500_000n);
  assert.equal(ev('timestamp_micros(-62135596800000000)'), us('0001-01-01T00:00:00Z'));
  assert.equal(ev('timestamp_micros(-62135596800000001)'), null);
  assert.equal(ev('unix_date(d)', { d: day(1969, 12, 31) }), -1);
  assert.equal(ev('date_from_unix_date(n)', { n: 19782 }), day(2024, 2, 29));
  assert.equal(ev("unix_timestamp('1970-01-02 00:00:00')"), 86400);
  assert.equal(ev("unix_timestamp('02/01/1970', 'dd/MM/yyyy')"), 86400);
  assert.equal(ev("unix_timestamp('garbage')"), null);
  assert.equal(ev('from_unixtime(n)', { n: -1 }), '1969-12-31 23:59:59');
  assert.equal(ev("from_unixtime(n, 'yyyy-MM-dd')", { n: 951782400 }), '2000-02-29');
  assert.equal(compileExpression('from_unixtime(n)', { schema: SCHEMA }).type, 'string');
  assert.equal(typeof ev('unix_timestamp()'), 'number');
});

void test('make_date, make_timestamp, trunc and date_trunc build and cut dates and timestamps', () => {
  assert.equal(ev('make_date(2024, 2, 29)'), day(2024, 2, 29));
  assert.equal(ev('make_date(2023, 2, 29)'), null);
  assert.equal(ev('make_date(1, 1, 1)'), day(1, 1, 1));
  assert.equal(ev('make_date(10000, 1, 1)'), null);
  assert.equal(ev('make_timestamp(2024, 2, 29, 23, 59, 59.999999)'), us('2024-02-29T23:59:59.999999Z'));
  assert.equal(ev('make_timestamp(1969, 12, 31, 0, 0, 0.5)'), us('1969-12-31T00:00:00.5Z'));
  assert.equal(ev('make_timestamp(2024, 2, 30, 0, 0, 0)'), null);
  assert.equal(ev("trunc(d, 'MM')", { d: day(2024, 2, 29) }), day(2024, 2, 1));
  assert.equal(ev("trunc(d, 'year')", { d: day(1, 6, 1) }), day(1, 1, 1));
  assert.equal(ev("trunc(d, 'quarter')", { d: day(2024, 8, 15) }), day(2024, 7, 1));
  assert.equal(ev("trunc(d, 'week')", { d: day(2024, 3, 3) }), day(2024, 2, 26));
  const ts = us('1969-12-31T23:59:59.999999Z');
  assert.equal(ev("date_trunc('SECOND', ts)", { ts }), us('1969-12-31T23:59:59Z'));
  assert.equal(ev("date_trunc('millisecond', ts)", { ts }), us('1969-12-31T23:59:59.999Z'));
  assert.equal(ev("date_trunc('hour', ts)", { ts }), us('1969-12-31T23:00:00Z'));
  assert.equal(ev("date_trunc('day', ts)", { ts }), us('1969-12-31T00:00:00Z'));
  assert.equal(ev("date_trunc('month', ts)", { ts }), us('1969-12-01T00:00:00Z'));
  assert.equal(ev("date_trunc('year', ts)", { ts: us('9999-12-31T23:59:59.999999Z') }), us('9999-01-01T00:00:00Z'));
  assert.throws(() => compileExpression("date_trunc('fortnight', ts)", { schema: SCHEMA }), /unknown unit "fortnight"/);
});
