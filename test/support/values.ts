// Values of the value model written readably in tests: `ts('2024-01-01T00:00:00.123456Z')` is the
// bigint of microseconds a TIMESTAMP column holds, `day('2024-01-01')` the day number of a DATE.
import { parseDate, parseTimestamp } from '../../src/schema/values/temporal.ts';

export function ts(text: string): bigint {
  const us = parseTimestamp(text);
  if (us === undefined) throw new Error(`not a timestamp: ${text}`);
  return us;
}

export function day(text: string): number {
  const d = parseDate(text);
  if (d === undefined) throw new Error(`not a date: ${text}`);
  return d;
}
